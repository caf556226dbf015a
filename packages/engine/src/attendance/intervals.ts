import { clip, groupByGap, total, union, type Interval } from './interval-math.ts';
import { canonicalOrder, type LedgerEvent } from './ledger-events.ts';
import { sessionFacts, type SessionFacts } from './sessions.ts';

/**
 * Presence intervals per participant and session, derived from joined / left / heartbeat /
 * session.ended events. Rules (docs/billing.md, "Presence"):
 * - a connection is present from its join to its leave;
 * - a connection that vanished (no leave) ends at its last heartbeat, or at its join without one:
 *   nothing after the last sign of life is counted, also after a server crash;
 * - the session's end closes everything;
 * - connections of one participant that overlap (a second tab, a reconnect that replaced the old
 *   connection) count once;
 * - a gap of at most `graceMs` between connections continues the same attendance, but the gap
 *   itself is not attended time.
 */

export const DEFAULT_GRACE_MS = 2 * 60_000;

export type PresenceRole = 'host' | 'participant' | 'location' | 'viewer';

export interface Attendance {
	start: number;
	end: number;
	/** Present time within [start, end): the gaps (reconnects) are not counted. */
	attendedMs: number;
	/** Gaps within the grace period that this attendance spans. */
	reconnects: number;
}

export interface Presence {
	sessionId: string;
	participantId: string;
	/** Role of the participant's first connection. */
	role: PresenceRole;
	/** Sorted, non-overlapping. */
	intervals: Interval[];
	attendances: Attendance[];
	attendedMs: number;
}

export interface PresenceOptions {
	graceMs?: number;
}

interface OpenConnection {
	key: string;
	sessionId: string;
	participantId: string;
	role: PresenceRole;
	start: number;
	lastSeen: number;
}

/** Presence of every participant in every session, sorted by session then participant. */
export function presenceIntervals(events: readonly LedgerEvent[], options: PresenceOptions = {}): Presence[] {
	const ordered = canonicalOrder(events);
	return presenceOfOrdered(ordered, sessionFacts(ordered), options);
}

/** `presenceIntervals` of events already in canonical order with their session facts (billing orders once). */
export function presenceOfOrdered(
	ordered: readonly LedgerEvent[],
	sessions: ReadonlyMap<string, SessionFacts>,
	options: PresenceOptions = {},
): Presence[] {
	const graceMs = options.graceMs ?? DEFAULT_GRACE_MS;
	// Open connections by session, participant and connection: nested maps, not a joined string key,
	// since building and hashing a new key for every heartbeat was most of this function's time.
	const open = new Map<string, Map<string, Map<string, OpenConnection>>>();
	// The same connections in the order they were opened: those never left are closed in that order.
	const openInOrder = new Set<OpenConnection>();
	const closed = new Map<string, { role: PresenceRole; firstAt: number; intervals: Interval[] }>();

	const close = (c: OpenConnection, end: number) => {
		open.get(c.sessionId)?.get(c.participantId)?.delete(c.key);
		openInOrder.delete(c);
		const pk = `${c.sessionId}\u0000${c.participantId}`;
		let p = closed.get(pk);
		if (!p) {
			p = { role: c.role, firstAt: c.start, intervals: [] };
			closed.set(pk, p);
		} else if (c.start < p.firstAt) {
			p.role = c.role;
			p.firstAt = c.start;
		}
		p.intervals.push({ start: c.start, end });
	};

	for (const e of ordered) {
		if (e.type !== 'participant.joined' && e.type !== 'participant.left' && e.type !== 'participant.heartbeat') continue;
		const key = e.connectionId;
		const c = open.get(e.sessionId)?.get(e.participantId)?.get(key);
		if (e.type === 'participant.joined') {
			if (c)
				c.lastSeen = e.at; // a repeated join of an open connection is a sign of life
			else {
				const opened = { key, sessionId: e.sessionId, participantId: e.participantId, role: e.role, start: e.at, lastSeen: e.at };
				connectionsOf(open, e.sessionId, e.participantId).set(key, opened);
				openInOrder.add(opened);
			}
		} else if (e.type === 'participant.heartbeat') {
			// A heartbeat without an open connection (its join missing, or after its leave) proves nothing.
			if (c) c.lastSeen = e.at;
		} else if (c) {
			close(c, e.at);
		}
	}
	for (const c of [...openInOrder]) close(c, c.lastSeen);

	const out: Presence[] = [];
	for (const [pk, p] of closed) {
		const [sessionId, participantId] = pk.split('\u0000') as [string, string];
		const endedAt = sessions.get(sessionId)?.endedAt ?? null;
		const intervals = union(endedAt === null ? p.intervals : clip(p.intervals, -Infinity, endedAt));
		if (intervals.length === 0) continue;
		const attendances = groupByGap(intervals, graceMs).map((g) => ({
			start: g[0]!.start,
			end: g.at(-1)!.end,
			attendedMs: total(g),
			reconnects: g.length - 1,
		}));
		out.push({ sessionId, participantId, role: p.role, intervals, attendances, attendedMs: total(intervals) });
	}
	return out.sort((a, b) => cmp(a.sessionId, b.sessionId) || cmp(a.participantId, b.participantId));
}

function connectionsOf(
	open: Map<string, Map<string, Map<string, OpenConnection>>>,
	sessionId: string,
	participantId: string,
): Map<string, OpenConnection> {
	let bySession = open.get(sessionId);
	if (!bySession) {
		bySession = new Map();
		open.set(sessionId, bySession);
	}
	let connections = bySession.get(participantId);
	if (!connections) {
		connections = new Map();
		bySession.set(participantId, connections);
	}
	return connections;
}

export function cmp(a: string, b: string): number {
	return a < b ? -1 : a > b ? 1 : 0;
}
