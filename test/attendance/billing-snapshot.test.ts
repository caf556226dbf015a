import { mkdtemp, rm } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
	AttendanceLog,
	BillingSnapshots,
	bill,
	billDerived,
	billingToJson,
	contractsFileSchema,
	indicationsFileSchema,
	monthsTouched,
	parseLedgerEvent,
	type AttendanceEvent,
	type LedgerEvent,
	type LedgerStore,
} from '@luwte/engine/attendance';
import { checkSnapshotBills, eventsIn } from './snapshot-check.ts';

/** Billing from a kept derivation (BillingSnapshots) answers what billing from the events answers. */

const example = join(import.meta.dirname, '..', '..', 'examples', 'billing');
const events = readFileSync(join(example, 'events.jsonl'), 'utf8')
	.trim()
	.split('\n')
	.map((l) => parseLedgerEvent(JSON.parse(l)))
	.flatMap((p) => (p.ok && p.event ? [p.event] : [])) as LedgerEvent[];
const rules = {
	contracts: contractsFileSchema.parse(JSON.parse(readFileSync(join(example, 'contracts.json'), 'utf8'))).contracts,
	indications: indicationsFileSchema.parse(JSON.parse(readFileSync(join(example, 'indications.json'), 'utf8'))).indications,
};
const periods = [
	['2024-02', '2024-02'],
	['2024-03', '2024-03'],
	['2024-04', '2024-04'],
	['2024-01', '2024-12'],
] as const;
const WEEK = 7 * 24 * 3600_000;

/** A copy of the events `weeks` later, with their own IDs. */
const moved = (es: readonly LedgerEvent[], weeks: number, tag: string): LedgerEvent[] =>
	es.map((e) => {
		const copy = { ...e, id: `${e.id}-${tag}`, at: e.at + weeks * WEEK } as Record<string, unknown>;
		if (typeof copy.sessionId === 'string') copy.sessionId = `${copy.sessionId}-${tag}`;
		if (typeof copy.startsAt === 'number') copy.startsAt += weeks * WEEK;
		if (typeof copy.endsAt === 'number') copy.endsAt += weeks * WEEK;
		return copy as LedgerEvent;
	});

let dirs: string[] = [];
afterEach(async () => {
	for (const d of dirs) await rm(d, { recursive: true, force: true });
	dirs = [];
});
async function openLog(): Promise<AttendanceLog> {
	const dir = await mkdtemp(join(tmpdir(), 'luwte-snapshot-'));
	dirs.push(dir);
	return AttendanceLog.open(dir);
}

