import { describe, expect, it } from 'vitest';
import { checkSnapshotBills } from './snapshot-check.ts';
import { bill, contractsFileSchema, indicationsFileSchema, presenceIntervals, type LedgerEvent } from '@luwte/engine/attendance';

/**
 * The billing department's cases, in March 2024 (Amsterdam is UTC+1 then). Every expected number
 * below is worked out by hand in the comment next to it, not computed by the code under test.
 */

const contracts = contractsFileSchema.parse({
	version: 1,
	contracts: [
		// Amsterdam: two digital activities in one ISO week = one dagdeel of €35.00.
		{ financer: '0363', unit: 'dagdeel', productCode: '07A03', tariffCents: 3500, pairing: 'iso-week' },
		// Rotterdam: actual time, €54.00 an hour, each activity to the nearest quarter of an hour.
		{
			financer: '0599',
			unit: 'hour',
			productCode: '07A08',
			tariffCents: 5400,
			rounding: { per: 'activity', stepMinutes: 15, direction: 'nearest' },
		},
	],
}).contracts;

const indication = (clientId: string, financer: string, validFrom = '2024-01-01', validTo: string | null = null) => ({
	clientId,
	financer,
	validFrom,
	validTo,
});
const indications = indicationsFileSchema.parse({
	version: 1,
	indications: [
		indication('client-anna', '0363'),
		indication('client-bram', '0363'),
		indication('client-cor', '0599'),
		// Dirk's indication starts on Monday 11 March.
		indication('client-dirk', '0363', '2024-03-11'),
		indication('client-els', '0599'),
	],
}).indications;

let seq = 0;
const at = (local: string) => Date.parse(`${local}+01:00`);
function event(type: string, time: string, fields: Record<string, unknown>): LedgerEvent {
	seq += 1;
	return { id: `ev-${String(seq).padStart(5, '0')}`, at: at(time), tenantId: 'zorg-a', type, ...fields } as LedgerEvent;
}

/** A planned activity of 90 minutes. */
function session(sessionId: string, day: string, start: string, end: string, module = 'communicatie'): LedgerEvent[] {
	return [
		event('session.scheduled', `${day}T08:00:00`, {
			sessionId,
			module,
			startsAt: at(`${day}T${start}:00`),
			endsAt: at(`${day}T${end}:00`),
			invited: [],
		}),
		event('session.started', `${day}T${start}:00`, { sessionId, module }),
	];
}
const ended = (sessionId: string, time: string) => event('session.ended', time, { sessionId, reason: 'ended' });

/** One connection: joined, a heartbeat every 15 s, and left (unless `vanishes`). */
function connection(sessionId: string, clientId: string, connectionId: string, from: string, to: string, vanishes = false): LedgerEvent[] {
	const ids = { sessionId, participantId: clientId, connectionId };
	const out = [event('participant.joined', from, { ...ids, role: 'participant', module: 'communicatie' })];
	for (let t = at(from) + 15_000; t <= at(to); t += 15_000)
		out.push(event('participant.heartbeat', new Date(t + 3600_000).toISOString().slice(0, 19), ids));
	if (!vanishes) out.push(event('participant.left', to, { ...ids, reason: 'left' }));
	return out;
}

/** Every scenario's events, billed again through the snapshot at the end. */
const scenarios: LedgerEvent[][] = [];
function billMarch(events: LedgerEvent[]) {
	scenarios.push(events);
	return bill({ events, contracts, indications, from: '2024-03', to: '2024-03' });
}

