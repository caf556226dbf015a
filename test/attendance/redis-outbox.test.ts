import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RedisLedgerStore, type AttendanceEvent } from '@luwte/engine/attendance';
import { hostProcess, type HostProcess } from '../helpers/host-process.ts';
import { startTestHost, type TestHost } from '../helpers/host.ts';
import { startRedis, type TestRedis } from '../helpers/redis-server.ts';
import { waitFor } from '../helpers/wait.ts';
import { openSignal } from '../helpers/ws-client.ts';

// Issue 13, part 2: with the ledger in Redis, nothing a client was told happened is lost when
// Redis restarts (six SIGKILLs under 30 clients) or when the host is killed during an outage; the
// events wait in the host's local outbox (fsynced) and are retried with their own IDs. Billing
// answers `unavailable` within its deadline instead of hanging.

const CLIENTS = 30;
const RESTARTS = 6;

interface Confirmed {
	joins: Set<string>;
	leaves: Set<string>;
}

/** One join and leave of a fresh participant; records what the host confirmed. */
async function joinAndLeave(url: string, token: string, participantId: string, confirmed: Confirmed): Promise<void> {
	let s: Awaited<ReturnType<typeof openSignal>>;
	try {
		s = await openSignal(url);
	} catch {
		return;
	}
	try {
		const joined = await s.request('join', { token });
		if (!joined.ok) return;
		confirmed.joins.add(participantId);
		const left = await s.request('leave', {});
		if (left.ok) confirmed.leaves.add(participantId);
	} finally {
		s.close();
	}
}

/** The ledger as Redis holds it, read with a client of its own. */
async function ledgerEvents(url: string, tenantId: string): Promise<AttendanceEvent[]> {
	const store = await RedisLedgerStore.open({ url });
	try {
		const out: AttendanceEvent[] = [];
		for await (const e of store.replay({ tenantId })) out.push(e);
		return out;
	} finally {
		await store.close();
	}
}

function countBy(events: AttendanceEvent[], type: string): Map<string, number> {
	const n = new Map<string, number>();
	for (const e of events) if (e.type === type) n.set(String(e.participantId), (n.get(String(e.participantId)) ?? 0) + 1);
	return n;
}

function expectExactlyOnce(events: AttendanceEvent[], confirmed: Confirmed): void {
	const joins = countBy(events, 'participant.joined');
	const leaves = countBy(events, 'participant.left');
	const missingJoins = [...confirmed.joins].filter((p) => joins.get(p) !== 1);
	const missingLeaves = [...confirmed.leaves].filter((p) => leaves.get(p) !== 1);
	expect({ missingJoins, missingLeaves }).toEqual({ missingJoins: [], missingLeaves: [] });
	// No event ID is stored twice.
	expect(new Set(events.map((e) => e.id)).size).toBe(events.length);
}

