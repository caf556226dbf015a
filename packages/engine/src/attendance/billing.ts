import { z } from 'zod';
import { EngineError } from '../errors.ts';
import { qualifies, requiredMs, liveActivitiesOfOrdered, type LiveActivity } from './activities.ts';
import { excludedModules, indicationOn, type Contract, type Indication, type Rounding } from './contracts.ts';
import { cmp, type PresenceOptions } from './intervals.ts';
import { canonicalOrder, type LedgerEvent, type LedgerEventOf } from './ledger-events.ts';
import { isoWeek, localDate } from './local-time.ts';

/**
 * Billing: qualifying live activities → one line per client × financer × calendar month, and an
 * exception for every activity that is not billed, with its reason (docs/billing.md).
 * Pure and deterministic: the same events, contracts and indications give the same result.
 */

/** iWmo unit codes: 01 minute, 04 hour, 16 dagdeel. */
export type UnitCode = '01' | '04' | '16';

export interface BillingLine {
	clientId: string;
	financer: string;
	/** `YYYY-MM`: a declaration line covers at most one calendar month. */
	month: string;
	productCode: string;
	unitCode: UnitCode;
	/** Whole units of `unitCode`. */
	volume: number;
	amountCents: number;
	/** Qualifying activities this line pays for. */
	activities: number;
}

export const exceptionReasons = [
	'no_indication',
	'below_threshold',
	'unpaired_activity',
	'not_billable_module',
	'not_billable_contract',
	'on_demand_not_billed',
] as const;
export type ExceptionReason = (typeof exceptionReasons)[number];

export interface BillingException {
	clientId: string;
	/** The live session, or null for on-demand watching. */
	sessionId: string | null;
	/** The library item watched on demand, else null. */
	itemId: string | null;
	/** Financer of the client's indication on that day, when there is one. */
	financer: string | null;
	month: string;
	at: number;
	reason: ExceptionReason;
	detail: string;
}

export interface BillingResult {
	from: string;
	to: string;
	lines: BillingLine[];
	exceptions: BillingException[];
}

const monthSchema = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'YYYY-MM');

export interface BillingInput extends PresenceOptions {
	events: readonly LedgerEvent[];
	contracts: readonly Contract[];
	indications: readonly Indication[];
	/** First month, `YYYY-MM`, inclusive. */
	from: string;
	/** Last month, `YYYY-MM`, inclusive. */
	to: string;
}

export function bill(input: BillingInput): BillingResult {
	checkPeriod(input.from, input.to);
	checkOneTenant(input.events);
	return billDerived(deriveBilling(input.events, input.graceMs === undefined ? {} : { graceMs: input.graceMs }), input);
}

/**
 * What the billing rules read of the ledger: the live activities and the on-demand days of every
 * month, in the order `bill()` meets them (that order decides ties in the result). Deriving it is
 * nearly all of a bill's cost, and it does not depend on contracts or indications, so a host keeps
 * it between requests (billing-snapshot.ts).
 */
export interface BillingDerivation {
	activities: readonly LiveActivity[];
	onDemandDays: readonly OnDemandDay[];
}

/** One client × item × local day of on-demand watching. */
export interface OnDemandDay {
	clientId: string;
	itemId: string;
	module: LedgerEventOf<'library.watch'>['module'];
	date: string;
	/** Time of the day's first watch event. */
	at: number;
	maxPosition: number;
	/** Duration of the item as the day's last event gives it. */
	duration: number;
}

/** The ledger part of `bill()` (the same for any contracts, indications and period). */
export function deriveBilling(events: readonly LedgerEvent[], options: PresenceOptions = {}): BillingDerivation {
	// Ordered once for every step below (each would otherwise order the whole ledger again).
	const ordered = canonicalOrder(events);
	return { activities: liveActivitiesOfOrdered(ordered, options), onDemandDays: onDemandDaysOf(ordered) };
}

