import { RedisWebhookEndpointStore, newWebhookSecret, type WebhookEndpoint } from '@luwte/engine/webhooks';
import { AdminClient } from '@luwte/sdk/admin';
import { afterAll, describe, expect, it } from 'vitest';
import { startTestHost, type TestHost } from '../helpers/host.ts';
import { startRedis, type TestRedis } from '../helpers/redis-server.ts';
import { waitFor } from '../helpers/wait.ts';

// With --redis-url the hosts of a cluster share their webhook endpoints: one registered through
// host A is in Redis, and host B (its own cache, read again every refreshMs) delivers to it.

describe('webhook endpoints in Redis', () => {
	let redis: TestRedis | undefined;
	let a: TestHost | undefined;
	let b: TestHost | undefined;
	const stores: RedisWebhookEndpointStore[] = [];
	afterAll(async () => {
		for (const s of stores) await s.close();
		await b?.close();
		await a?.close();
		await redis?.close();
	});

	it('are shared: a change on one store shows on the other within its refresh; updates compare and set', async () => {
		redis = await startRedis();
		const one = await RedisWebhookEndpointStore.open({ url: redis.url, key: 'test:hooks', refreshMs: 100 });
		const two = await RedisWebhookEndpointStore.open({ url: redis.url, key: 'test:hooks', refreshMs: 100 });
		stores.push(one, two);
		const now = Date.now();
		const e: WebhookEndpoint = {
			id: 'whk_00000000000000aa',
			tenantId: 't',
			url: 'https://receiver.example/hook',
			events: ['session.started'],
			enabled: true,
			secret: newWebhookSecret(),
			createdAt: now,
			updatedAt: now,
		};
		await one.add(e);
		await expect(two.add(e)).rejects.toMatchObject({ code: 'conflict' });
		await waitFor(() => two.find(e.id) !== undefined, 10_000, 'the other store to see it');
		// Both change it at once: neither change is lost.
		await Promise.all([
			one.update('t', e.id, () => ({ enabled: false })),
			two.update('t', e.id, () => ({ events: ['session.ended'] })),
		]);
		await one.refresh();
		expect(one.get('t', e.id)).toMatchObject({ enabled: false, events: ['session.ended'] });
		expect(() => one.get('other-tenant', e.id)).toThrow(/not found/);
		await two.remove('t', e.id);
		await waitFor(() => one.find(e.id) === undefined, 10_000, 'the removal to show');
	});

	it('an endpoint registered on host A is used by host B', { timeout: 120_000 }, async () => {
		redis ??= await startRedis();
		a = await startTestHost({ redisUrl: redis.url, cluster: false });
		b = await startTestHost({ redisUrl: redis.url, cluster: false, tenantsOf: a });
		const tenant = a.tenants[0]!;
		const viaA = new AdminClient({ server: a.host.url, apiKey: tenant.apiKey });
		const viaB = new AdminClient({ server: b.host.url, apiKey: tenant.apiKey });
		const made = await viaA.createWebhook({ url: 'http://127.0.0.1:9/hook', events: ['session.scheduled'] });
		await waitFor(
			async () => (await viaB.listWebhooks()).endpoints.some((x) => x.id === made.endpoint.id),
			10_000,
			'host B to list it',
		);
		// An event on host B is queued for it (nothing listens on port 9: it stays pending, retried).
		await viaB.createSession({ title: 'Samen zingen' });
		await waitFor(
			async () => (await viaB.listWebhookDeliveries(made.endpoint.id)).deliveries.some((d) => d.type === 'session.scheduled'),
			10_000,
			'a delivery on host B',
		);
		expect((await viaA.listWebhookDeliveries(made.endpoint.id)).deliveries).toEqual([]);
		await viaB.deleteWebhook(made.endpoint.id);
		await expect(viaA.deleteWebhook(made.endpoint.id)).rejects.toMatchObject({ status: 404 });
	});
});
