import { SessionClient } from '@luwte/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHost, type TestHost } from '../helpers/host.ts';
import { fakeMedia, waitFor, watchRemoteMedia, webrtc } from '../helpers/wrtc-media.ts';

// A broadcast on a host with two workers: once the origin's worker passes the threshold (set low
// here: 3 load units, the host's router and transports), viewers receive on the other worker,
// fed by mediasoup pipes. Every viewer still sees and hears the stage, a mute reaches them across
// the pipe, and ending the session leaves no router, pipe or transport behind on any worker.
describe('a broadcast spread over two workers', () => {
	let t: TestHost;
	beforeAll(async () => {
		t = await startTestHost({ workerCount: 2, spreadAboveLoad: 3 });
	});
	afterAll(() => t?.close());

	it('puts viewers on both workers, each decodes the stage, and the end closes every pipe and router', async () => {
		const tenant = t.tenants[0]!;
		const sessionId = await t.createSession(tenant, { title: 'Ochtendnieuws', kind: 'broadcast' });
		const host = new SessionClient({ server: t.host.url, webrtc });
		const media = fakeMedia();
		const viewers = Array.from({ length: 5 }, () => new SessionClient({ server: t.host.url, webrtc }));
		const seen = viewers.map((v) => watchRemoteMedia(v));
		try {
			await host.connect(await t.token(tenant, sessionId, 'host', 'presentator'));
			await host.publish({ camera: media.camera, microphone: media.microphone });
			// One after the other, so each placement sees the load the previous ones left.
			for (const [i, v] of viewers.entries()) await v.connect(await t.token(tenant, sessionId, 'viewer', `kijker-${i}`));

			const session = t.host.engine.session(tenant.id, sessionId);
			const placement = session.placement();
			const [origin, ...edges] = placement;
			expect(origin?.origin).toBe(true);
			expect(origin?.receivers).toContain('presentator');
			expect(edges).toHaveLength(1);
			expect(edges[0]!.workerIndex).not.toBe(origin!.workerIndex);
			// Some viewers stayed on the origin, the others went to the second worker.
			const onOrigin = origin!.receivers.filter((r) => r.startsWith('kijker-'));
			expect(onOrigin.length).toBeGreaterThan(0);
			expect(edges[0]!.receivers.length).toBeGreaterThan(0);
			expect([...onOrigin, ...edges[0]!.receivers].sort()).toEqual(viewers.map((_, i) => `kijker-${i}`));
			// The camera and the microphone, each piped once however many viewers receive them there.
			expect(edges[0]!.pipes).toBe(2);

			await waitFor(
				() =>
					seen.every(
						(s) =>
							(s.of('presentator', 'camera')?.videoFrames ?? 0) > 15 &&
							(s.of('presentator', 'microphone')?.audioChunks ?? 0) > 30,
					),
				90_000,
				'every viewer decodes the stage',
			);

			// The calm controller steers the piped simulcast consumers too: mediasoup forwards the layer it asked for.
			const piped = new Set(edges[0]!.receivers);
			await waitFor(
				() => {
					const status = session.abrStatus().filter((s) => piped.has(s.receiver));
					return (
						status.length === piped.size &&
						status.every((s) => s.serverCurrent !== undefined && s.serverCurrent.spatial === s.serverPreferred?.spatial)
					);
				},
				60_000,
				'piped consumers on the layer the controller chose',
			);

			// A mute crosses the pipe: every viewer sees the microphone paused.
			const pausedAt = viewers.map((v) => new Promise((r) => v.on('trackPaused', r)));
			await host.mute('microphone');
			await Promise.all(pausedAt);
			for (const v of viewers) expect(v.remoteTracks.find((r) => r.source === 'microphone')?.paused).toBe(true);

			const endedAt = viewers.map((v) => new Promise((r) => v.on('sessionEnded', r)));
			await host.endSession();
			await Promise.all(endedAt);
			await waitFor(() => t.host.engine.health().workerLoad.every((w) => w.load === 0), 30_000, 'no load left on any worker');
			for (const slot of t.host.engine.workers.slots) {
				const dump = await slot.worker.dump();
				expect(dump.routerIds, `routers on worker ${slot.index}`).toEqual([]);
			}
		} finally {
			for (const s of seen) s.stop();
			media.stop();
			await Promise.all([host, ...viewers].map((c) => c.leave().catch(() => undefined)));
		}
	});
});