/** The rules part of `bill()`: contracts and indications applied to a derivation. */
export function billDerived(
	derived: BillingDerivation,
	input: Pick<BillingInput, 'contracts' | 'indications' | 'from' | 'to'>,
): BillingResult {
	const { from, to } = checkPeriod(input.from, input.to);
	const inPeriod = (date: string) => date.slice(0, 7) >= from && date.slice(0, 7) <= to;
	const contracts = new Map(input.contracts.map((c) => [c.financer, c]));
	const indications = indicationsByClient(input.indications);
	const exceptions: BillingException[] = [];
	const buckets = new Map<string, Bucket>();

	for (const a of derived.activities) {
		if (!inPeriod(a.date)) continue;
		const month = a.date.slice(0, 7);
		const base = { clientId: a.clientId, sessionId: a.sessionId, itemId: null, month, at: a.at };
		const indication = indicationOn(indications.get(a.clientId) ?? [], a.clientId, a.date);
		if (!indication) {
			exceptions.push({ ...base, financer: null, reason: 'no_indication', detail: `no valid indication on ${a.date}` });
			continue;
		}
		const financer = indication.financer;
		const contract = contracts.get(financer);
		if (!contract || contract.unit === 'none') {
			const detail = contract ? `financer ${financer} does not pay for digital activities` : `no contract for financer ${financer}`;
			exceptions.push({ ...base, financer, reason: 'not_billable_contract', detail });
			continue;
		}
		if (a.module && excludedModules(contract).has(a.module)) {
			exceptions.push({ ...base, financer, reason: 'not_billable_module', detail: `module ${a.module} is not billable` });
			continue;
		}
		if (!qualifies(a, contract.threshold)) {
			const detail = `attended ${duration(a.attendedMs, 'down')}, needs ${duration(requiredMs(a, contract.threshold), 'up')}`;
			exceptions.push({ ...base, financer, reason: 'below_threshold', detail });
			continue;
		}
		const key = `${a.clientId}\u0000${financer}\u0000${month}`;
		const bucket = buckets.get(key);
		if (bucket) bucket.activities.push(a);
		else buckets.set(key, { clientId: a.clientId, financer, month, contract, activities: [a] });
	}

	const lines: BillingLine[] = [];
	for (const b of buckets.values()) {
		const c = b.contract;
		const line = c.unit === 'dagdeel' ? dagdeelLine(b, c, exceptions) : hourLine(b, c, exceptions);
		if (line) lines.push(line);
	}
	exceptions.push(...onDemandExceptions(derived.onDemandDays, indications, inPeriod));

	lines.sort((a, b) => cmp(a.clientId, b.clientId) || cmp(a.financer, b.financer) || cmp(a.month, b.month));
	exceptions.sort(
		(a, b) =>
			cmp(a.clientId, b.clientId) ||
			a.at - b.at ||
			cmp(a.sessionId ?? a.itemId ?? '', b.sessionId ?? b.itemId ?? '') ||
			cmp(a.reason, b.reason),
	);
	return { from, to, lines, exceptions };
}

type BillableContract = Exclude<Contract, { unit: 'none' }>;
interface Bucket {
	clientId: string;
	financer: string;
	month: string;
	contract: BillableContract;
	activities: LiveActivity[];
}

/** Two qualifying activities in one pairing window are one dagdeel; an odd last one is reported. */
function dagdeelLine(b: Bucket, contract: Extract<Contract, { unit: 'dagdeel' }>, exceptions: BillingException[]): BillingLine | null {
	const windows = new Map<string, LiveActivity[]>();
	for (const a of b.activities) {
		// Buckets are per month already, so a week spanning two months is split at the month's end.
		const w = contract.pairing === 'iso-week' ? isoWeek(a.date) : b.month;
		const list = windows.get(w);
		if (list) list.push(a);
		else windows.set(w, [a]);
	}
	let pairs = 0;
	for (const [w, list] of windows) {
		list.sort((x, y) => x.at - y.at || cmp(x.sessionId, y.sessionId));
		pairs += Math.floor(list.length / 2);
		if (list.length % 2 === 1) {
			const odd = list.at(-1)!;
			const window = contract.pairing === 'iso-week' ? `week ${w}` : `month ${w}`;
			exceptions.push({
				clientId: b.clientId,
				sessionId: odd.sessionId,
				itemId: null,
				financer: b.financer,
				month: b.month,
				at: odd.at,
				reason: 'unpaired_activity',
				detail: `odd qualifying activity in ${window}: 2 activities make 1 dagdeel`,
			});
		}
	}
	if (pairs === 0) return null;
	return {
		clientId: b.clientId,
		financer: b.financer,
		month: b.month,
		productCode: contract.productCode,
		unitCode: '16',
		volume: pairs,
		amountCents: pairs * contract.tariffCents,
		activities: pairs * 2,
	};
}

/** Attended time, rounded as the contract says; declared in hours when the step is a whole hour, else in minutes. */
function hourLine(b: Bucket, contract: Extract<Contract, { unit: 'hour' }>, exceptions: BillingException[]): BillingLine | null {
	const r = contract.rounding;
	const roundedMinutes =
		r.per === 'activity'
			? b.activities.reduce((sum, a) => sum + roundMinutes(a.attendedMs, r), 0)
			: roundMinutes(
					b.activities.reduce((sum, a) => sum + a.attendedMs, 0),
					r,
				);
	if (roundedMinutes === 0) {
		const first = b.activities[0]!;
		exceptions.push({
			clientId: b.clientId,
			sessionId: first.sessionId,
			itemId: null,
			financer: b.financer,
			month: b.month,
			at: first.at,
			reason: 'below_threshold',
			detail: 'attended time rounds to 0 minutes',
		});
		return null;
	}
	const inHours = r.stepMinutes === 60;
	return {
		clientId: b.clientId,
		financer: b.financer,
		month: b.month,
		productCode: contract.productCode,
		unitCode: inHours ? '04' : '01',
		volume: inHours ? roundedMinutes / 60 : roundedMinutes,
		// Half a cent rounds up; the numerator is a whole number, so this is exact.
		amountCents: Math.round((roundedMinutes * contract.tariffCents) / 60),
		activities: b.activities.length,
	};
}