describe('billing snapshots', () => {
	it('the example set, appended in parts in any order, bills the same to the byte from the snapshot and from the events', async () => {
		const inOrder = await checkSnapshotBills(events, rules, periods, 3);
		expect(inOrder.warm).toBeGreaterThan(0);
		await checkSnapshotBills([...events].reverse(), rules, periods, 5);
		await checkSnapshotBills(events, rules, periods, events.length);
		// Later months appended after March was billed, then March again.
		await checkSnapshotBills([...events, ...moved(events, 8, 'may'), ...moved(events, -5, 'jan')], rules, periods, 3);
	});

	it('an append to another month keeps the period warm; one to the period, a forget or a purge derives again', async () => {
		const log = await openLog();
		await log.append(events);
		const snapshots = new BillingSnapshots(log);
		const march = async () => {
			const derived = await snapshots.derivation('zorg-a', '2024-03', '2024-03', () => eventsIn(log, 'zorg-a'));
			const fresh = bill({ ...rules, events: await eventsIn(log, 'zorg-a'), from: '2024-03', to: '2024-03' });
			expect(billingToJson(billDerived(derived, { ...rules, from: '2024-03', to: '2024-03' }))).toBe(billingToJson(fresh));
			return { ...snapshots.stats };
		};
		expect(await march()).toEqual({ warm: 0, cold: 1 });
		expect(await march()).toEqual({ warm: 1, cold: 1 });
		// Sessions of May, and another tenant's events in March: March stays.
		await log.append(moved(events, 9, 'may'));
		await log.append(events.slice(0, 10).map((e) => ({ ...e, id: `${e.id}-b`, tenantId: 'zorg-b' })));
		expect(await march()).toEqual({ warm: 2, cold: 1 });
		// A heartbeat in a March session.
		const beat = events.find((e) => e.type === 'participant.heartbeat')!;
		await log.append({ ...beat, id: 'late-beat', at: beat.at + 5_000 });
		expect(await march()).toEqual({ warm: 2, cold: 2 });
		expect(await march()).toEqual({ warm: 3, cold: 2 });
		await log.forget('zorg-a', 'client-anna');
		expect(await march()).toEqual({ warm: 3, cold: 3 });
		expect(await march()).toEqual({ warm: 4, cold: 3 });
		await log.purgeBefore(Date.parse('2024-03-10T00:00:00Z'));
		expect(await march()).toEqual({ warm: 4, cold: 4 });
		snapshots.close();
		await log.close();
	});

	it('an append landing while a snapshot is read leaves it behind the store: the next request derives again', async () => {
		const log = await openLog();
		await log.append(events.slice(0, 30));
		const snapshots = new BillingSnapshots(log);
		const read = async () => {
			const out = await eventsIn(log, 'zorg-a');
			await log.append(events.slice(30));
			return out;
		};
		await snapshots.derivation('zorg-a', '2024-03', '2024-03', read);
		const derived = await snapshots.derivation('zorg-a', '2024-03', '2024-03', () => eventsIn(log, 'zorg-a'));
		expect(snapshots.stats).toEqual({ warm: 0, cold: 2 });
		const fresh = bill({ ...rules, events, from: '2024-03', to: '2024-03' });
		expect(billingToJson(billDerived(derived, { ...rules, from: '2024-03', to: '2024-03' }))).toBe(billingToJson(fresh));
		snapshots.close();
		await log.close();
	});

	it('a store without a position is read for every bill', async () => {
		const store = {
			async *replay() {
				yield* events as unknown as AttendanceEvent[];
			},
		} as unknown as LedgerStore;
		const snapshots = new BillingSnapshots(store);
		for (let i = 0; i < 2; i++) await snapshots.derivation('zorg-a', '2024-03', '2024-03', async () => events);
		expect(snapshots.stats).toEqual({ warm: 0, cold: 2 });
	});

	it('an event of a session touches the months from its first event to this one, and the day before', () => {
		const at = (local: string) => Date.parse(`${local}+02:00`);
		const base = { tenantId: 'zorg-a', sessionId: 's-1', participantId: 'c-1', connectionId: 'k-1' };
		const beat = (time: string): AttendanceEvent => ({ ...base, id: time, at: at(time), type: 'participant.heartbeat' });
		const spans = new Map([['s-1', { first: at('2024-03-31T23:30:00'), last: at('2024-04-01T00:10:00') }]]);
		expect(monthsTouched(beat('2024-04-01T00:20:00'), spans)).toEqual(new Set(['2024-03', '2024-04']));
		// Unknown session: the day before is taken as well.
		expect(monthsTouched(beat('2024-05-01T08:00:00'), new Map())).toEqual(new Set(['2024-04', '2024-05']));
		expect(monthsTouched(beat('2024-05-02T08:00:00'), new Map())).toEqual(new Set(['2024-05']));
		// A scheduled session weeks ahead: every month between its first and last event.
		const far = new Map([['s-1', { first: at('2024-01-20T08:00:00'), last: at('2024-01-21T08:00:00') }]]);
		expect(monthsTouched(beat('2024-03-05T10:00:00'), far)).toEqual(new Set(['2024-01', '2024-02', '2024-03']));
		const watch: AttendanceEvent = {
			id: 'w',
			at: at('2024-04-01T00:30:00'),
			tenantId: 'zorg-a',
			type: 'library.watch',
			itemId: 'i',
			participantId: 'c-1',
			event: 'progress',
			positionSeconds: 1,
			durationSeconds: 2,
			module: 'communicatie',
		};
		expect(monthsTouched(watch, spans)).toEqual(new Set(['2024-04']));
		expect(monthsTouched({ id: 'x', at: 0, tenantId: 'zorg-a', type: 'other.thing' }, spans)).toEqual(new Set());
	});
});
