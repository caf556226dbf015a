import type { Tenant, TenantPatch } from './tenants.ts';

/**
 * The durable backing of a host's tenants: `<dataDir>/tenants.json` (one host) or a Redis hash
 * (several hosts share their tenants). A host answers requests from its in-memory
 * `TenantRegistry`; `TenantDirectory` keeps that registry in step with the store.
 *
 * Every write resolves only once it is durable, and a refused or failed write changes nothing.
 */
export interface TenantStore {
	/** Every stored tenant. */
	list(): Promise<Tenant[]>;
	/**
	 * Stores a new tenant: `invalid_argument` when it is not a valid tenant, `conflict` when its ID
	 * is taken (in the store, by whichever host added it).
	 */
	add(input: unknown): Promise<Tenant>;
	/**
	 * Changes a stored tenant: `change` gets the stored tenant and returns the fields to replace; the
	 * result is validated like a new tenant (`invalid_argument`); `not_found` for an unknown ID. A
	 * change made meanwhile by another host is not lost: `change` is then applied to the newer one.
	 */
	update(id: string, change: (current: Tenant) => TenantPatch): Promise<Tenant>;
	/**
	 * Reports each tenant as it becomes the newest version in the store: those this store wrote
	 * (before `add` or `update` resolves) and those others sharing it wrote (other hosts), never one
	 * older than what it reported before. Returns a function that stops the reports.
	 */
	watch(listener: (tenant: Tenant) => void): () => void;
	/** Waits for writes in progress, then releases the store. */
	close(): Promise<void>;
}
