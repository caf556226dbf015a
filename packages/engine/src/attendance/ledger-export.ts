import { EngineError } from '../errors.ts';
import { startOfLocalDay } from './local-time.ts';
import type { AttendanceEvent, LedgerStore } from './store.ts';

/**
 * The ledger export: one tenant's events of a period, as the offline `luwte attendance bill
 * --events` reads them (one stored event per line). A period is whole local months, as billing
 * counts them. Billing the export offline gives what the host bills for those months, because a
 * session that has any event in the period is exported whole (its schedule from the month
 * before, a leave after midnight on the last day): its presence is derived from the same events.
 */

const monthPattern = /^\d{4}-(0[1-9]|1[0-2])$/;

/** `YYYY-MM`..`YYYY-MM` (inclusive, local time) → `[fromMs, toMs)`. */
export function monthPeriod(from: string, to: string): { fromMs: number; toMs: number } {
	if (!monthPattern.test(from)) throw new EngineError('invalid_argument', `from: expected YYYY-MM, got "${from}"`);
	if (!monthPattern.test(to)) throw new EngineError('invalid_argument', `to: expected YYYY-MM, got "${to}"`);
	if (to < from) throw new EngineError('invalid_argument', `to (${to}) is before from (${from})`);
	const [y, m] = to.split('-').map(Number) as [number, number];
	const next = m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`;
	return { fromMs: startOfLocalDay(`${from}-01`), toMs: startOfLocalDay(`${next}-01`) };
}

/**
 * The tenant's events in `[fromMs, toMs)` plus every event of the sessions among them, in the
 * store's order. Two passes over the store: the first collects the session IDs (only they are
 * held in memory), the second yields the events as they are read.
 */
export async function* ledgerExport(
	store: LedgerStore,
	tenantId: string,
	period: { fromMs: number; toMs: number },
): AsyncGenerator<AttendanceEvent> {
	const sessions = new Set<string>();
	for await (const e of store.replay({ tenantId, from: period.fromMs, to: period.toMs })) {
		if (typeof e.sessionId === 'string') sessions.add(e.sessionId);
	}
	for await (const e of store.replay({ tenantId })) {
		const inPeriod = e.at >= period.fromMs && e.at < period.toMs;
		if (inPeriod || (typeof e.sessionId === 'string' && sessions.has(e.sessionId))) yield e;
	}
}
