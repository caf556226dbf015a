import type { ListQuery, SessionPage, SessionRecord, SessionStore, StoredSessionState } from '@luwte/engine/session';
import { afterEach, describe, expect, it } from 'vitest';

/** One empty store per test; `open` may be called again after `close` (a restart of the host). */
export interface SessionStoreHarness {
	fresh(): Promise<{ open(): Promise<SessionStore> }>;
}

const HOUR = 3_600_000;
/** Yesterday, on the hour: recent, so the file store's retention (ended sessions kept 400 days) keeps everything. */
export const T0 = Math.floor(Date.now() / HOUR) * HOUR - 24 * HOUR;
const modules = ['communicatie', 'eigen-regie', 'fit-en-vitaal'] as const;

/** A valid record; `startsAt` makes it scheduled for then (an hour long), else it is listed by `createdAt`. */
export function record(id: string, opts: Partial<Omit<SessionRecord, 'schedule'>> & { startsAt?: number } = {}): SessionRecord {
	const { startsAt, ...rest } = opts;
	return {
		id,
		tenantId: 'zorg-a',
		kind: 'online',
		participantsSeeEachOther: true,
		lifecycle: {},
		state: 'scheduled',
		createdAt: T0 - HOUR,
		invitations: [],
		revision: 0,
		...(startsAt !== undefined ? { schedule: { startsAt, endsAt: startsAt + HOUR } } : {}),
		...rest,
	};
}

/** Listing order as the API promises it: the scheduled start, else the creation; then the ID. */
const atOf = (r: SessionRecord) => r.schedule?.startsAt ?? r.createdAt;
const byListingOrder = (a: SessionRecord, b: SessionRecord) => atOf(a) - atOf(b) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** A fixed shuffle (the store must not depend on the order records arrive in). */
function shuffled<T>(items: readonly T[], seed = 7): T[] {
	const out = [...items];
	let s = seed;
	for (let i = out.length - 1; i > 0; i--) {
		s = (s * 1_103_515_245 + 12_345) % 2 ** 31;
		const j = s % (i + 1);
		[out[i], out[j]] = [out[j]!, out[i]!];
	}
	return out;
}

/** Every page of a query, following `nextCursor`; bounded so a cursor that never ends fails the test. */
async function allPages(store: SessionStore, tenantId: string, query: Omit<ListQuery, 'cursor'> = {}): Promise<SessionPage[]> {
	const pages: SessionPage[] = [];
	let cursor: string | undefined;
	do {
		const page = await store.list(tenantId, { ...query, ...(cursor !== undefined ? { cursor } : {}) });
		pages.push(page);
		cursor = page.nextCursor;
		if (pages.length > 10_000) throw new Error('the cursor never ends');
	} while (cursor !== undefined);
	return pages;
}

const ids = (records: readonly SessionRecord[]) => records.map((r) => r.id);

/** Puts many records, some at the same time (as a busy host does), in batches. */
async function putAll(store: SessionStore, records: readonly SessionRecord[], batch = 200): Promise<void> {
	for (let i = 0; i < records.length; i += batch) await Promise.all(records.slice(i, i + batch).map((r) => store.put(r)));
}