describe('the Redis ledger through Redis restarts and a host crash', () => {
	let redis: TestRedis | undefined;
	let th: TestHost | undefined;
	let proc: HostProcess | undefined;
	afterAll(async () => {
		await th?.close();
		await proc?.stop('SIGKILL');
		await redis?.close();
	});

	it('keeps every confirmed join and leave exactly once through six Redis SIGKILLs under 30 clients', { timeout: 600_000 }, async () => {
		redis = await startRedis();
		th = await startTestHost({ redisUrl: redis.url });
		const { host } = th;
		const tenant = th.tenants[0]!;
		const sessionId = await th.createSession(tenant);
		// Tokens first: issuing one needs the session store, which lives in Redis too.
		const rounds = 12;
		const tokens: { participantId: string; token: string }[][] = [];
		for (let c = 0; c < CLIENTS; c++) {
			tokens.push([]);
			for (let r = 0; r < rounds; r++) {
				const participantId = `c${c}-r${r}`;
				tokens[c]!.push({ participantId, token: await th.token(tenant, sessionId, 'participant', participantId) });
			}
		}
		// What the outbox's attempts failed with, for the log line below. Here a restart shows as
		// offline or reset connections; LOADING (a Redis still reading a large AOF) is covered in
		// outbox.test.ts.
		const errors = new Set<string>();
		const watch = setInterval(() => {
			const e = host.ledger.outbox?.lastError;
			if (e) errors.add(e.replace(/^.*?: (Error: )?/, '').slice(0, 40));
		}, 20);
		const confirmed: Confirmed = { joins: new Set(), leaves: new Set() };
		let finished = 0;
		const clients = tokens.map(async (mine) => {
			for (const t of mine) await joinAndLeave(host.url, t.token, t.participantId, confirmed);
			finished++;
		});

		let billingDuringOutage: { status: number; ms: number; code: unknown } | undefined;
		for (let i = 0; i < RESTARTS; i++) {
			const before = confirmed.joins.size;
			// Some joins and leaves between restarts, so writes are in flight when Redis dies.
			await waitFor(() => confirmed.joins.size >= before + 10 || finished === CLIENTS, 120_000, `joins before restart ${i + 1}`);
			await redis.kill('SIGKILL');
			if (i === 2) {
				const t0 = Date.now();
				const r = await th.api(tenant, 'GET', '/v1/billing?from=2024-03&to=2024-03');
				billingDuringOutage = { status: r.status, ms: Date.now() - t0, code: r.json.error?.code };
			}
			await redis.start();
		}
		await Promise.all(clients);
		clearInterval(watch);

		// Everything the outbox holds reaches Redis once Redis stays up.
		await waitFor(() => host.ledger.outboxDepth === 0, 120_000, 'the outbox to drain');
		const events = await ledgerEvents(redis.url, tenant.id);
		expect(confirmed.joins.size).toBeGreaterThanOrEqual(RESTARTS * 10);
		expectExactlyOnce(events, confirmed);
		// The outbox retried: the writer itself reported no lost event.
		expect(host.ledger.appendLatency.failed).toBe(0);
		expect(host.ledger.outbox?.failedAttempts).toBeGreaterThan(0);
		expect(billingDuringOutage).toMatchObject({ status: 503, code: 'unavailable' });
		expect(billingDuringOutage!.ms).toBeLessThan(15_000);
		console.info(
			`redis-outbox: errors seen ${JSON.stringify([...errors])}; ${confirmed.joins.size} confirmed joins, ${confirmed.leaves.size} leaves, ${events.length} events; outbox ${JSON.stringify(host.ledger.outbox)}; append ${JSON.stringify(host.ledger.appendLatency)}`,
		);
	});

	it('answers billing with unavailable (503) within the deadline while Redis hangs', { timeout: 120_000 }, async () => {
		const r0 = redis!;
		const tenant = th!.tenants[0]!;
		expect((await th!.api(tenant, 'GET', '/v1/billing?from=2024-03&to=2024-03')).status).toBe(200);
		// A stopped Redis keeps its connections open and answers nothing: only the deadline helps.
		process.kill(r0.pid, 'SIGSTOP');
		try {
			const t0 = Date.now();
			const r = await th!.api(tenant, 'GET', '/v1/billing?from=2024-03&to=2024-03');
			const ms = Date.now() - t0;
			expect(r).toMatchObject({ status: 503, json: { error: { code: 'unavailable' } } });
			expect(r.json.error.message).toMatch(/did not answer within 10 s/);
			expect(ms).toBeGreaterThanOrEqual(9_000);
			expect(ms).toBeLessThan(20_000);
		} finally {
			process.kill(r0.pid, 'SIGCONT');
		}
		await waitFor(
			async () => (await th!.api(tenant, 'GET', '/v1/billing?from=2024-03&to=2024-03')).status === 200,
			60_000,
			'billing to answer again',
		);
	});

	it('loses nothing confirmed when the host is killed during a Redis outage', { timeout: 300_000 }, async () => {
		redis ??= await startRedis();
		const r0 = redis;
		await th?.close();
		th = undefined;
		proc = await hostProcess({ redisUrl: r0.url });
		const h = proc;
		const session = await h.api('POST', '/v1/sessions', { title: 'Samen koken' });
		expect(session.status).toBe(201);
		const tokens: { participantId: string; token: string }[] = [];
		for (let i = 0; i < 20; i++) {
			const participantId = `client-k${i}`;
			const r = await h.api('POST', `/v1/sessions/${session.json.id}/tokens`, { role: 'participant', participantId });
			expect(r.status).toBe(201);
			tokens.push({ participantId, token: r.json.token });
		}
		await r0.kill('SIGKILL');
		const confirmed: Confirmed = { joins: new Set(), leaves: new Set() };
		await Promise.all(tokens.map((t) => joinAndLeave(h.url, t.token, t.participantId, confirmed)));
		// Joins go on without Redis: the events wait in the outbox.
		expect(confirmed.joins.size).toBe(tokens.length);
		expect(confirmed.leaves.size).toBe(tokens.length);
		expect(await h.stop('SIGKILL')).toBe(null);

		await r0.start();
		await h.start();
		await waitFor(
			async () => {
				const events = await ledgerEvents(r0.url, h.tenant.id);
				const joins = countBy(events, 'participant.joined');
				const leaves = countBy(events, 'participant.left');
				return tokens.every((t) => joins.has(t.participantId) && leaves.has(t.participantId));
			},
			120_000,
			'the outbox to drain into Redis after the restart',
		).catch(async (err) => {
			const outbox = readFileSync(join(h.dataDir, 'attendance', 'outbox.jsonl'), 'utf8');
			const evs = await ledgerEvents(r0.url, h.tenant.id);
			throw new Error(
				`${String(err)}\nledger: ${evs.map((e) => e.type).join(',')}\noutbox:\n${outbox
					.split('\n')
					.map((l) => l.slice(0, 160))
					.join('\n')
					.slice(-6000)}\nhost output:\n${h.output()}`,
			);
		});
		expectExactlyOnce(await ledgerEvents(r0.url, h.tenant.id), confirmed);
	});
});
