import {
	compareRecords,
	cursorOf,
	encodeCursor,
	isActive,
	isAfter,
	matchesQuery,
	parseListQuery,
	sessionRecordSchema,
	sortKeyOf,
	type ListQuery,
	type SessionPage,
	type SessionRecord,
} from './record.ts';
import type { SessionStore } from './session-store.ts';

/**
 * Sessions in memory, indexed per tenant in listing order. Not durable on its own: the engine's
 * default when it runs without a host (tests, embedding), and the index behind the file store.
 */
export class MemorySessionStore implements SessionStore {
	get durable(): boolean {
		return false;
	}
	readonly #byId = new Map<string, SessionRecord>();
	/** Per tenant, its records; sorted lazily (a listing after many writes sorts once). */
	readonly #byTenant = new Map<string, { records: SessionRecord[]; sorted: boolean }>();

	async put(record: SessionRecord): Promise<void> {
		this.apply(sessionRecordSchema.parse(record));
	}

	/** Takes a record into the index (newer revisions only); true when it replaced or added one. */
	protected apply(record: SessionRecord): boolean {
		const old = this.#byId.get(record.id);
		if (old && old.revision > record.revision) return false;
		this.#byId.set(record.id, record);
		let t = this.#byTenant.get(record.tenantId);
		if (!t) {
			t = { records: [], sorted: true };
			this.#byTenant.set(record.tenantId, t);
		}
		if (old) t.records[t.records.indexOf(old)] = record;
		else t.records.push(record);
		t.sorted = false;
		return true;
	}

	protected remove(ids: ReadonlySet<string>): void {
		for (const id of ids) {
			const r = this.#byId.get(id);
			if (!r) continue;
			this.#byId.delete(id);
			const t = this.#byTenant.get(r.tenantId)!;
			t.records = t.records.filter((x) => x.id !== id);
		}
	}

	protected all(): IterableIterator<SessionRecord> {
		return this.#byId.values();
	}

	async get(tenantId: string, sessionId: string): Promise<SessionRecord | undefined> {
		const r = this.#byId.get(sessionId);
		return r && r.tenantId === tenantId ? r : undefined;
	}

	async list(tenantId: string, query: ListQuery = {}): Promise<SessionPage> {
		const q = parseListQuery(query);
		const t = this.#byTenant.get(tenantId);
		if (!t) return { sessions: [], nextCursor: undefined };
		if (!t.sorted) {
			t.records.sort(compareRecords);
			t.sorted = true;
		}
		// Binary search for the first record after the cursor, then walk.
		let lo = 0;
		let hi = t.records.length;
		while (lo < hi) {
			const mid = (lo + hi) >> 1;
			if (isAfter(sortKeyOf(t.records[mid]!), t.records[mid]!.id, q.after)) hi = mid;
			else lo = mid + 1;
		}
		const sessions: SessionRecord[] = [];
		let i = lo;
		for (; i < t.records.length && sessions.length < q.limit; i++) {
			const r = t.records[i]!;
			if (q.to !== undefined && sortKeyOf(r) >= q.to) {
				i = t.records.length;
				break;
			}
			if (matchesQuery(r, q)) sessions.push(r);
		}
		const more = sessions.length === q.limit && t.records.slice(i).some((r) => matchesQuery(r, q));
		return { sessions, nextCursor: more ? encodeCursor(cursorOf(sessions.at(-1)!)) : undefined };
	}

	async active(): Promise<SessionRecord[]> {
		return [...this.#byId.values()].filter(isActive);
	}

	async countCreatedSince(tenantId: string, sinceMs: number): Promise<number> {
		return this.#byTenant.get(tenantId)?.records.filter((r) => r.createdAt >= sinceMs).length ?? 0;
	}

	async close(): Promise<void> {}
}
