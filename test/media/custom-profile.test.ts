import { SessionClient } from '@luwte/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHost, testOperatorKey, type TestHost } from '../helpers/host.ts';
import { waitFor } from '../helpers/wait.ts';
import { fakeMedia, watchRemoteMedia, webrtc } from '../helpers/wrtc-media.ts';

// A tenant-defined profile reaches the engine: a participant joined with it has its consumers
// driven by that profile, on real mediasoup with a real libwebrtc client.
describe('a custom stimulus profile in a live session', () => {
	let t: TestHost;
	beforeAll(async () => {
		t = await startTestHost();
	});
	afterAll(() => t?.close());

	it("drives a participant's consumer with the tenant's profile, within its cap", async () => {
		const tenant = t.tenants[0]!;
		// Quick to climb (no hold, no interval), so only the cap keeps it off full resolution.
		const profile = {
			id: 'rustig-laag',
			base: 'standard',
			maxSpatialLayer: 1,
			upHoldMs: 0,
			minSwitchIntervalMs: 0,
			sustainWindowMs: 0,
		};
		const set = await fetch(`${t.host.url}/v1/tenants/${tenant.id}`, {
			method: 'POST',
			headers: { authorization: `Bearer ${testOperatorKey}`, 'content-type': 'application/json' },
			body: JSON.stringify({ stimulusProfiles: [profile] }),
		});
		expect(set.status).toBe(200);
		const sessionId = await t.createSession(tenant, { title: 'Muziek' });
		const token = async (role: string, participantId: string, stimulusProfile: string) => {
			const r = await t.api(tenant, 'POST', `/v1/sessions/${sessionId}/tokens`, { role, participantId, stimulusProfile });
			expect(r.status).toBe(201);
			expect(r.json.stimulusProfile).toBe(stimulusProfile);
			return r.json.token as string;
		};
		const host = new SessionClient({ server: t.host.url, webrtc });
		const client = new SessionClient({ server: t.host.url, webrtc });
		const media = fakeMedia(1280, 720, 15);
		const seen = watchRemoteMedia(client);
		try {
			await host.connect(await token('host', 'begeleider-4', 'standard'));
			await host.publish({ camera: media.camera, microphone: media.microphone });
			await client.connect(await token('participant', 'client-41', 'rustig-laag'));
			const session = t.host.engine.session(tenant.id, sessionId);
			await waitFor(() => (seen.of('begeleider-4', 'camera')?.videoFrames ?? 0) > 30, 60_000, 'video at the client');
			await waitFor(
				() => session.abrStatus().some((s) => s.receiver === 'client-41' && s.decisions >= 3),
				45_000,
				'controller decisions',
			);
			const status = session.abrStatus().find((s) => s.receiver === 'client-41')!;
			expect(status.profile).toBe('rustig-laag');
			expect(status.preferred.spatial).toBeLessThanOrEqual(1);
			expect(status.serverPreferred).toEqual(status.preferred);
			expect(seen.of('begeleider-4', 'camera')!.width).toBeLessThanOrEqual(640);
		} finally {
			seen.stop();
			media.stop();
			await client.leave();
			await host.leave();
		}
	}, 180_000);
});
