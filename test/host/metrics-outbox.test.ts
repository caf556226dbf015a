import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHost, testOperatorKey, type TestHost } from '../helpers/host.ts';
import { scrapeMetrics, value } from '../helpers/prometheus.ts';
import { startRedis, type TestRedis } from '../helpers/redis-server.ts';
import { waitFor } from '../helpers/wait.ts';
import { openSignal } from '../helpers/ws-client.ts';

// What an operator sees of the ledger while Redis is away: the outbox fills and ages, failed
// attempts count up, and once Redis is back everything drains to zero.
describe('/metrics: the ledger outbox through a Redis outage (real host, real redis-server)', () => {
	let redis: TestRedis;
	let t: TestHost;
	let redisDown = false;
	beforeAll(async () => {
		redis = await startRedis();
		t = await startTestHost({ redisUrl: redis.url });
	});
	afterAll(async () => {
		// A failed run may leave Redis down: the host's close would wait for it.
		if (redisDown) await redis.start();
		await t?.close();
		await redis?.close();
	});

	it('shows the outbox depth, its lag and the failed attempts, and the drain after Redis returns', async () => {
		const scrape = () => scrapeMetrics(t.host.url, testOperatorKey);
		const tenant = t.tenants[0]!;
		const sessionId = await t.createSession(tenant, { title: 'Muziek luisteren' });
		// Both tokens now: sessions live in Redis too, and a token is stored before it is answered.
		const secondToken = await t.token(tenant, sessionId, 'participant', 'client-7');
		const first = await openSignal(t.host.url);
		expect((await first.request('join', { token: await t.token(tenant, sessionId, 'host', 'begeleider-1') })).ok).toBe(true);
		await waitFor(async () => value(await scrape(), 'luwte_ledger_outbox_depth') === 0, 60_000, 'the outbox empty with Redis up');

		await redis.kill('SIGKILL');
		redisDown = true;
		const second = await openSignal(t.host.url);
		expect((await second.request('join', { token: secondToken })).ok).toBe(true);
		await waitFor(
			async () => {
				const s = await scrape();
				return (
					value(s, 'luwte_ledger_outbox_depth')! >= 1 &&
					value(s, 'luwte_ledger_outbox_oldest_age_seconds')! > 0 &&
					value(s, 'luwte_ledger_outbox_failed_attempts_total')! >= 1
				);
			},
			60_000,
			'the join waiting in the outbox while Redis is down',
		);

		await redis.start();
		redisDown = false;
		await waitFor(async () => value(await scrape(), 'luwte_ledger_outbox_depth') === 0, 60_000, 'the outbox drained into Redis');
		const after = await scrape();
		expect(value(after, 'luwte_ledger_outbox_oldest_age_seconds')).toBe(0);
		expect(value(after, 'luwte_ledger_outbox_refused_total')).toBe(0);
		first.close();
		second.close();
	});
});
