import { SessionClient } from '@luwte/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHost, testOperatorKey, type TestHost } from '../helpers/host.ts';
import { startRedis, type TestRedis } from '../helpers/redis-server.ts';
import { fakeMedia, waitFor, watchRemoteMedia, webrtc } from '../helpers/wrtc-media.ts';

// Two hosts of one cluster in one process, joined by a real redis-server: a session's people
// connect to either host, and the media crosses between them over mediasoup PipeTransports
// (SRTP, on loopback here; the three-host rig in its own namespaces is test/cluster/three-hosts).
describe('one session on two hosts of a cluster', () => {
	let redis: TestRedis;
	let a: TestHost;
	let b: TestHost;
	beforeAll(async () => {
		redis = await startRedis();
		a = await startTestHost({ redisUrl: redis.url, cluster: { hostId: 'host-a', leaseMs: 1500 } });
		b = await startTestHost({ redisUrl: redis.url, cluster: { hostId: 'host-b', leaseMs: 1500 }, tenantsOf: a });
	}, 120_000);
	afterAll(async () => {
		await b?.close();
		await a?.close();
		await redis?.close();
	});

	it('presence, media both ways, the audience count, a mute across hosts and the end reach everyone', async () => {
		const tenant = a.tenants[0]!;
		const sessionId = await a.createSession(tenant, { title: 'Samen bewegen', module: 'fit-en-vitaal' });
		const begeleider = new SessionClient({ server: a.host.url, webrtc });
		const client = new SessionClient({ server: b.host.url, webrtc });
		const viewer = new SessionClient({ server: b.host.url, webrtc });
		const mediaA = fakeMedia();
		const mediaB = fakeMedia();
		const seenByHost = watchRemoteMedia(begeleider);
		const seenByClient = watchRemoteMedia(client);
		const seenByViewer = watchRemoteMedia(viewer);
		const joined: string[] = [];
		begeleider.on('participantJoined', (e) => joined.push(e.participantId));
		let audience = 0;
		begeleider.on('audienceChanged', (e) => {
			audience = e.viewers;
		});
		try {
			await begeleider.connect(await a.token(tenant, sessionId, 'host', 'begeleider-1'));
			await begeleider.publish({ camera: mediaA.camera, microphone: mediaA.microphone });
			const { peers } = await client.connect(await b.token(tenant, sessionId, 'participant', 'client-7'));
			await client.publish({ camera: mediaB.camera, microphone: mediaB.microphone });
			await viewer.connect(await b.token(tenant, sessionId, 'viewer', 'kijker-1'));

			// Presence: the client on B knows the begeleider on A; the begeleider hears of the client,
			// and of the viewer only as a number.
			expect(peers).toContainEqual({ participantId: 'begeleider-1', role: 'host' });
			await waitFor(() => joined.includes('client-7') && audience === 1, 30_000, 'the begeleider sees the client and one viewer');
			expect(joined).not.toContain('kijker-1');

			await waitFor(
				() =>
					(seenByClient.of('begeleider-1', 'camera')?.videoFrames ?? 0) > 15 &&
					(seenByClient.of('begeleider-1', 'microphone')?.audioChunks ?? 0) > 30 &&
					(seenByViewer.of('begeleider-1', 'camera')?.videoFrames ?? 0) > 15 &&
					(seenByHost.of('client-7', 'camera')?.videoFrames ?? 0) > 15 &&
					(seenByHost.of('client-7', 'microphone')?.audioChunks ?? 0) > 30,
				90_000,
				'media decoded both ways across the hosts',
			);
			const placementA = a.host.engine
				.session(tenant.id, sessionId)
				.info()
				.participants.map((p) => p.participantId);
			expect(placementA.sort()).toEqual(['begeleider-1', 'client-7']);
			expect(await a.host.cluster!.origin(sessionId)).toBe('host-a');
			// Operators see the cluster in /metrics: two hosts; on B the begeleider's camera and
			// microphone piped in once each (for the client and the viewer there).
			const metrics = await (
				await fetch(`${b.host.url}/metrics`, { headers: { authorization: `Bearer ${testOperatorKey}` } })
			).text();
			expect(metrics).toMatch(/^luwte_cluster_hosts 2$/m);
			expect(metrics).toMatch(/^luwte_cluster_sessions_linked 1$/m);
			expect(metrics).toMatch(/^luwte_cluster_producers_piped_in 2$/m);

			// Simulcast crosses the pipe whole: the calm controller on B steers the client's consumer of
			// the piped camera, and mediasoup forwards the layer it chose.
			await waitFor(
				() =>
					b.host.engine
						.session(tenant.id, sessionId)
						.abrStatus()
						.some(
							(s) =>
								s.receiver === 'client-7' &&
								s.sender === 'begeleider-1' &&
								s.serverCurrent !== undefined &&
								s.serverCurrent.spatial === s.serverPreferred?.spatial,
						),
				60_000,
				'the piped camera on the layer the controller chose',
			);

			// Recording through host B's admin API: passed on to the origin (A), where the recorder takes
			// the begeleider and, with consent (also given through B), the client on B over the pipe.
			const consent = await b.api(tenant, 'POST', `/v1/sessions/${sessionId}/participants/client-7/consent`, { consent: true });
			expect(consent.status).toBe(200);
			const started = await b.api(tenant, 'POST', `/v1/sessions/${sessionId}/recording`);
			expect(started.status, JSON.stringify(started.json)).toBe(201);
			expect(a.host.engine.session(tenant.id, sessionId).recordingStatus().active).toBe(true);
			expect(b.host.engine.session(tenant.id, sessionId).recordingStatus().active).toBe(false);
			await waitFor(
				async () => {
					const r = await b.api(tenant, 'GET', `/v1/sessions/${sessionId}/recording`);
					return r.json.active === true && ['begeleider-1', 'client-7'].every((p) => r.json.recording?.recorded.includes(p));
				},
				20_000,
				'both recorded at the origin',
			).catch(async (err) => {
				console.log(JSON.stringify((await b.api(tenant, 'GET', `/v1/sessions/${sessionId}/recording`)).json));
				throw err;
			});
			const stopped = await b.api(tenant, 'POST', `/v1/sessions/${sessionId}/recording/stop`);
			expect(stopped.status).toBe(200);
			expect(stopped.json.recordingId).toBe(started.json.recordingId);

			// A mute by the begeleider on A reaches the client on B, and the pause comes back over the pipe.
			const muted = new Promise((r) => client.on('mutedByHost', r));
			const paused = new Promise((r) => begeleider.on('trackPaused', (e) => e.participantId === 'client-7' && r(e)));
			await begeleider.muteParticipant('client-7', 'microphone');
			await muted;
			await paused;
			expect(client.isMuted('microphone')).toBe(true);

			// The end on A ends it on B for everyone there.
			const ended = [client, viewer].map((c) => new Promise<{ reason: string }>((r) => c.on('sessionEnded', r)));
			await begeleider.endSession();
			expect((await Promise.all(ended)).map((e) => e.reason)).toEqual(['ended', 'ended']);
			await waitFor(
				() => [a, b].every((h) => h.host.engine.health().workerLoad.every((w) => w.load === 0)),
				30_000,
				'no router, transport or pipe left on either host',
			);
		} finally {
			for (const s of [seenByHost, seenByClient, seenByViewer]) s.stop();
			mediaA.stop();
			mediaB.stop();
			await Promise.all([begeleider, client, viewer].map((c) => c.leave().catch(() => undefined)));
		}
	});
	it('during a Redis outage refuses, typed, to split a session held by another host; what runs carries on', async () => {
		const tenant = a.tenants[0]!;
		const sessionId = await a.createSession(tenant, { title: 'Koffie-uurtje' });
		const tokens = {
			begeleider: await a.token(tenant, sessionId, 'host', 'begeleider-2'),
			here: await a.token(tenant, sessionId, 'participant', 'client-8'),
			elsewhere: await a.token(tenant, sessionId, 'participant', 'client-9'),
		};
		const begeleider = new SessionClient({ server: a.host.url, webrtc });
		const here = new SessionClient({ server: a.host.url, webrtc });
		const elsewhere = new SessionClient({ server: b.host.url, webrtc });
		const later = new SessionClient({ server: b.host.url, webrtc });
		let down = false;
		try {
			await begeleider.connect(tokens.begeleider);
			// B learns that A holds the session (the people count every host publishes).
			await waitFor(() => b.host.cluster!.elsewhere(sessionId), 30_000, 'host B knows the session is held on A');
			await redis.kill('SIGKILL');
			down = true;
			const refused = await elsewhere.connect(tokens.elsewhere).then(
				() => undefined,
				(err: unknown) => err as { code?: string; message?: string },
			);
			expect(refused?.code).toBe('unavailable');
			expect(refused?.message).toMatch(/Redis/);
			// The host holding it carries on: a join there works without Redis (its attendance waits in the outbox).
			const { peers } = await here.connect(tokens.here);
			expect(peers).toContainEqual({ participantId: 'begeleider-2', role: 'host' });
			await redis.start();
			down = false;
			// Back: B takes its people in again, and they meet the begeleider on A.
			await waitFor(() => b.host.cluster!.available && a.host.cluster!.hosts().length === 2, 60_000, 'host B reaches Redis again');
			const joined = new Promise((r) => begeleider.on('participantJoined', (e) => e.participantId === 'client-10' && r(e)));
			const back = await later.connect(await a.token(tenant, sessionId, 'participant', 'client-10'));
			expect(back.peers.map((p) => p.participantId)).toContain('begeleider-2');
			await joined;
		} finally {
			if (down) await redis.start().catch(() => undefined);
			await Promise.all([begeleider, here, elsewhere, later].map((c) => c.leave().catch(() => undefined)));
		}
	});
});
