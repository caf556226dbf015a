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

	it('a worker lost under an edge router costs only its viewers their media, and they come back by themselves', async () => {
		const tenant = t.tenants[0]!;
		const sessionId = await t.createSession(tenant, { title: 'Middagnieuws', kind: 'broadcast' });
		const host = new SessionClient({ server: t.host.url, webrtc });
		const media = fakeMedia();
		const viewers = Array.from({ length: 3 }, () => new SessionClient({ server: t.host.url, webrtc, reconnect: true }));
		const seen = viewers.map((v) => watchRemoteMedia(v));
		const reconnecting = viewers.map(() => [] as string[]);
		for (const [i, v] of viewers.entries()) v.on('reconnecting', (e) => reconnecting[i]!.push(e.reason));
		const decodes = (i: number, since?: unknown) => {
			const camera = seen[i]!.of('presentator', 'camera');
			return camera !== undefined && camera !== since && camera.videoFrames > 15;
		};
		try {
			await host.connect(await t.token(tenant, sessionId, 'host', 'presentator'));
			await host.publish({ camera: media.camera, microphone: media.microphone });
			for (const [i, v] of viewers.entries()) await v.connect(await t.token(tenant, sessionId, 'viewer', `kijker-${i}`));
			await waitFor(() => viewers.every((_, i) => decodes(i)), 90_000, 'every viewer decodes the stage');

			const session = t.host.engine.session(tenant.id, sessionId);
			const [origin, edge] = session.placement();
			expect(edge?.receivers.length).toBeGreaterThan(0);
			const onEdge = viewers.map((_, i) => edge!.receivers.includes(`kijker-${i}`));
			const before = viewers.map((_, i) => seen[i]!.of('presentator', 'camera'));
			const framesBefore = before.map((c) => c?.videoFrames ?? 0);
			const slot = t.host.engine.workers.slots.find((s) => s.index === edge!.workerIndex)!;
			process.kill(slot.worker.pid, 'SIGKILL');

			// Those on the edge reconnect (placed again, on the replacement worker) and decode again;
			// those on the origin never noticed.
			await waitFor(
				() =>
					viewers.every((_, i) =>
						onEdge[i]
							? decodes(i, before[i])
							: (seen[i]!.of('presentator', 'camera')?.videoFrames ?? 0) > framesBefore[i]! + 15,
					),
				90_000,
				'the edge viewers back with media, the others still watching',
			);
			for (const i of viewers.keys()) expect(reconnecting[i], `kijker-${i}`).toEqual(onEdge[i] ? ['media-failure'] : []);
			// The origin router carried on; the reconnected viewers got a router on the replacement worker.
			const [originAfter, edgeAfter] = session.placement();
			expect(originAfter!.routerId).toBe(origin!.routerId);
			expect(edgeAfter!.workerIndex).toBe(edge!.workerIndex);
			expect(edgeAfter!.routerId).not.toBe(edge!.routerId);
			expect(edgeAfter!.receivers.sort()).toEqual(edge!.receivers.sort());

			await host.endSession();
			await waitFor(() => t.host.engine.health().workerLoad.every((w) => w.load === 0), 30_000, 'no load left on any worker');
		} finally {
			for (const s of seen) s.stop();
			media.stop();
			await Promise.all([host, ...viewers].map((c) => c.leave().catch(() => undefined)));
		}
	});
});
