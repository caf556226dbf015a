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

	it('drives a calm participant\'s simulcast consumer from the controller', async () => {
		const tenant = t.tenants[0]!;
		const sessionId = await t.createSession(tenant, { title: 'Ontspanning' });
		const token = async (role: string, participantId: string, stimulusProfile: string) =>
			(await t.api(tenant, 'POST', `/v1/sessions/${sessionId}/tokens`, { role, participantId, stimulusProfile })).json.token as string;
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
			await waitFor(() => session.abrStatus().some((s) => s.receiver === 'client-60' && s.decisions >= 3), 15_000, 'controller decisions');
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
});
