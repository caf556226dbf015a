import { freePortRange } from '../helpers/ports.ts';
import { RedisSessionStore } from '@luwte/engine/session';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, type TestRedis } from '../helpers/redis-server.ts';
import { record, sessionStoreSuite, T0 } from './store-suite.ts';

// Against a real redis-server with the AOF fsync'd on every write.
let redis: TestRedis;
let n = 0;
beforeAll(async () => {
	redis = await startRedis();
});
afterAll(() => redis?.close());

sessionStoreSuite('Redis', {
	async fresh() {
		// A key prefix per test: an empty store on the same server; a reopen is a new store object (another host).
		const prefix = `luwte:test${++n}`;
		return { open: () => RedisSessionStore.open({ url: redis.url, prefix }) };
	},
});

describe('session store: Redis, the server', () => {
	it('keeps every acknowledged write through a SIGKILL of redis-server', async () => {
		let store = await RedisSessionStore.open({ url: redis.url, prefix: 'luwte:crash' });
		const records = Array.from({ length: 200 }, (_, i) => record(`s_${i}`, { startsAt: T0 + i * 1000, revision: 1 }));
		await Promise.all(records.map((r) => store.put(r)));
		await store.close();
		await redis.kill('SIGKILL');
		await redis.start();
		store = await RedisSessionStore.open({ url: redis.url, prefix: 'luwte:crash' });
		try {
			const page = await store.list('zorg-a', { limit: 500 });
			expect(page.sessions).toEqual(records);
			expect(await store.countCreatedSince('zorg-a', 0)).toBe(200);
			expect(await store.active()).toHaveLength(200);
		} finally {
			await store.close();
		}
	});

	it('refuses a Redis that would acknowledge before fsync', async () => {
		const client = createClient({ url: redis.url });
		await client.connect();
		try {
			await client.configSet('appendfsync', 'everysec');
			await expect(RedisSessionStore.open({ url: redis.url })).rejects.toMatchObject({
				code: 'invalid_config',
				message: expect.stringContaining('appendfsync everysec'),
			});
			const trusting = await RedisSessionStore.open({ url: redis.url, checkPersistence: false });
			await trusting.close();
		} finally {
			await client.configSet('appendfsync', 'always');
			await client.close();
		}
	});

	it('fails with unavailable, naming the address but not the password, when no Redis answers', async () => {
		const free = (await freePortRange(1)).min;
		const opening = RedisSessionStore.open({ url: `redis://:geheim@127.0.0.1:${free}` });
		const err = await opening.then(
			() => undefined,
			(e: unknown) => e,
		);
		expect(err).toMatchObject({ code: 'unavailable', message: expect.stringContaining(`127.0.0.1:${free}`) });
		expect(String((err as Error).message)).not.toContain('geheim');
	}, 60_000);
});
