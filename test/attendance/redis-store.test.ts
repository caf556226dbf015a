import { RedisLedgerStore } from '@luwte/engine/attendance';
import { createClient } from 'redis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startRedis, type TestRedis } from '../helpers/redis-server.ts';
import { storeSuite } from './store-suite.ts';

// The Redis Streams store against a real redis-server with AOF fsync on every write.
let redis: TestRedis;
let n = 0;
beforeAll(async () => {
	redis = await startRedis();
});
afterAll(() => redis?.close());

storeSuite('Redis Streams', {
	async fresh() {
		// A key prefix per test: an empty ledger on the same server.
		const prefix = `luwte:test${++n}`;
		return { open: () => RedisLedgerStore.open({ url: redis.url, prefix }) };
	},
});

it('keeps one stream per tenant with the event as fields', async () => {
	const store = await RedisLedgerStore.open({ url: redis.url, prefix: 'luwte:shape' });
	await store.append({
		id: 'e1',
		at: 1000,
		tenantId: 'zorg-a',
		type: 'participant.heartbeat',
		sessionId: 's_1',
		participantId: 'client-1',
		connectionId: 'c1',
	});
	await store.close();
	const client = createClient({ url: redis.url });
	await client.connect();
	try {
		const entries = await client.xRange('luwte:shape:zorg-a', '-', '+');
		expect(entries).toHaveLength(1);
		expect(entries[0]!.message).toMatchObject({ id: 'e1', type: 'participant.heartbeat', at: '1000', participantId: 'client-1' });
		expect(JSON.parse(entries[0]!.message.event!)).toMatchObject({ id: 'e1', tenantId: 'zorg-a', connectionId: 'c1' });
	} finally {
		await client.close();
	}
});

it('refuses a Redis that would acknowledge before fsync', async () => {
	const client = createClient({ url: redis.url });
	await client.connect();
	try {
		await client.configSet('appendfsync', 'everysec');
		await expect(RedisLedgerStore.open({ url: redis.url })).rejects.toMatchObject({
			code: 'invalid_config',
			message: expect.stringContaining('appendfsync everysec'),
		});
		const trusting = await RedisLedgerStore.open({ url: redis.url, checkPersistence: false });
		await trusting.close();
	} finally {
		await client.configSet('appendfsync', 'always');
		await client.close();
	}
});
