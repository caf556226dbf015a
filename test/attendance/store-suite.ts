import type { AttendanceEvent, AttendanceEventInput, LedgerStore, ReplayFilter } from '@luwte/engine/attendance';
import { afterEach, describe, expect, it } from 'vitest';

/** One empty ledger per test; `open` may be called again after `close` (a restart of the host). */
export interface StoreHarness {
	fresh(): Promise<{ open(): Promise<LedgerStore> }>;
}

const T0 = Date.UTC(2024, 2, 4, 9, 0, 0);

function joined(id: string, participantId: string, at: number, tenantId = 'zorg-a', sessionId = 's_1'): AttendanceEventInput {
	return {
		id,
		at,
		tenantId,
		type: 'participant.joined',
		sessionId,
		participantId,
		role: 'participant',
		connectionId: `c-${id}`,
		module: 'communicatie',
	};
}
function heartbeat(id: string, participantId: string, at: number, tenantId = 'zorg-a'): AttendanceEventInput {
	return { id, at, tenantId, type: 'participant.heartbeat', sessionId: 's_1', participantId, connectionId: `c-${participantId}` };
}

async function all(store: LedgerStore, filter?: ReplayFilter): Promise<AttendanceEvent[]> {
	const out: AttendanceEvent[] = [];
	for await (const e of store.replay(filter)) out.push(e);
	return out;
}

