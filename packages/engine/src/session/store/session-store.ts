import type { ListQuery, SessionPage, SessionRecord } from './record.ts';

/**
 * Where sessions are kept (docs/sessions.md): the embedded file under the data directory, or
 * Redis for several hosts; `MemorySessionStore` for an engine used on its own (not durable).
 * Every write resolves once durable, so what the API acknowledged survives a crash.
 */
export interface SessionStore {
	/** Whether what it holds survives the process (false: an engine ending its sessions on close). */
	readonly durable: boolean;
	/** Stores a record (insert or replace), durably; a record older than the stored one (`revision`) is ignored. */
	put(record: SessionRecord): Promise<void>;
	get(tenantId: string, sessionId: string): Promise<SessionRecord | undefined>;
	/** One page of a tenant's sessions, in order of when they take place (see `ListQuery`). */
	list(tenantId: string, query?: ListQuery): Promise<SessionPage>;
	/** Every scheduled or live session of every tenant (reloaded at start). */
	active(): Promise<SessionRecord[]>;
	/** How many sessions a tenant created at or after `sinceMs` (the daily quota). */
	countCreatedSince(tenantId: string, sinceMs: number): Promise<number>;
	close(): Promise<void>;
}
