import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseLedgerEvent, presenceIntervals } from '@luwte/engine/attendance';
import { SessionClient, type SessionClientEvents } from '@luwte/sdk';
import { afterAll, describe, expect, it } from 'vitest';
import { hostProcess, type HostProcess } from '../helpers/host-process.ts';
import { fakeMedia, waitFor, watchRemoteMedia, webrtc } from '../helpers/wrtc-media.ts';

// A host restart nobody has to act on (docs/sessions.md): two real WebRTC clients in a live
// session; the host process gets SIGTERM (an update), drains (everyone told `host-restart`),
// exits, and is started again on the same data. Both clients come back with media by
// themselves, and the ledger shows one attendance each, with one reconnect.
describe('a host restart during a live session', () => {
	let h: HostProcess | undefined;
	afterAll(async () => {
		await h?.stop('SIGKILL');
	});

	it('brings both clients back with media by themselves; one attendance each with one reconnect', async () => {
		h = await hostProcess();
		const created = await h.api('POST', '/v1/sessions', { title: 'Samen zingen', module: 'communicatie' });
		expect(created.status).toBe(201);
		const sessionId = created.json.id as string;
		const token = async (role: string, participantId: string) =>
			(await h!.api('POST', `/v1/sessions/${sessionId}/tokens`, { role, participantId })).json.token as string;
		const host = new SessionClient({ server: h.url, webrtc, reconnect: true });
		const client = new SessionClient({ server: h.url, webrtc, reconnect: true });
		const hostMedia = fakeMedia(320, 180, 10);
		const clientMedia = fakeMedia(320, 180, 10);
		const atHost = watchRemoteMedia(host);
		const atClient = watchRemoteMedia(client);
		const reconnecting: SessionClientEvents['reconnecting'][] = [];
		const disconnected: SessionClientEvents['disconnected'][] = [];
		for (const c of [host, client]) {
			c.on('reconnecting', (e) => reconnecting.push(e));
			c.on('disconnected', (e) => disconnected.push(e));
		}
		try {
			await host.connect(await token('host', 'begeleider-1'));
			await client.connect(await token('participant', 'client-1'));
			await host.publish({ camera: hostMedia.camera });
			await client.publish({ camera: clientMedia.camera });
			const seesVideo = (w: ReturnType<typeof watchRemoteMedia>, who: string, not?: unknown) => () => {
				const m = w.of(who, 'camera');
				return m !== undefined && m !== not && m.videoFrames > 10;
			};
			await waitFor(seesVideo(atHost, 'client-1'), 60_000, "the client's video at the host");
			await waitFor(seesVideo(atClient, 'begeleider-1'), 60_000, "the host's video at the client");
			const before = { atHost: atHost.of('client-1', 'camera'), atClient: atClient.of('begeleider-1', 'camera') };

			const stopAt = Date.now();
			expect(await h.stop('SIGTERM')).toBe(0);
			const stoppedAt = Date.now();
			expect(h.output()).toContain('Stopped.');
			// Both were told to reconnect (not: the session ended).
			await waitFor(() => reconnecting.length >= 2, 30_000, 'both clients reconnecting');
			expect(reconnecting.every((e) => e.reason === 'host-restart')).toBe(true);
			await h.start();
			const startedAt = Date.now();
			await waitFor(seesVideo(atHost, 'client-1', before.atHost), 60_000, "the client's video at the host again");
			await waitFor(seesVideo(atClient, 'begeleider-1', before.atClient), 60_000, "the host's video at the client again");
			const mediaAt = Date.now();
			console.log(
				`[host-restart] drain and exit ${stoppedAt - stopAt} ms; started again ${startedAt - stoppedAt} ms later; ` +
					`media both ways ${mediaAt - startedAt} ms after the new host listened (${mediaAt - stopAt} ms after SIGTERM)`,
			);
			expect(host.state).toBe('joined');
			expect(client.state).toBe('joined');
			expect(disconnected).toEqual([]);
			expect((await h.api('GET', `/v1/sessions/${sessionId}`)).json).toMatchObject({ state: 'live' });
		} finally {
			atHost.stop();
			atClient.stop();
			hostMedia.stop();
			clientMedia.stop();
			await client.leave();
			await host.leave();
		}
		// The ledger (what billing reads): one attendance per person, spanning the restart.
		const ended = await h.api('POST', `/v1/sessions/${sessionId}/end`);
		expect(ended.json.state).toBe('ended');
		await h.stop('SIGTERM');
		const events = readFileSync(join(h.dataDir, 'attendance', 'events.jsonl'), 'utf8')
			.split('\n')
			.filter((l) => l !== '')
			.map((l) => parseLedgerEvent(JSON.parse(l)))
			.flatMap((r) => (r.ok && r.event ? [r.event] : []));
		const presence = presenceIntervals(events).filter((p) => p.sessionId === sessionId);
		expect(presence.map((p) => [p.participantId, p.attendances.length, p.attendances[0]!.reconnects])).toEqual([
			['begeleider-1', 1, 1],
			['client-1', 1, 1],
		]);
		expect(events.filter((e) => e.type === 'session.ended' && e.sessionId === sessionId).length).toBe(1);
	}, 300_000);

	it('closes a running recording at SIGTERM and makes the parts so far into a library item after the restart', async () => {
		h = await hostProcess();
		const created = await h.api('POST', '/v1/sessions', { title: 'Voorlezen', module: 'communicatie' });
		const sessionId = created.json.id as string;
		const token = (await h.api('POST', `/v1/sessions/${sessionId}/tokens`, { role: 'host', participantId: 'begeleider-2' })).json.token;
		const host = new SessionClient({ server: h.url, webrtc, reconnect: true });
		const media = fakeMedia(320, 180, 10);
		try {
			await host.connect(token);
			await host.publish({ camera: media.camera, microphone: media.microphone });
			const started = await h.api('POST', `/v1/sessions/${sessionId}/recording`);
			expect(started.status).toBe(201);
			const recordingId = started.json.recordingId as string;
			// A few seconds of the host's tracks written before the restart.
			await waitFor(
				async () =>
					((await h!.api('GET', `/v1/sessions/${sessionId}/recording`)).json.recording?.recorded ?? []).includes('begeleider-2'),
				60_000,
				"the host's tracks being recorded",
			);
			const recordingSince = Date.now();
			await waitFor(() => Date.now() - recordingSince > 3_000, 30_000, 'three seconds of recording');
			expect(await h.stop('SIGTERM')).toBe(0);
			await h.start();
			// The parts so far become an item (docs/sessions.md: a restart closes a recording; it is not resumed).
			await waitFor(
				async () => ['done', 'failed'].includes((await h!.api('GET', `/v1/recordings/${recordingId}`)).json.state),
				180_000,
				'the cut recording to be processed',
			);
			const rec = (await h.api('GET', `/v1/recordings/${recordingId}`)).json;
			expect(rec, JSON.stringify(rec)).toMatchObject({ state: 'done' });
			expect(rec.itemId).toEqual(expect.any(String));
			// The host rejoined by itself; the session records no more.
			await waitFor(() => host.state === 'joined', 60_000, 'the host to rejoin');
			expect((await h.api('GET', `/v1/sessions/${sessionId}/recording`)).json.active).toBe(false);
		} finally {
			media.stop();
			await host.leave();
		}
	}, 300_000);
});
