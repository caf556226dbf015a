import { SessionClient } from '@luwte/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHost, testOperatorKey, type TestHost } from '../helpers/host.ts';
import { scrapeMetrics, value } from '../helpers/prometheus.ts';
import { fakeMedia, waitFor, watchRemoteMedia, webrtc } from '../helpers/wrtc-media.ts';

// The media series while two real clients send each other video and audio: what an operator
// watching a busy host would look at (consumers, traffic, loss, CPU per worker).
describe('/metrics with media flowing', () => {
	let t: TestHost;
	beforeAll(async () => {
		t = await startTestHost();
	});
	afterAll(() => t?.close());

	it('counts the consumers and the bytes through the worker, and reads its loss and CPU', async () => {
		const tenant = t.tenants[0]!;
		const sessionId = await t.createSession(tenant, { title: 'Samen koken' });
		const host = new SessionClient({ server: t.host.url, webrtc });
		const client = new SessionClient({ server: t.host.url, webrtc });
		const hostMedia = fakeMedia();
		const clientMedia = fakeMedia();
		const atClient = watchRemoteMedia(client);
		const atHost = watchRemoteMedia(host);
		const scrape = () => scrapeMetrics(t.host.url, testOperatorKey);
		try {
			await host.connect(await t.token(tenant, sessionId, 'host', 'begeleider-1'));
			await host.publish({ camera: hostMedia.camera, microphone: hostMedia.microphone });
			await client.connect(await t.token(tenant, sessionId, 'participant', 'client-7'));
			await client.publish({ camera: clientMedia.camera, microphone: clientMedia.microphone });
			await waitFor(
				() =>
					(atClient.of('begeleider-1', 'camera')?.videoFrames ?? 0) > 20 &&
					(atHost.of('client-7', 'camera')?.videoFrames ?? 0) > 20,
				60_000,
				'decoded video at both ends',
			);

			const first = await scrape();
			expect(value(first, 'luwte_participants', { role: 'host' })).toBe(1);
			expect(value(first, 'luwte_participants', { role: 'participant' })).toBe(1);
			// Each receives the other's camera and microphone: four consumers, on two transports each.
			expect(value(first, 'luwte_worker_consumers', { worker: '0' })).toBe(4);
			expect(value(first, 'luwte_worker_transports', { worker: '0' })).toBe(4);
			expect(value(first, 'luwte_worker_transports_sampled', { worker: '0' })).toBe(4);
			const bytesIn = value(first, 'luwte_worker_bytes_total', { worker: '0', direction: 'in' })!;
			const bytesOut = value(first, 'luwte_worker_bytes_total', { worker: '0', direction: 'out' })!;
			expect(bytesIn).toBeGreaterThan(10_000);
			expect(bytesOut).toBeGreaterThan(10_000);
			// Loopback loses nothing to speak of.
			expect(value(first, 'luwte_worker_packet_loss_ratio', { worker: '0', direction: 'in' })).toBeLessThan(0.05);
			expect(value(first, 'luwte_worker_cpu_seconds_total', { worker: '0', mode: 'user' })).toBeGreaterThan(0);
			expect(value(first, 'luwte_abr_layer_switches_total', { kind: 'spatial' })).toBeGreaterThanOrEqual(0);

			// The counters grow as media keeps flowing.
			await waitFor(
				async () => {
					const later = await scrape();
					return (
						value(later, 'luwte_worker_bytes_total', { worker: '0', direction: 'in' })! > bytesIn &&
						value(later, 'luwte_worker_bytes_total', { worker: '0', direction: 'out' })! > bytesOut
					);
				},
				30_000,
				'the worker byte counters to grow',
			);

			await client.leave();
			await waitFor(
				async () => value(await scrape(), 'luwte_worker_consumers', { worker: '0' }) === 0,
				30_000,
				'the consumers to close after the participant left',
			);
		} finally {
			atHost.stop();
			atClient.stop();
			hostMedia.stop();
			clientMedia.stop();
			await host.leave().catch(() => undefined);
			await client.leave().catch(() => undefined);
		}
	});
});
