import { csvCell, type Cell } from './billing-export.ts';
import { cmp, presenceIntervals, type PresenceOptions, type PresenceRole } from './intervals.ts';
import type { LedgerEvent } from './ledger-events.ts';

/**
 * Who attended one session and for how long: the per-session attendance export (admin API
 * `GET /v1/sessions/{sessionId}/attendance`, `luwte attendance export --session`). Derived from
 * the same presence rules as billing (docs/billing.md, "Presence"), so its times are the ones billed.
 */
export interface SessionAttendanceRow {
	participantId: string;
	role: PresenceRole;
	/** Start of the first presence (ms). */
	joinedAt: number;
	/** End of the last presence (ms): for a session still live, its last sign of life so far. */
	leftAt: number;
	/** Present time; gaps (reconnects, absences) not counted. */
	attendedMs: number;
	/** Returns within the grace period (a dropped connection that came back). */
	reconnects: number;
	/** Separate stays: a return after more than the grace period starts another. */
	stays: number;
}

export interface SessionAttendance {
	sessionId: string;
	participants: SessionAttendanceRow[];
}

/** Attendance of one session, participants sorted by ID; events of other sessions are ignored. */
export function sessionAttendance(events: readonly LedgerEvent[], sessionId: string, options: PresenceOptions = {}): SessionAttendance {
	const own = events.filter((e) => 'sessionId' in e && e.sessionId === sessionId);
	const participants = presenceIntervals(own, options).map((p) => ({
		participantId: p.participantId,
		role: p.role,
		joinedAt: p.intervals[0]!.start,
		leftAt: p.intervals.at(-1)!.end,
		attendedMs: p.attendedMs,
		reconnects: p.attendances.reduce((n, a) => n + a.reconnects, 0),
		stays: p.attendances.length,
	}));
	participants.sort((a, b) => cmp(a.participantId, b.participantId));
	return { sessionId, participants };
}

export const sessionAttendanceCsvColumns = [
	'sessionId',
	'participantId',
	'role',
	'joinedAt',
	'leftAt',
	'attendedMinutes',
	'attendedSeconds',
	'reconnects',
	'stays',
] as const;

/** Whole minutes and seconds attended, rounded down (a spreadsheet sums either). */
export function attendedParts(ms: number): { attendedMinutes: number; attendedSeconds: number } {
	return { attendedMinutes: Math.floor(ms / 60_000), attendedSeconds: Math.floor(ms / 1000) };
}

/** CSV (RFC 4180 quoting, `\n` line ends), one row per participant; times as UTC ISO strings. */
export function sessionAttendanceToCsv(a: SessionAttendance): string {
	const rows: Cell[][] = [[...sessionAttendanceCsvColumns]];
	for (const p of a.participants) {
		const { attendedMinutes, attendedSeconds } = attendedParts(p.attendedMs);
		rows.push([
			a.sessionId,
			p.participantId,
			p.role,
			new Date(p.joinedAt).toISOString(),
			new Date(p.leftAt).toISOString(),
			attendedMinutes,
			attendedSeconds,
			p.reconnects,
			p.stays,
		]);
	}
	return `${rows.map((r) => r.map(csvCell).join(',')).join('\n')}\n`;
}