/** Rounds attended ms to whole steps of `stepMinutes`; returns minutes. */
export function roundMinutes(ms: number, rounding: Pick<Rounding, 'stepMinutes' | 'direction'>): number {
	const stepMs = rounding.stepMinutes * 60_000;
	const steps =
		rounding.direction === 'up'
			? Math.ceil(ms / stepMs)
			: rounding.direction === 'down'
				? Math.floor(ms / stepMs)
				: Math.floor((2 * ms + stepMs) / (2 * stepMs));
	return steps * rounding.stepMinutes;
}

/**
 * On-demand watching is never billed by these rules: Eigen regie is not billable at all, and the
 * other modules' recordings (the individual offer) have no live leader and no attendance to hold
 * against a threshold, so they are listed for the billing department to decide. One exception per
 * client × item × local day.
 */
function onDemandExceptions(
	days: readonly OnDemandDay[],
	indications: Map<string, Indication[]>,
	inPeriod: (date: string) => boolean,
): BillingException[] {
	const out: BillingException[] = [];
	for (const { clientId, itemId, module, date, at, maxPosition, duration } of days) {
		if (!inPeriod(date)) continue;
		const financer = indicationOn(indications.get(clientId) ?? [], clientId, date)?.financer ?? null;
		const watched = `watched up to ${Math.floor(maxPosition / 60)} of ${Math.floor(duration / 60)} min`;
		const eigenRegie = module === 'eigen-regie';
		out.push({
			clientId,
			sessionId: null,
			itemId,
			financer,
			month: date.slice(0, 7),
			at,
			reason: eigenRegie ? 'not_billable_module' : 'on_demand_not_billed',
			detail: eigenRegie
				? `on demand, module eigen-regie is not billable; ${watched}`
				: `on demand (individual offer), module ${module}: ${watched}`,
		});
	}
	return out;
}

/** On-demand days of every month, in the order of their first event. */
function onDemandDaysOf(ordered: readonly LedgerEvent[]): OnDemandDay[] {
	const days = new Map<string, OnDemandDay>();
	for (const e of ordered) {
		if (e.type !== 'library.watch') continue;
		const date = localDate(e.at);
		const key = `${e.participantId}\u0000${e.itemId}\u0000${date}`;
		const d = days.get(key);
		if (!d)
			days.set(key, {
				clientId: e.participantId,
				itemId: e.itemId,
				module: e.module,
				date,
				at: e.at,
				maxPosition: e.positionSeconds,
				duration: e.durationSeconds,
			});
		else {
			d.maxPosition = Math.max(d.maxPosition, e.positionSeconds);
			d.duration = e.durationSeconds;
		}
	}
	return [...days.values()];
}

/**
 * A duration for an exception's detail: `20 min`, `12 min 30 s`, `40 s`. Whole minutes alone read
 * "attended 0 min, needs 0 min" for a short activity (both under a minute), so seconds are shown
 * when there are any; attended time is rounded down and the need up, so the two never read equal.
 */
function duration(ms: number, round: 'down' | 'up'): string {
	const seconds = round === 'down' ? Math.floor(ms / 1000) : Math.ceil(ms / 1000);
	const min = Math.floor(seconds / 60);
	const sec = seconds % 60;
	if (min === 0) return `${sec} s`;
	return sec === 0 ? `${min} min` : `${min} min ${sec} s`;
}

function indicationsByClient(indications: readonly Indication[]): Map<string, Indication[]> {
	const map = new Map<string, Indication[]>();
	for (const i of indications) {
		const list = map.get(i.clientId);
		if (list) list.push(i);
		else map.set(i.clientId, [i]);
	}
	return map;
}

function checkPeriod(from: string, to: string): { from: string; to: string } {
	const f = monthSchema.safeParse(from);
	const t = monthSchema.safeParse(to);
	if (!f.success) throw new EngineError('invalid_argument', `from: expected YYYY-MM, got "${from}"`);
	if (!t.success) throw new EngineError('invalid_argument', `to: expected YYYY-MM, got "${to}"`);
	if (to < from) throw new EngineError('invalid_argument', `to (${to}) is before from (${from})`);
	return { from, to };
}

function checkOneTenant(events: readonly LedgerEvent[]): void {
	const tenants = new Set<string>();
	for (const e of events) tenants.add(e.tenantId);
	if (tenants.size > 1)
		throw new EngineError(
			'invalid_argument',
			`events of ${tenants.size} tenants: bill one tenant at a time (${[...tenants].sort().join(', ')})`,
		);
}
