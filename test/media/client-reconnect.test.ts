import { SessionClient, type SessionClientEvents } from '@luwte/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHost, type TestHost } from '../helpers/host.ts';
import { fakeMedia, waitFor, watchRemoteMedia, webrtc } from '../helpers/wrtc-media.ts';

// SessionClient's own reconnecting (the element relies on it): when the media worker carrying
// the session dies, a client with `reconnect` on rejoins by itself with the same token, sends
// its tracks again (a muted microphone stays muted), and says how it went in typed events.
describe('SessionClient reconnecting', () => {
	let t: TestHost;
	beforeAll(async () => {
		t = await startTestHost();
	});
	afterAll(() => t?.close());

	it('rejoins after a worker dies and publishes the same tracks again, muted as they were', async () => {
		const tenant = t.tenants[0]!;
		const sessionId = await t.createSession(tenant, { title: 'Samen zingen' });
		const host = new SessionClient({ server: t.host.url, webrtc, reconnect: true });
		const client = new SessionClient({ server: t.host.url, webrtc, reconnect: true });
		const clientMedia = fakeMedia(320, 180, 10);
		const atHost = watchRemoteMedia(host);
		const events: string[] = [];
		const reconnecting: SessionClientEvents['reconnecting'][] = [];
		const reconnected: SessionClientEvents['reconnected'][] = [];
		client.on('reconnecting', (e) => {
			reconnecting.push(e);
			events.push(`reconnecting ${e.attempt}`);
		});
		client.on('reconnected', (e) => {
			reconnected.push(e);
			events.push(`reconnected ${e.attempt}`);
		});
		client.on('disconnected', (e) => events.push(`disconnected ${e.reason}`));
		try {
			await host.connect(await t.token(tenant, sessionId, 'host', 'begeleider-9'));
			await client.connect(await t.token(tenant, sessionId, 'participant', 'client-60'));
			await client.publish({ camera: clientMedia.camera, microphone: clientMedia.microphone });
			await client.mute('microphone');
			await waitFor(() => (atHost.of('client-60', 'camera')?.videoFrames ?? 0) > 10, 60_000, "the client's video at the host");
			const cameraBefore = atHost.of('client-60', 'camera')!;

			process.kill(t.host.engine.workers.slots[0]!.worker.pid, 'SIGKILL');
			await waitFor(() => reconnected.length > 0 && host.state === 'joined', 60_000, 'both to rejoin by themselves');
			expect(client.state).toBe('joined');
			expect(reconnecting[0]).toMatchObject({ attempt: 1, reason: 'media-failure' });
			expect(reconnecting[0]!.delayMs).toBeGreaterThanOrEqual(0);
			expect(reconnecting[0]!.delayMs).toBeLessThanOrEqual(1000);
			expect(reconnected[0]).toMatchObject({ participantId: 'client-60', role: 'participant' });
			expect(reconnected[0]!.attempt).toBe(reconnecting.length);
			expect(events.at(-1)).toBe(`reconnected ${reconnected[0]!.attempt}`);
			expect(events.filter((e) => e.startsWith('disconnected'))).toEqual([]);

			// The same camera is sent again (a new track at the host), and the microphone stays muted.
			await waitFor(
				() => atHost.of('client-60', 'camera') !== cameraBefore && (atHost.of('client-60', 'camera')?.videoFrames ?? 0) > 10,
				60_000,
				"the client's video at the host again",
			);
			const mutedMicrophone = () => atHost.of('client-60', 'microphone')?.track.paused === true;
			await waitFor(mutedMicrophone, 60_000, "the client's muted microphone at the host again");
			expect(client.isMuted('microphone')).toBe(true);
			expect(client.isMuted('camera')).toBe(false);
		} finally {
			atHost.stop();
			clientMedia.stop();
			await client.leave();
			await host.leave();
		}
		// leave() is final: no reconnecting afterwards.
		expect(client.state).toBe('closed');
		expect(events.filter((e) => e.startsWith('disconnected'))).toEqual([]);
	}, 240_000);
});