/** The same cases for every ledger store: what billing relies on. */
export function storeSuite(name: string, harness: StoreHarness): void {
	describe(`ledger store: ${name}`, () => {
		const open: LedgerStore[] = [];
		async function start() {
			const ledger = await harness.fresh();
			return {
				async open() {
					const s = await ledger.open();
					open.push(s);
					return s;
				},
			};
		}
		afterEach(async () => {
			for (const s of open.splice(0)) await s.close();
		});

		it('replays events in the order they were appended, with their fields', async () => {
			const store = await (await start()).open();
			await store.append(joined('e1', 'client-1', T0 + 5000));
			await store.append([heartbeat('e2', 'client-1', T0 + 1000), joined('e3', 'client-2', T0, 'zorg-b')]);
			const r = await store.append({ tenantId: 'zorg-a', type: 'session.ended', sessionId: 's_1', reason: 'ended' });
			expect(r.stored).toBe(true);
			expect(r.event.id).toMatch(/./);
			const events = await all(store);
			// Append order, not time order: e2 and e3 are earlier in time than e1.
			expect(events.map((e) => e.id)).toEqual(['e1', 'e2', 'e3', r.event.id]);
			expect(events[0]).toEqual({ ...joined('e1', 'client-1', T0 + 5000) });
			expect(events[3]!.at).toBeGreaterThan(T0);
		});

		it('stores an event ID once: again later, twice in one batch, and after a restart', async () => {
			const ledger = await start();
			let store = await ledger.open();
			expect((await store.append(joined('dup', 'client-1', T0))).stored).toBe(true);
			expect((await store.append(joined('dup', 'client-1', T0))).stored).toBe(false);
			const batch = await store.append([
				heartbeat('hb-1', 'client-1', T0 + 1),
				heartbeat('hb-1', 'client-1', T0 + 1),
				heartbeat('hb-2', 'client-1', T0 + 2),
			]);
			expect(batch.map((r) => r.stored)).toEqual([true, false, true]);
			// Concurrent retries of one event: one is stored.
			const racing = await Promise.all([
				store.append(heartbeat('hb-3', 'client-1', T0 + 3)),
				store.append(heartbeat('hb-3', 'client-1', T0 + 3)),
			]);
			expect(racing.map((r) => r.stored).sort()).toEqual([false, true]);
			await store.close();
			store = await ledger.open();
			expect((await store.append(joined('dup', 'client-1', T0))).stored).toBe(false);
			expect(
				(await store.append([heartbeat('hb-2', 'client-1', T0 + 2), heartbeat('hb-4', 'client-1', T0 + 4)])).map((r) => r.stored),
			).toEqual([false, true]);
			expect((await all(store)).map((e) => e.id)).toEqual(['dup', 'hb-1', 'hb-2', 'hb-3', 'hb-4']);
		});

		it('filters by tenant, type and time range', async () => {
			const store = await (await start()).open();
			await store.append([
				joined('a1', 'client-1', T0),
				heartbeat('a2', 'client-1', T0 + 15_000),
				joined('b1', 'client-9', T0 + 1000, 'zorg-b'),
				heartbeat('a3', 'client-1', T0 + 30_000),
				heartbeat('b2', 'client-9', T0 + 16_000, 'zorg-b'),
			]);
			expect((await all(store, { tenantId: 'zorg-b' })).map((e) => e.id)).toEqual(['b1', 'b2']);
			expect((await all(store, { type: 'participant.heartbeat' })).map((e) => e.id)).toEqual(['a2', 'a3', 'b2']);
			// `from` inclusive, `to` exclusive.
			expect((await all(store, { from: T0 + 15_000, to: T0 + 30_000 })).map((e) => e.id)).toEqual(['a2', 'b2']);
			expect((await all(store, { tenantId: 'zorg-a', type: 'participant.heartbeat', from: T0 + 20_000 })).map((e) => e.id)).toEqual([
				'a3',
			]);
			await expect(all(store, { from: -1 })).rejects.toMatchObject({ code: 'invalid_argument' });
		});

		it("forgets one client's events and leaves everyone else's as they were", async () => {
			const ledger = await start();
			let store = await ledger.open();
			await store.append([
				{
					id: 'sch',
					at: T0 - 60_000,
					tenantId: 'zorg-a',
					type: 'session.scheduled',
					sessionId: 's_1',
					module: 'communicatie',
					startsAt: T0,
					endsAt: T0 + 3_600_000,
					invited: ['client-1', 'client-2'],
				},
				joined('j1', 'client-1', T0),
				joined('j2', 'client-2', T0 + 10),
				heartbeat('h1', 'client-1', T0 + 15_000),
				heartbeat('h2', 'client-2', T0 + 15_000),
				// The same pseudonym at another care organisation is another person.
				joined('j3', 'client-1', T0, 'zorg-b'),
				{
					id: 'w1',
					at: T0 + 20_000,
					tenantId: 'zorg-a',
					type: 'library.watch',
					itemId: 'it_1',
					participantId: 'client-1',
					event: 'started',
					positionSeconds: 0,
					durationSeconds: 600,
					module: 'eigen-regie',
				},
			]);
			const before = await all(store);
			const count = (events: AttendanceEvent[], tenant: string, pid: string) =>
				events.filter((e) => e.tenantId === tenant && e.participantId === pid).length;
			expect(await store.forget('zorg-a', 'client-1')).toEqual({ removed: 3 });
			const after = await all(store);
			expect(count(after, 'zorg-a', 'client-1')).toBe(0);
			expect(after.filter((e) => JSON.stringify(e).includes('"client-1"') && e.tenantId === 'zorg-a')).toEqual([]);
			expect(count(after, 'zorg-a', 'client-2')).toBe(count(before, 'zorg-a', 'client-2'));
			expect(count(after, 'zorg-b', 'client-1')).toBe(1);
			expect(after.find((e) => e.id === 'sch')!.invited).toEqual(['client-2']);
			expect(after.filter((e) => e.participantId === 'client-2')).toEqual(before.filter((e) => e.participantId === 'client-2'));
			// Appends still work, and the removal survives a restart.
			expect((await store.append(heartbeat('h3', 'client-2', T0 + 30_000))).stored).toBe(true);
			await store.close();
			store = await ledger.open();
			const reopened = await all(store);
			expect(count(reopened, 'zorg-a', 'client-1')).toBe(0);
			expect(reopened.map((e) => e.id).sort()).toEqual(['h2', 'h3', 'j2', 'j3', 'sch']);
			await expect(store.forget('zorg-a', '')).rejects.toMatchObject({ code: 'invalid_argument' });
		});

		it('purges events older than the retention limit, durably', async () => {
			const ledger = await start();
			let store = await ledger.open();
			await store.append([
				joined('old1', 'client-1', T0),
				heartbeat('old2', 'client-1', T0 + 1000),
				heartbeat('new1', 'client-1', T0 + 2000),
				joined('new2', 'client-2', T0 + 3000, 'zorg-b'),
			]);
			expect(await store.purgeBefore(T0 + 2000)).toEqual({ removed: 2 });
			expect((await all(store)).map((e) => e.id)).toEqual(['new1', 'new2']);
			await store.close();
			store = await ledger.open();
			expect((await all(store)).map((e) => e.id)).toEqual(['new1', 'new2']);
		});

		it('keeps every one of many concurrent appends, also while a client is forgotten', async () => {
			const ledger = await start();
			let store = await ledger.open();
			await store.append(joined('gone', 'client-x', T0));
			const n = 600;
			const appends = Array.from({ length: n }, (_, i) => store.append(heartbeat(`c${i}`, `client-${i % 7}`, T0 + i)));
			// A forget in the middle of the stream of appends must lose none of them.
			const forgetting = new Promise<{ removed: number }>((resolve, reject) =>
				setImmediate(() => store.forget('zorg-a', 'client-x').then(resolve, reject)),
			);
			const more = Array.from({ length: n }, (_, i) => store.append(heartbeat(`d${i}`, `client-${i % 7}`, T0 + n + i)));
			const results = await Promise.all([...appends, ...more]);
			expect(results.every((r) => r.stored)).toBe(true);
			expect(await forgetting).toEqual({ removed: 1 });
			await store.close();
			store = await ledger.open();
			const ids = (await all(store)).map((e) => e.id);
			expect(ids.length).toBe(2 * n);
			expect(new Set(ids).size).toBe(2 * n);
			expect(ids.filter((id) => id.startsWith('c'))).toEqual(Array.from({ length: n }, (_, i) => `c${i}`));
		});

		it('refuses an invalid event with a clear error and writes nothing of its batch', async () => {
			const store = await (await start()).open();
			await expect(
				store.append([
					joined('ok1', 'client-1', T0),
					{
						id: 'bad',
						tenantId: 'zorg-a',
						type: 'participant.joined',
						sessionId: 's_1',
						participantId: 'client-2',
					} as AttendanceEventInput,
				]),
			).rejects.toMatchObject({
				code: 'invalid_argument',
				message: expect.stringMatching(/event 1: .*participant\.joined.*(role|connectionId)/),
			});
			await expect(
				store.append({ id: 'no tenant', type: 'participant.left' } as unknown as AttendanceEventInput),
			).rejects.toMatchObject({ code: 'invalid_argument' });
			await expect(store.append(heartbeat('ok2', 'client-1', -5))).rejects.toMatchObject({
				code: 'invalid_argument',
				message: expect.stringContaining('"at"'),
			});
			await expect(
				store.append({ ...heartbeat('ok3', 'client-1', T0), tenantId: 'zorg a' } as AttendanceEventInput),
			).rejects.toMatchObject({ code: 'invalid_argument', message: expect.stringContaining('tenantId') });
			expect(await all(store)).toEqual([]);
			// The refused IDs are free: a corrected event with the same ID is stored.
			expect((await store.append(joined('ok1', 'client-1', T0))).stored).toBe(true);
		});
	});
}
