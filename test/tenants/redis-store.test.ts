import { RedisTenantStore, TenantDirectory } from '@luwte/engine/auth';
import { createClient } from 'redis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startRedis, type TestRedis } from '../helpers/redis-server.ts';
import { waitFor } from '../helpers/wait.ts';
import { tenantInput, tenantStoreSuite } from './store-suite.ts';

// The shared store against a real redis-server with AOF fsync on every write.
let redis: TestRedis;
let n = 0;
beforeAll(async () => {
	redis = await startRedis();
});
afterAll(() => redis?.close());

tenantStoreSuite('Redis', {
	async fresh() {
		// A key per test: an empty store on the same server.
		const key = `luwte:tenants-test${++n}`;
		return {
			open: () => RedisTenantStore.open({ url: redis.url, key }),
			breakWrites: () => redis.kill('SIGKILL'),
			repair: () => redis.start(),
		};
	},
});

it('keeps each tenant as JSON in one hash', async () => {
	const store = await RedisTenantStore.open({ url: redis.url, key: 'luwte:shape' });
	const a = await store.add(tenantInput('zorg-a'));
	await store.close();
	const client = createClient({ url: redis.url });
	await client.connect();
	try {
		expect(await client.hKeys('luwte:shape')).toEqual(['zorg-a']);
		expect(JSON.parse((await client.hGet('luwte:shape', 'zorg-a'))!)).toEqual(a);
	} finally {
		await client.close();
	}
});

it("brings one host's changes to another's registry, and loses neither of two keys added at once", async () => {
	const key = 'luwte:two-hosts';
	const one = await TenantDirectory.open(await RedisTenantStore.open({ url: redis.url, key }));
	const two = await TenantDirectory.open(await RedisTenantStore.open({ url: redis.url, key }));
	try {
		await one.add(tenantInput('zorg-a'));
		await waitFor(() => two.registry.get('zorg-a') !== undefined, 30_000, 'the new tenant on the second host');
		await two.update('zorg-a', () => ({ name: 'Zorg A-Oost', lifecycle: { joinLeadSeconds: 600 } }));
		await waitFor(() => one.registry.get('zorg-a')?.name === 'Zorg A-Oost', 30_000, 'the change on the first host');
		expect(one.registry.get('zorg-a')!.lifecycle).toEqual({ joinLeadSeconds: 600 });

		const [k1, k2] = ['a'.repeat(64), 'b'.repeat(64)];
		await Promise.all([
			one.update('zorg-a', (t) => ({ apiKeyHashes: [...t.apiKeyHashes, k1] })),
			two.update('zorg-a', (t) => ({ apiKeyHashes: [...t.apiKeyHashes, k2] })),
		]);
		for (const host of [one, two]) {
			await waitFor(() => host.registry.get('zorg-a')!.apiKeyHashes.length === 3, 30_000, 'both new keys on each host');
			expect(host.registry.get('zorg-a')!.apiKeyHashes).toEqual(expect.arrayContaining([k1, k2]));
		}
	} finally {
		await one.close();
		await two.close();
	}
});

it('refuses a Redis that would acknowledge before fsync', async () => {
	const client = createClient({ url: redis.url });
	await client.connect();
	try {
		await client.configSet('appendfsync', 'everysec');
		await expect(RedisTenantStore.open({ url: redis.url })).rejects.toMatchObject({
			code: 'invalid_config',
			message: expect.stringContaining('appendfsync everysec'),
		});
		const trusting = await RedisTenantStore.open({ url: redis.url, checkPersistence: false });
		await trusting.close();
	} finally {
		await client.configSet('appendfsync', 'always');
		await client.close();
	}
});
