import { deriveBilling, type BillingDerivation } from './billing.ts';
import { parseLedgerEvent, type LedgerEvent } from './ledger-events.ts';
import { localDate } from './local-time.ts';
import type { AttendanceEvent, LedgerChange, LedgerStore } from './store.ts';

/**
 * The billing derivation of each tenant's ledger, kept between requests: a month's bill then costs
 * the rules (milliseconds) instead of reading, checking, ordering and deriving the whole ledger
 * (over a second for a month of 2,700 clients; bench/src/billing.ts).
 *
 * A snapshot holds the derivation of all of a tenant's months and the store position it was read
 * at. It serves a period while the store is still at that position, or moved only by appends the
 * store reported in this process (`onChange`) that touched none of the period's months. Anything
 * else (another position, a forget or purge, a store that cannot tell its position) derives again
 * from the events, so a snapshot answers exactly what `bill()` over the events answers.
 */

/** What a snapshot needs of a store beyond reading it. */
export interface PositionedLedger {
	/** A token that changes with every change of the stored events. */
	position(tenantId: string): Promise<string>;
	/** Reports each durable append (and rewrite) with the positions before and after it. */
	onChange?(listener: (change: LedgerChange) => void): () => void;
}

interface Snapshot {
	position: string;
	derived: BillingDerivation;
	/** First and last event time of each session: a session's activities lie between them. */
	sessionSpans: Map<string, { first: number; last: number }>;
	/** Months appended to since the derivation (`YYYY-MM`): a period touching one derives again. */
	stale: Set<string>;
}

const DAY_MS = 24 * 60 * 60_000;

export class BillingSnapshots {
	readonly #store: LedgerStore & Partial<PositionedLedger>;
	readonly #snapshots = new Map<string, Snapshot>();
	readonly #unsubscribe: (() => void) | undefined;
	/** Derivations served from a snapshot and derived again (for tests and logs). */
	readonly stats = { warm: 0, cold: 0 };

	constructor(store: LedgerStore & Partial<PositionedLedger>) {
		this.#store = store;
		this.#unsubscribe = store.onChange?.((change) => this.#changed(change));
	}

	/**
	 * The derivation to bill `from`..`to` (`YYYY-MM`) of one tenant. `read` gives the tenant's parsed
	 * events (the caller's deadline applies to it); it is called only when no snapshot serves.
	 */
	async derivation(tenantId: string, from: string, to: string, read: () => Promise<LedgerEvent[]>): Promise<BillingDerivation> {
		if (!this.#store.position) {
			this.stats.cold++;
			return deriveBilling(await read());
		}
		// Read before the events: an append landing meanwhile leaves the snapshot behind the store,
		// so the next request derives again (never the reverse).
		const position = await this.#store.position(tenantId);
		const s = this.#snapshots.get(tenantId);
		if (s && s.position === position && ![...s.stale].some((m) => m >= from && m <= to)) {
			this.stats.warm++;
			return s.derived;
		}
		const events = await read();
		const derived = deriveBilling(events);
		this.#snapshots.set(tenantId, { position, derived, sessionSpans: spansOf(events), stale: new Set() });
		this.stats.cold++;
		return derived;
	}

	/** Stops following the store and drops every snapshot. */
	close(): void {
		this.#unsubscribe?.();
		this.#snapshots.clear();
	}

	#changed(change: LedgerChange): void {
		if (change.appended === undefined) {
			// Forget and purge rewrite events of any month: every snapshot derives again.
			this.#snapshots.clear();
			return;
		}
		const e = change.appended;
		for (const [tenantId, s] of this.#snapshots) {
			// A batch reports each of its events with the same positions: the snapshot may be at either.
			// One behind neither missed a change and derives again at its next request.
			if (s.position !== change.before && s.position !== change.after) continue;
			// The log's position is one for all tenants: another tenant's event moves it, and changes nothing here.
			s.position = change.after;
			if (tenantId !== e.tenantId) continue;
			const months = monthsTouched(e, s.sessionSpans);
			if (months === 'all') {
				this.#snapshots.delete(tenantId);
				continue;
			}
			for (const m of months) s.stale.add(m);
			// Later events of the session then touch the months between too.
			if (typeof e.sessionId === 'string') {
				const span = s.sessionSpans.get(e.sessionId);
				if (!span) s.sessionSpans.set(e.sessionId, { first: e.at, last: e.at });
				else {
					span.first = Math.min(span.first, e.at);
					span.last = Math.max(span.last, e.at);
				}
			}
		}
	}
}

/**
 * Months whose derivation an appended event can change. A session's activities start at one of
 * its events, and its facts (module, schedule, end) change only its own activities, so an event of
 * a session touches the months from the session's first event (or the day before this one, to be
 * safe) to the later of its last event and this one. A watch touches its own day.
 */
export function monthsTouched(raw: AttendanceEvent, spans: Map<string, { first: number; last: number }>): Set<string> | 'all' {
	const parsed = parseLedgerEvent(raw);
	// What does not parse (or is of another type) is left out of every derivation.
	if (!parsed.ok || parsed.event === null) return new Set();
	const e = parsed.event;
	if (e.type === 'library.watch') return new Set([localDate(e.at).slice(0, 7)]);
	if (!('sessionId' in e)) return 'all';
	const span = spans.get(e.sessionId);
	const first = Math.min(span?.first ?? e.at, e.at - DAY_MS);
	const last = Math.max(span?.last ?? e.at, e.at);
	const months = new Set<string>();
	// Step by days in UTC; each day's local month is taken, so month ends in any zone are met.
	for (let t = first; t < last + DAY_MS; t += DAY_MS) months.add(localDate(Math.min(t, last)).slice(0, 7));
	return months;
}

function spansOf(events: readonly LedgerEvent[]): Map<string, { first: number; last: number }> {
	const spans = new Map<string, { first: number; last: number }>();
	for (const e of events) {
		if (!('sessionId' in e)) continue;
		const s = spans.get(e.sessionId);
		if (!s) spans.set(e.sessionId, { first: e.at, last: e.at });
		else {
			if (e.at < s.first) s.first = e.at;
			if (e.at > s.last) s.last = e.at;
		}
	}
	return spans;
}
