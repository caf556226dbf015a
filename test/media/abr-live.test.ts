import { SessionClient } from '@luwte/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHost, type TestHost } from '../helpers/host.ts';
import { waitFor } from '../helpers/wait.ts';
import { fakeMedia, watchRemoteMedia, webrtc } from '../helpers/wrtc-media.ts';

// A participant joined with the calm profile gets its layers from the calm controller, on real
// mediasoup with real libwebrtc clients: it starts on the middle layer and stays there while
// the controller's hold runs, whatever the network would allow.
describe('calm layers in a live session', () => {
	let t: TestHost;
	beforeAll(async () => {
		t = await startTestHost();
	});
	afterAll(() => t?.close());

	it("drives a calm participant's simulcast consumer from the controller", async () => {
		const tenant = t.tenants[0]!;
		const sessionId = await t.createSession(tenant, { title: 'Ontspanning' });
		const token = (role: string, participantId: string, stimulusProfile: string) =>
			t.token(tenant, sessionId, role, participantId, stimulusProfile);
		const host = new SessionClient({ server: t.host.url, webrtc });
		const calm = new SessionClient({ server: t.host.url, webrtc });
		const media = fakeMedia(1280, 720, 15);
		const atCalm = watchRemoteMedia(calm);
		try {
			await host.connect(await token('host', 'begeleider-9', 'standard'));
			await host.publish({ camera: media.camera, microphone: media.microphone });
			await calm.connect(await token('participant', 'client-60', 'calm'));
			const session = t.host.engine.session(tenant.id, sessionId);
			await waitFor(() => (atCalm.of('begeleider-9', 'camera')?.videoFrames ?? 0) > 30, 30_000, 'video at the calm client');
			await waitFor(
				() => session.abrStatus().some((s) => s.receiver === 'client-60' && s.decisions >= 3),
				30_000,
				'controller decisions',
			);
			const status = session.abrStatus().find((s) => s.receiver === 'client-60')!;
			expect(status.profile).toBe('calm');
			// The controller's choice is what mediasoup was told: half resolution during the hold.
			expect(status.preferred.spatial).toBeLessThanOrEqual(1);
			expect(status.serverPreferred).toEqual(status.preferred);
			// And what the client decodes is that layer, not the 720p the host sends.
			const frame = atCalm.of('begeleider-9', 'camera')!;
			expect(frame.width).toBeGreaterThan(0);
			expect(frame.width).toBeLessThanOrEqual(640);
		} finally {
			atCalm.stop();
			media.stop();
			await calm.leave();
			await host.leave();
		}
	});

	it("starts a newcomer's camera for a receiver already in the session from its known estimate", async () => {
		const tenant = t.tenants[0]!;
		const sessionId = await t.createSession(tenant, { title: 'Samen koken' });
		const token = (role: string, participantId: string, stimulusProfile: string) =>
			t.token(tenant, sessionId, role, participantId, stimulusProfile);
		const first = new SessionClient({ server: t.host.url, webrtc });
		const second = new SessionClient({ server: t.host.url, webrtc });
		const calm = new SessionClient({ server: t.host.url, webrtc });
		const media1 = fakeMedia(1280, 720, 15);
		const media2 = fakeMedia(1280, 720, 15);
		const atCalm = watchRemoteMedia(calm);
		try {
			await first.connect(await token('host', 'begeleider-1', 'standard'));
			await first.publish({ camera: media1.camera, microphone: media1.microphone });
			await calm.connect(await token('participant', 'client-61', 'calm'));
			const session = t.host.engine.session(tenant.id, sessionId);
			const of = (sender: string) => session.abrStatus().find((s) => s.receiver === 'client-61' && s.sender === sender);
			// The first camera reaches a brand-new transport: nothing is known yet, a cold start.
			await waitFor(
				() => (of('begeleider-1')?.decisions ?? 0) >= 7,
				30_000,
				"the driver has read the receiver's estimate for a while",
			);
			expect(of('begeleider-1')!.startedFromKbps).toBeUndefined();
			// A second leader's camera arrives later: it starts from what the transport is known to carry.
			await second.connect(await token('host', 'begeleider-2', 'standard'));
			await second.publish({ camera: media2.camera, microphone: media2.microphone });
			await waitFor(() => of('begeleider-2') !== undefined, 30_000, 'the second camera at the calm client');
			const warm = of('begeleider-2')!;
			expect(warm.startedFromKbps).toBeGreaterThan(0);
			// Its start layer is the best the announced ladder (150/500/1200 kbit/s, temporal 40/60/100 %)
			// allows within calm's start headroom of that share, or the lowest when nothing fits.
			const ladder = [150, 500, 1200].map((k) => [k * 0.4, k * 0.6, k]);
			const budget = warm.startedFromKbps! * 0.5;
			const fits = ladder.flatMap((row, s) => row.map((k, tl) => ({ s, tl, k }))).filter((l) => l.k <= budget);
			const best = fits.sort((a, b) => b.s - a.s || b.tl - a.tl)[0] ?? { s: 0, tl: 0 };
			expect(warm.startLayer).toEqual({ spatial: best.s, temporal: best.tl });
			// The first consumer started cold, on calm's start layer (half resolution, full frame rate).
			expect(of('begeleider-1')!.startLayer).toEqual({ spatial: 1, temporal: 2 });
			await waitFor(
				() => (atCalm.of('begeleider-2', 'camera')?.videoFrames ?? 0) > 10,
				30_000,
				'video of the second camera at the calm client',
			);
		} finally {
			atCalm.stop();
			media1.stop();
			media2.stop();
			await calm.leave();
			await second.leave();
			await first.leave();
		}
	});
	it("gives the leader's camera (the stage) twice the share of another client's camera", async () => {
		const tenant = t.tenants[0]!;
		const sessionId = await t.createSession(tenant, { title: 'Muziek maken' });
		const token = (role: string, participantId: string, stimulusProfile: string) =>
			t.token(tenant, sessionId, role, participantId, stimulusProfile);
		const host = new SessionClient({ server: t.host.url, webrtc });
		const other = new SessionClient({ server: t.host.url, webrtc });
		const calm = new SessionClient({ server: t.host.url, webrtc });
		const media1 = fakeMedia(1280, 720, 15);
		const media2 = fakeMedia(1280, 720, 15);
		try {
			await host.connect(await token('host', 'begeleider-3', 'standard'));
			await host.publish({ camera: media1.camera });
			await other.connect(await token('participant', 'client-62', 'standard'));
			await other.publish({ camera: media2.camera });
			await calm.connect(await token('participant', 'client-63', 'calm'));
			const session = t.host.engine.session(tenant.id, sessionId);
			const of = (sender: string) => session.abrStatus().find((s) => s.receiver === 'client-63' && s.sender === sender);
			await waitFor(
				() => (of('begeleider-3')?.decisions ?? 0) >= 3 && (of('client-62')?.decisions ?? 0) >= 3,
				30_000,
				'both cameras driven at the calm client',
			);
			expect(of('begeleider-3')!.priority).toBe(2);
			expect(of('client-62')!.priority).toBe(1);
			// Both shares come from the same estimate in the same round: the stage gets two thirds.
			await waitFor(
				() => {
					const stage = of('begeleider-3')!.lastObservation!;
					const tile = of('client-62')!.lastObservation!;
					return stage.now === tile.now && Math.abs(stage.estimateKbps / tile.estimateKbps - 2) < 1e-9;
				},
				30_000,
				"the stage's share twice the tile's in one round",
			);
		} finally {
			media1.stop();
			media2.stop();
			await calm.leave();
			await other.leave();
			await host.leave();
		}
	});
});
