import { SessionClient } from '@luwte/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHost, type TestHost } from '../helpers/host.ts';
import { fakeMedia, waitFor, watchRemoteMedia, webrtc } from '../helpers/wrtc-media.ts';

// Two independent libwebrtc clients join one session through the real host; each must
// decode the other's video and receive the other's audio, forwarded by mediasoup.
describe('two clients in one session', () => {
	let t: TestHost;
	beforeAll(async () => {
		t = await startTestHost();
	});
	afterAll(() => t?.close());

	it('carries video and audio both ways between a host and a participant', async () => {
		const tenant = t.tenants[0]!;
		const sessionId = await t.createSession(tenant, { title: 'Samen koken' });
		const host = new SessionClient({ server: t.host.url, webrtc });
		const client = new SessionClient({ server: t.host.url, webrtc });
		const hostMedia = fakeMedia();
		const clientMedia = fakeMedia();
		const atHost = watchRemoteMedia(host);
		const atClient = watchRemoteMedia(client);
		try {
			await host.connect(await t.token(tenant, sessionId, 'host', 'begeleider-1'));
			await host.publish({ camera: hostMedia.camera, microphone: hostMedia.microphone });
			const joined = await client.connect(await t.token(tenant, sessionId, 'participant', 'client-7'));
			expect(joined.peers).toEqual([{ participantId: 'begeleider-1', role: 'host' }]);
			await client.publish({ camera: clientMedia.camera, microphone: clientMedia.microphone });

			await waitFor(
				() =>
					(atClient.of('begeleider-1', 'camera')?.videoFrames ?? 0) > 20 &&
					(atHost.of('client-7', 'camera')?.videoFrames ?? 0) > 20 &&
					(atClient.of('begeleider-1', 'microphone')?.audioChunks ?? 0) > 50 &&
					(atHost.of('client-7', 'microphone')?.audioChunks ?? 0) > 50,
				60_000,
				'decoded video and audio at both ends',
			);
			const hostVideo = atClient.of('begeleider-1', 'camera')!;
			expect(hostVideo.width).toBeGreaterThan(0);
			expect(hostVideo.track.role).toBe('host');

			// Media keeps flowing: inbound RTP bytes grow at both ends, for video and audio (polled:
			// on a busy machine the stats may take a while to move).
			const before = await inboundBytes(host, client);
			let after = before;
			const keys = Object.keys(before) as (keyof typeof before)[];
			await waitFor(
				async () => {
					after = await inboundBytes(host, client);
					return keys.every((key) => after[key] > before[key]);
				},
				60_000,
				'inbound bytes to grow at both ends',
			).catch(() => undefined); // the expect below names what did not grow
			for (const key of keys) {
				expect(after[key], key).toBeGreaterThan(before[key]);
			}

			// Camera video arrives as simulcast: a 640×360 camera gets the two layers libwebrtc sends
			// for that size (320×180 and its full 640×360), and the server receives both.
			const session = t.host.engine.session(tenant.id, sessionId);
			const hostCam = (await session.producerStats('begeleider-1')).find((p) => p.source === 'camera')!;
			expect(hostCam.encodings).toBe(2);
			await waitFor(
				async () =>
					((await session.producerStats('begeleider-1')).find((p) => p.source === 'camera')?.layers ?? []).filter(
						(l) => l.packetCount > 0,
					).length === 2,
				30_000,
				'both camera layers at the server',
			);
			const hostMic = (await session.producerStats('begeleider-1')).find((p) => p.source === 'microphone')!;
			expect(hostMic.kind).toBe('audio');

			// The server sees both as live participants.
			const info = await t.api(tenant, 'GET', `/v1/sessions/${sessionId}`);
			expect(info.json.state).toBe('live');
			expect(info.json.participants.map((p: { participantId: string }) => p.participantId).sort()).toEqual([
				'begeleider-1',
				'client-7',
			]);

			// Muting the microphone pauses it for the receiver, unmuting resumes it.
			const paused = new Promise((r) => host.on('trackPaused', r));
			await client.mute('microphone');
			await paused;
			expect(host.remoteTracks.find((r) => r.source === 'microphone')?.paused).toBe(true);
			const resumed = new Promise((r) => host.on('trackResumed', r));
			await client.unmute('microphone');
			await resumed;

			// Leaving is seen by the other side, and their tracks end.
			const left = new Promise((r) => host.on('participantLeft', r));
			const ended = new Promise((r) => host.on('trackEnded', r));
			await client.leave();
			expect(await left).toEqual({ participantId: 'client-7', role: 'participant' });
			await ended;
		} finally {
			atHost.stop();
			atClient.stop();
			hostMedia.stop();
			clientMedia.stop();
			await host.leave();
			await client.leave();
		}
	});
});

async function inboundBytes(host: SessionClient, client: SessionClient) {
	const sum = async (c: SessionClient, kind: 'audio' | 'video') => {
		let bytes = 0;
		(await c.receiveStats())?.forEach((s: { type: string; kind?: string; mediaType?: string; bytesReceived?: number }) => {
			if (s.type === 'inbound-rtp' && (s.kind ?? s.mediaType) === kind) bytes += s.bytesReceived ?? 0;
		});
		return bytes;
	};
	return {
		hostVideoIn: await sum(host, 'video'),
		hostAudioIn: await sum(host, 'audio'),
		clientVideoIn: await sum(client, 'video'),
		clientAudioIn: await sum(client, 'audio'),
	};
}