describe('billing scenarios (March 2024)', () => {
	it('Anna joins two activities in one week under a dagdeel contract: one dagdeel, €35.00', () => {
		const events = [
			...session('s-tue', '2024-03-05', '10:00', '11:30'),
			...connection('s-tue', 'client-anna', 'k1', '2024-03-05T10:00:00', '2024-03-05T11:30:00'),
			ended('s-tue', '2024-03-05T11:30:00'),
			...session('s-thu', '2024-03-07', '10:00', '11:30'),
			...connection('s-thu', 'client-anna', 'k2', '2024-03-07T10:02:00', '2024-03-07T11:30:00'),
			ended('s-thu', '2024-03-07T11:30:00'),
		];
		const result = billMarch(events);
		expect(result.lines).toEqual([
			{
				clientId: 'client-anna',
				financer: '0363',
				month: '2024-03',
				productCode: '07A03',
				unitCode: '16',
				volume: 1,
				amountCents: 3500,
				activities: 2,
			},
		]);
		expect(result.exceptions).toEqual([]);
	});

	it('Bram joins three activities in one week: one dagdeel, and the third is reported as unpaired', () => {
		const events = ['05', '06', '08'].flatMap((d) => [
			...session(`s-${d}`, `2024-03-${d}`, '10:00', '11:30'),
			...connection(`s-${d}`, 'client-bram', `k-${d}`, `2024-03-${d}T10:00:00`, `2024-03-${d}T11:30:00`),
			ended(`s-${d}`, `2024-03-${d}T11:30:00`),
		]);
		const result = billMarch(events);
		expect(result.lines).toEqual([
			{
				clientId: 'client-bram',
				financer: '0363',
				month: '2024-03',
				productCode: '07A03',
				unitCode: '16',
				volume: 1,
				amountCents: 3500,
				activities: 2,
			},
		]);
		expect(result.exceptions).toHaveLength(1);
		expect(result.exceptions[0]).toMatchObject({
			clientId: 'client-bram',
			sessionId: 's-08',
			reason: 'unpaired_activity',
			at: at('2024-03-08T10:00:00'),
		});
		expect(result.exceptions[0]!.detail).toContain('2024-W10');
	});

	it('Cor (Rotterdam, per hour) loses his connection for 90 s: the gap is not paid, 66.5 min rounds to 60 min', () => {
		// 10:00-10:40 on the first connection (it vanishes: last heartbeat 10:40:00), back at 10:41:30
		// on a new one until 11:08:00: 40 + 26.5 = 66.5 min. The nearest quarter is 60 (67.5 would round
		// up to 75; had the 1.5 min gap been counted, 68 min would have become 75).
		const events = [
			...session('s-cor', '2024-03-12', '10:00', '11:30'),
			...connection('s-cor', 'client-cor', 'k1', '2024-03-12T10:00:00', '2024-03-12T10:40:00', true),
			...connection('s-cor', 'client-cor', 'k2', '2024-03-12T10:41:30', '2024-03-12T11:08:00'),
			ended('s-cor', '2024-03-12T11:30:00'),
		];
		const [presence] = presenceIntervals(events);
		expect(presence!.attendedMs).toBe(66.5 * 60_000);
		expect(presence!.attendances).toEqual([
			{ start: at('2024-03-12T10:00:00'), end: at('2024-03-12T11:08:00'), attendedMs: 66.5 * 60_000, reconnects: 1 },
		]);
		// 60 min at €54.00 an hour = €54.00; declared in minutes (unit 01) because the step is a quarter.
		expect(billMarch(events).lines).toEqual([
			{
				clientId: 'client-cor',
				financer: '0599',
				month: '2024-03',
				productCode: '07A08',
				unitCode: '01',
				volume: 60,
				amountCents: 5400,
				activities: 1,
			},
		]);
	});

	it('a reconnect after more than the 2-minute grace starts a new attendance; the gap is still not paid', () => {
		const events = [
			...session('s-cor2', '2024-03-13', '10:00', '11:30'),
			...connection('s-cor2', 'client-cor', 'k1', '2024-03-13T10:00:00', '2024-03-13T10:30:00'),
			...connection('s-cor2', 'client-cor', 'k2', '2024-03-13T10:35:00', '2024-03-13T11:30:00'),
			ended('s-cor2', '2024-03-13T11:30:00'),
		];
		const [presence] = presenceIntervals(events);
		// 30 + 55 = 85 min, in two attendances.
		expect(presence!.attendedMs).toBe(85 * 60_000);
		expect(presence!.attendances.map((a) => a.attendedMs / 60_000)).toEqual([30, 55]);
	});

	it('Dirk joins before his indication starts: nothing is billed, the activity is an exception', () => {
		const events = [
			...session('s-dirk', '2024-03-07', '10:00', '11:30'),
			...connection('s-dirk', 'client-dirk', 'k1', '2024-03-07T10:00:00', '2024-03-07T11:30:00'),
			ended('s-dirk', '2024-03-07T11:30:00'),
		];
		const result = billMarch(events);
		expect(result.lines).toEqual([]);
		expect(result.exceptions).toEqual([
			{
				clientId: 'client-dirk',
				sessionId: 's-dirk',
				itemId: null,
				financer: null,
				month: '2024-03',
				at: at('2024-03-07T10:00:00'),
				reason: 'no_indication',
				detail: 'no valid indication on 2024-03-07',
			},
		]);
	});

	it('Anna watches Eigen regie on demand: never billed, listed as a not billable module; other recordings are listed for review', () => {
		const watch = (itemId: string, module: string, time: string, position: number) =>
			event('library.watch', time, {
				itemId,
				participantId: 'client-anna',
				event: 'progress',
				positionSeconds: position,
				durationSeconds: 1800,
				module,
			});
		const events = [
			watch('item-er', 'eigen-regie', '2024-03-06T20:00:00', 60),
			watch('item-er', 'eigen-regie', '2024-03-06T20:20:00', 1200),
			watch('item-fv', 'fit-en-vitaal', '2024-03-09T11:00:00', 900),
		];
		const result = billMarch(events);
		expect(result.lines).toEqual([]);
		expect(result.exceptions.map((e) => [e.itemId, e.reason, e.financer])).toEqual([
			['item-er', 'not_billable_module', '0363'],
			['item-fv', 'on_demand_not_billed', '0363'],
		]);
		// Watched up to 1200 s = 20 of 30 minutes.
		expect(result.exceptions[0]!.detail).toContain('20 of 30 min');
	});

	it('Dirk (no indication) watches on demand: the watch keeps its own reason, not no_indication, and has no financer', () => {
		// Decided (issue 17): the reasons' order is for live activities. A watch is never billable, so
		// its reason is the one fixing nothing else would change: on demand, or Eigen regie's module.
		const watch = (itemId: string, module: string, time: string) =>
			event('library.watch', time, {
				itemId,
				participantId: 'client-dirk',
				event: 'progress',
				positionSeconds: 600,
				durationSeconds: 1800,
				module,
			});
		const result = billMarch([
			watch('item-er', 'eigen-regie', '2024-03-06T20:00:00'),
			watch('item-fv', 'fit-en-vitaal', '2024-03-09T11:00:00'),
		]);
		expect(result.lines).toEqual([]);
		expect(result.exceptions.map((e) => [e.itemId, e.reason, e.financer])).toEqual([
			['item-er', 'not_billable_module', null],
			['item-fv', 'on_demand_not_billed', null],
		]);
	});

	it('a live Eigen regie session is not billable either', () => {
		const events = [
			...session('s-er', '2024-03-14', '10:00', '11:00', 'eigen-regie'),
			...connection('s-er', 'client-anna', 'k1', '2024-03-14T10:00:00', '2024-03-14T11:00:00'),
			ended('s-er', '2024-03-14T11:00:00'),
		];
		expect(billMarch(events).lines).toEqual([]);
		expect(billMarch(events).exceptions.map((e) => e.reason)).toEqual(['not_billable_module']);
	});

	it('Els is in a session when the server crashes (no leave, no end): her time ends at the last heartbeat', () => {
		// Joined 14:00, heartbeats until 14:50:00, then nothing: 50 minutes, to the nearest quarter 45.
		const events = [
			...session('s-crash', '2024-03-12', '14:00', '15:30'),
			...connection('s-crash', 'client-els', 'k1', '2024-03-12T14:00:00', '2024-03-12T14:50:00', true),
		];
		const [presence] = presenceIntervals(events);
		expect(presence!.intervals).toEqual([{ start: at('2024-03-12T14:00:00'), end: at('2024-03-12T14:50:00') }]);
		// 45 min × €54.00 / 60 = €40.50.
		expect(billMarch(events).lines).toEqual([
			{
				clientId: 'client-els',
				financer: '0599',
				month: '2024-03',
				productCode: '07A08',
				unitCode: '01',
				volume: 45,
				amountCents: 4050,
				activities: 1,
			},
		]);
	});

	it('a client who leaves after 20 minutes of a 90-minute activity is below the threshold (half: 45 min)', () => {
		const events = [
			...session('s-short', '2024-03-19', '10:00', '11:30'),
			...connection('s-short', 'client-anna', 'k1', '2024-03-19T10:00:00', '2024-03-19T10:20:00'),
			ended('s-short', '2024-03-19T11:30:00'),
		];
		const result = billMarch(events);
		expect(result.lines).toEqual([]);
		expect(result.exceptions.map((e) => [e.reason, e.detail])).toEqual([['below_threshold', 'attended 20 min, needs 45 min']]);
	});

	it('a detail under a minute gives seconds, never "attended 0 min, needs 0 min"', () => {
		// A one-minute activity: half is 30 s; Anna is there for 20 s.
		const events = [
			...session('s-minute', '2024-03-19', '10:00', '10:01'),
			...connection('s-minute', 'client-anna', 'k1', '2024-03-19T10:00:00', '2024-03-19T10:00:20'),
			ended('s-minute', '2024-03-19T10:01:00'),
			// 44 min 59 s of a 90-minute activity (half: 45 min): short by one second, and the detail says so.
			...session('s-almost', '2024-03-20', '10:00', '11:30'),
			...connection('s-almost', 'client-anna', 'k2', '2024-03-20T10:00:00', '2024-03-20T10:44:59'),
			ended('s-almost', '2024-03-20T11:30:00'),
		];
		expect(billMarch(events).exceptions.map((e) => [e.sessionId, e.detail])).toEqual([
			['s-minute', 'attended 20 s, needs 30 s'],
			['s-almost', 'attended 44 min 59 s, needs 45 min'],
		]);
	});

	it('every scenario bills the same to the byte from a snapshot as from its events', async () => {
		expect(scenarios.length).toBeGreaterThan(5);
		for (const events of scenarios) {
			const months = [
				['2024-02', '2024-02'],
				['2024-03', '2024-03'],
				['2024-01', '2024-12'],
			] as const;
			await checkSnapshotBills(events, { contracts, indications }, months, 2);
		}
	});
});
