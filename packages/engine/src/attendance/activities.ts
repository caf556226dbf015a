import type { ActivityModule } from '../session/activity.ts';
import { DEFAULT_THRESHOLD, type Threshold } from './contracts.ts';
import { presenceOfOrdered, type Presence, type PresenceOptions } from './intervals.ts';
import { canonicalOrder, type LedgerEvent } from './ledger-events.ts';
import { localDate } from './local-time.ts';
import { sessionFacts, type SessionFacts } from './sessions.ts';

/** One client's attendance of one live session: the unit the billing rules count. */
export interface LiveActivity {
	sessionId: string;
	clientId: string;
	module: ActivityModule | null;
	/** Start of the client's first presence: the delivery moment. */
	at: number;
	/** Local date (Europe/Amsterdam) of `at`: decides indication, pairing window and month. */
	date: string;
	attendedMs: number;
	/** What a share threshold is a share of: the scheduled length, else the session's actual length. */
	referenceMs: number;
}

/**
 * Live activities of clients: presence of role `participant` (hosts, locations and viewers are not
 * billed; clients on site are billed as ordinary day care by the location).
 */
export function liveActivities(events: readonly LedgerEvent[], options: PresenceOptions = {}): LiveActivity[] {
	return liveActivitiesOfOrdered(canonicalOrder(events), options);
}

/** `liveActivities` of events already in canonical order (billing orders them once for all its steps). */
export function liveActivitiesOfOrdered(ordered: readonly LedgerEvent[], options: PresenceOptions = {}): LiveActivity[] {
	const sessions = sessionFacts(ordered);
	const presences = presenceOfOrdered(ordered, sessions, options);
	const spans = actualSpans(presences);
	const out: LiveActivity[] = [];
	for (const p of presences) {
		if (p.role !== 'participant') continue;
		const facts = sessions.get(p.sessionId);
		const at = p.intervals[0]!.start;
		out.push({
			sessionId: p.sessionId,
			clientId: p.participantId,
			module: facts?.module ?? null,
			at,
			date: localDate(at),
			attendedMs: p.attendedMs,
			referenceMs: referenceLength(facts, spans.get(p.sessionId)!),
		});
	}
	return out;
}

function actualSpans(presences: readonly Presence[]): Map<string, { start: number; end: number }> {
	const spans = new Map<string, { start: number; end: number }>();
	for (const p of presences) {
		const s = spans.get(p.sessionId);
		const start = p.intervals[0]!.start;
		const end = p.intervals.at(-1)!.end;
		if (!s) spans.set(p.sessionId, { start, end });
		else {
			s.start = Math.min(s.start, start);
			s.end = Math.max(s.end, end);
		}
	}
	return spans;
}

function referenceLength(facts: SessionFacts | undefined, span: { start: number; end: number }): number {
	if (facts?.scheduledStart != null && facts.scheduledEnd != null) return facts.scheduledEnd - facts.scheduledStart;
	return (facts?.endedAt ?? span.end) - (facts?.startedAt ?? span.start);
}

/** Attended time an activity needs to qualify under `threshold`, in ms. */
export function requiredMs(activity: LiveActivity, threshold: Threshold = DEFAULT_THRESHOLD): number {
	if ('minutes' in threshold) return threshold.minutes * 60_000;
	return Math.ceil(activity.referenceMs * threshold.shareOfScheduled);
}

/** Whether the client attended enough of the activity for it to count. */
export function qualifies(activity: LiveActivity, threshold: Threshold = DEFAULT_THRESHOLD): boolean {
	return activity.attendedMs >= requiredMs(activity, threshold);
}