/** The same cases for every session store: what the programme and the session list rely on. */
export function sessionStoreSuite(name: string, harness: SessionStoreHarness): void {
	describe(`session store: ${name}`, () => {
		const opened: SessionStore[] = [];
		async function start() {
			const h = await harness.fresh();
			return {
				async open() {
					const s = await h.open();
					opened.push(s);
					return s;
				},
			};
		}
		afterEach(async () => {
			for (const s of opened.splice(0)) await s.close();
		});

		it('gives back what was put, field for field; unknown IDs are undefined', async () => {
			const store = await (await start()).open();
			expect(store.durable).toBe(true);
			const full = record('s_full', {
				title: 'Koken met Ans',
				module: 'vaardig-en-creatief',
				kind: 'blended',
				startsAt: T0,
				participantsSeeEachOther: false,
				lifecycle: { joinLeadSeconds: 600, idleEndSeconds: 30 },
				state: 'live',
				startedAt: T0 - 60_000,
				invitations: [{ participantId: 'client-1', role: 'participant', expiresAt: T0 + 2 * HOUR }],
				recordingId: 'rec_1',
				revision: 3,
			});
			const bare = record('s_bare');
			await store.put(full);
			await store.put(bare);
			expect(await store.get('zorg-a', 's_full')).toEqual(full);
			expect(await store.get('zorg-a', 's_bare')).toEqual(bare);
			expect(await store.get('zorg-a', 's_none')).toBeUndefined();
			// Replaced by a newer revision: the newest is what is read.
			const ended = { ...full, state: 'ended' as const, endedAt: T0 + HOUR, endReason: 'ended', revision: 4 };
			delete (ended as Partial<SessionRecord>).recordingId;
			await store.put(ended);
			expect(await store.get('zorg-a', 's_full')).toEqual(ended);
			// A record that is not one is refused, not stored.
			await expect(store.put({ ...bare, id: 's_bad', state: 'paused' as StoredSessionState })).rejects.toThrow();
			expect(await store.get('zorg-a', 's_bad')).toBeUndefined();
		});

		it('keeps tenants apart: get, list, counts', async () => {
			const store = await (await start()).open();
			await store.put(record('s_a1', { startsAt: T0 }));
			await store.put(record('s_a2', { startsAt: T0 + HOUR }));
			await store.put(record('s_b1', { tenantId: 'zorg-b', startsAt: T0 }));
			expect(await store.get('zorg-b', 's_a1')).toBeUndefined();
			expect(await store.get('zorg-a', 's_b1')).toBeUndefined();
			expect(ids((await store.list('zorg-a')).sessions)).toEqual(['s_a1', 's_a2']);
			expect(ids((await store.list('zorg-b')).sessions)).toEqual(['s_b1']);
			expect((await store.list('zorg-c')).sessions).toEqual([]);
			expect(await store.countCreatedSince('zorg-a', 0)).toBe(2);
			expect(await store.countCreatedSince('zorg-b', 0)).toBe(1);
			expect(await store.countCreatedSince('zorg-c', 0)).toBe(0);
			expect((await store.active()).filter((r) => r.tenantId === 'zorg-b').map((r) => r.id)).toEqual(['s_b1']);
		});

		it('ignores a stale revision: the newer record stays, also in the listing and after a reopen', async () => {
			const h = await start();
			let store = await h.open();
			const v1 = record('s_1', { title: 'Oud', startsAt: T0, revision: 1 });
			const v2 = record('s_1', { title: 'Nieuw', startsAt: T0 + 5 * HOUR, state: 'cancelled', endedAt: T0, revision: 2 });
			await store.put(record('s_other', { startsAt: T0 + HOUR }));
			await store.put(v2);
			// A write that was overtaken (a slow host, a retry) arrives late.
			await store.put(v1);
			await store.put({ ...v1, revision: 0 });
			expect(await store.get('zorg-a', 's_1')).toEqual(v2);
			// Listed where the newer record places it, in its state.
			expect(ids((await store.list('zorg-a')).sessions)).toEqual(['s_other', 's_1']);
			expect(ids((await store.list('zorg-a', { state: 'scheduled' })).sessions)).toEqual(['s_other']);
			expect(ids((await store.list('zorg-a', { state: 'cancelled' })).sessions)).toEqual(['s_1']);
			expect(ids(await store.active())).toEqual(['s_other']);
			await store.close();
			store = await h.open();
			expect(await store.get('zorg-a', 's_1')).toEqual(v2);
			expect(ids((await store.list('zorg-a')).sessions)).toEqual(['s_other', 's_1']);
			expect(ids(await store.active())).toEqual(['s_other']);
		});

		it('lists by when sessions take place, then by ID, with state, module and time filters', async () => {
			const store = await (await start()).open();
			const records = [
				record('s_c', { startsAt: T0 + 2 * HOUR, module: 'communicatie' }),
				record('s_a', { startsAt: T0 + 2 * HOUR, module: 'eigen-regie', state: 'live', startedAt: T0 }),
				// Unscheduled: listed by its creation.
				record('s_unsched', { createdAt: T0 + HOUR, module: 'communicatie' }),
				record('s_early', { startsAt: T0, state: 'ended', endedAt: T0 + HOUR, module: 'communicatie' }),
				record('s_late', { startsAt: T0 + 24 * HOUR, state: 'cancelled', endedAt: T0 }),
				record('s_b', { startsAt: T0 + 2 * HOUR }),
			];
			await putAll(store, records);
			const list = async (q: ListQuery) => ids((await store.list('zorg-a', q)).sessions);
			expect(await list({})).toEqual(['s_early', 's_unsched', 's_a', 's_b', 's_c', 's_late']);
			expect(await list({ state: 'scheduled' })).toEqual(['s_unsched', 's_b', 's_c']);
			expect(await list({ state: 'live' })).toEqual(['s_a']);
			expect(await list({ state: 'ended' })).toEqual(['s_early']);
			expect(await list({ state: 'cancelled' })).toEqual(['s_late']);
			expect(await list({ module: 'communicatie' })).toEqual(['s_early', 's_unsched', 's_c']);
			expect(await list({ module: 'talent-en-ambitie' })).toEqual([]);
			// `from` is inclusive, `to` exclusive.
			expect(await list({ from: T0 + HOUR })).toEqual(['s_unsched', 's_a', 's_b', 's_c', 's_late']);
			expect(await list({ to: T0 + 2 * HOUR })).toEqual(['s_early', 's_unsched']);
			expect(await list({ from: T0 + HOUR, to: T0 + 2 * HOUR + 1 })).toEqual(['s_unsched', 's_a', 's_b', 's_c']);
			expect(await list({ from: T0 + 3 * HOUR, to: T0 + 4 * HOUR })).toEqual([]);
			expect(await list({ from: T0, to: T0 + 24 * HOUR, state: 'scheduled', module: 'communicatie' })).toEqual(['s_unsched', 's_c']);
			// A short page says where to go on; the last one does not.
			const first = await store.list('zorg-a', { limit: 4 });
			expect(ids(first.sessions)).toEqual(['s_early', 's_unsched', 's_a', 's_b']);
			const second = await store.list('zorg-a', { limit: 4, cursor: first.nextCursor! });
			expect(ids(second.sessions)).toEqual(['s_c', 's_late']);
			expect(second.nextCursor).toBeUndefined();
			// A reschedule moves a session in the listing.
			await store.put({ ...records[5]!, schedule: { startsAt: T0 - HOUR, endsAt: T0 }, revision: 1 });
			expect(await list({})).toEqual(['s_b', 's_early', 's_unsched', 's_a', 's_c', 's_late']);
			expect(await list({ to: T0 })).toEqual(['s_b']);
		});

		it('pages through 1,234 sessions (ties in time, arriving in any order): each exactly once, in order', async () => {
			const store = await (await start()).open();
			// Seven sessions start at each time: pages end in the middle of a tie.
			const records = Array.from({ length: 1234 }, (_, i) =>
				record(`s_${String((i * 7919) % 1234).padStart(4, '0')}`, {
					startsAt: T0 + Math.floor(i / 7) * 60_000,
					module: modules[i % 3],
					state: i % 5 === 0 ? 'ended' : 'scheduled',
					...(i % 5 === 0 ? { endedAt: T0 } : {}),
					createdAt: T0 - HOUR + i,
				}),
			);
			await putAll(store, shuffled(records));
			const expected = [...records].sort(byListingOrder);

			const pages = await allPages(store, 'zorg-a', { limit: 100 });
			for (const p of pages) expect(p.sessions.length).toBeLessThanOrEqual(100);
			const seen = pages.flatMap((p) => p.sessions);
			expect(ids(seen)).toEqual(ids(expected));
			expect(new Set(ids(seen)).size).toBe(1234);
			// No more round trips than the data needs (at most one empty page at the end).
			expect(pages.length).toBeLessThanOrEqual(Math.ceil(1234 / 100) + 1);

			// Filters page the same way: each match once, in order.
			const q = { state: 'scheduled', module: 'eigen-regie', from: T0 + 10 * 60_000, to: T0 + 150 * 60_000 } as const;
			const matching = expected.filter((r) => r.state === q.state && r.module === q.module && atOf(r) >= q.from && atOf(r) < q.to);
			expect(matching.length).toBeGreaterThan(100);
			const filtered = (await allPages(store, 'zorg-a', { ...q, limit: 37 })).flatMap((p) => p.sessions);
			expect(ids(filtered)).toEqual(ids(matching));

			// The largest page.
			const big = await allPages(store, 'zorg-a', { limit: 500 });
			expect(ids(big.flatMap((p) => p.sessions))).toEqual(ids(expected));
			expect(big[0]!.sessions).toHaveLength(500);
		});

		it('refuses a cursor it did not make, and out-of-range limits, with invalid_argument', async () => {
			const store = await (await start()).open();
			await store.put(record('s_1', { startsAt: T0 }));
			const forged = (v: unknown) => Buffer.from(JSON.stringify(v), 'utf8').toString('base64url');
			for (const cursor of [
				'garbage',
				'',
				'!!!',
				forged({ at: T0, id: 's_1' }),
				forged([-1, 's_1']),
				forged([T0, '']),
				'x'.repeat(201),
			]) {
				await expect(store.list('zorg-a', { cursor }), cursor).rejects.toMatchObject({ code: 'invalid_argument' });
			}
			for (const limit of [0, 501, 1.5]) {
				await expect(store.list('zorg-a', { limit }), String(limit)).rejects.toMatchObject({ code: 'invalid_argument' });
			}
			await expect(store.list('zorg-a', { from: -1 })).rejects.toMatchObject({ code: 'invalid_argument' });
			await expect(store.list('zorg-a', { state: 'paused' } as unknown as ListQuery)).rejects.toMatchObject({
				code: 'invalid_argument',
			});
			// Still answers good queries.
			expect(ids((await store.list('zorg-a', { limit: 500 })).sessions)).toEqual(['s_1']);
		});

		it('active() holds the scheduled and live sessions of every tenant, and no more once they end', async () => {
			const store = await (await start()).open();
			await putAll(store, [
				record('s_sched', { startsAt: T0 }),
				record('s_live', { state: 'live', startedAt: T0 }),
				record('s_b', { tenantId: 'zorg-b', startsAt: T0 }),
				record('s_ended', { state: 'ended', endedAt: T0 }),
				record('s_cancelled', { state: 'cancelled', endedAt: T0 }),
			]);
			expect(ids(await store.active()).sort()).toEqual(['s_b', 's_live', 's_sched']);
			await store.put(record('s_live', { state: 'ended', startedAt: T0, endedAt: T0 + HOUR, endReason: 'idle', revision: 1 }));
			await store.put(record('s_sched', { startsAt: T0, state: 'cancelled', endedAt: T0, revision: 1 }));
			expect(ids(await store.active())).toEqual(['s_b']);
		});

		it('counts the sessions a tenant created since a time (inclusive), whatever became of them', async () => {
			const store = await (await start()).open();
			await putAll(store, [
				record('s_1', { createdAt: T0 - 1 }),
				record('s_2', { createdAt: T0 }),
				record('s_3', { createdAt: T0 + 1, state: 'cancelled', endedAt: T0 + 2 }),
				record('s_4', { createdAt: T0 + HOUR, startsAt: T0 + 48 * HOUR }),
				record('s_b', { tenantId: 'zorg-b', createdAt: T0 + 5 }),
			]);
			expect(await store.countCreatedSince('zorg-a', T0)).toBe(3);
			expect(await store.countCreatedSince('zorg-a', T0 + 2)).toBe(1);
			expect(await store.countCreatedSince('zorg-a', T0 + HOUR + 1)).toBe(0);
			// A new revision of the same session is not a new creation.
			await store.put(record('s_2', { createdAt: T0, state: 'live', startedAt: T0 + 10, revision: 1 }));
			expect(await store.countCreatedSince('zorg-a', T0)).toBe(3);
		});

		it('keeps everything across a reopen: records, listing, active sessions, counts', async () => {
			const h = await start();
			let store = await h.open();
			const records = Array.from({ length: 300 }, (_, i) =>
				record(`s_${i}`, {
					tenantId: i % 4 === 0 ? 'zorg-b' : 'zorg-a',
					startsAt: T0 + (i % 50) * 60_000,
					module: modules[i % 3],
					state: i % 6 === 0 ? 'ended' : 'scheduled',
					...(i % 6 === 0 ? { endedAt: T0 } : {}),
					createdAt: T0 + i,
					revision: 1,
				}),
			);
			await putAll(store, records);
			// Some sessions changed after their first write.
			const changed = records.slice(0, 30).map((r) => ({ ...r, title: `Nieuw ${r.id}`, revision: 2 }));
			await putAll(store, changed);
			const snapshot = async (s: SessionStore) => ({
				a: (await allPages(s, 'zorg-a', { limit: 64 })).flatMap((p) => p.sessions),
				b: (await allPages(s, 'zorg-b', { limit: 500 })).flatMap((p) => p.sessions),
				active: ids(await s.active()).sort(),
				countA: await s.countCreatedSince('zorg-a', T0 + 100),
			});
			const before = await snapshot(store);
			expect(before.a.length + before.b.length).toBe(300);
			expect(before.a.find((r) => r.id === 's_1')!.title).toBe('Nieuw s_1');
			await store.close();
			store = await h.open();
			expect(await snapshot(store)).toEqual(before);
			expect(await store.get('zorg-a', 's_29')).toEqual(changed[29]);
			// And it takes new writes after the reopen.
			await store.put(record('s_new', { startsAt: T0 - HOUR }));
			expect(ids((await store.list('zorg-a', { limit: 1 })).sessions)).toEqual(['s_new']);
		});
	});
}
