import { EngineError, type EngineErrorCode } from '../errors.ts';
import type { TenantStore } from './tenant-store.ts';
import { TenantRegistry, type Tenant, type TenantPatch } from './tenants.ts';

/**
 * A host's tenants: the in-memory `TenantRegistry` every request reads (synchronously), backed
 * by a durable `TenantStore`. A change is written to the store first and reaches the registry
 * only once it is durable (the store reports it), so a failed write changes nothing; changes other
 * hosts make to a shared store reach the registry the same way, newest last. Without a store
 * (tenants given by an embedding host or a test) changes live in memory only.
 */
export class TenantDirectory {
	readonly registry: TenantRegistry;
	readonly store: TenantStore | undefined;
	readonly #stopWatching: () => void;

	constructor(registry: TenantRegistry, store?: TenantStore) {
		this.registry = registry;
		this.store = store;
		// Before the first read, so that nothing changed between reading and watching is missed.
		this.#stopWatching = store?.watch((t) => registry.put(t)) ?? (() => undefined);
	}

	/** Follows `store` and puts every tenant it holds into a (new) registry. */
	static async open(store: TenantStore, registry = new TenantRegistry()): Promise<TenantDirectory> {
		const directory = new TenantDirectory(registry, store);
		// A tenant already there was reported while the list was read: that version is as new or newer.
		for (const t of await store.list()) if (!registry.get(t.id)) registry.put(t);
		return directory;
	}

	/** Adds a tenant (`conflict` when this host or the store knows its ID). */
	async add(input: unknown, code: EngineErrorCode = 'invalid_argument'): Promise<Tenant> {
		if (!this.store) return this.registry.add(input, code);
		const id = (input as { id?: unknown } | null)?.id;
		if (typeof id === 'string' && this.registry.get(id)) throw new EngineError('conflict', `tenant ${id} exists`);
		// The store reports the new tenant to the registry before it resolves.
		return this.store.add(input);
	}

	/** Changes a tenant: `change` gets its current version (the store's, which may be newer than this host's). */
	async update(id: string, change: (current: Tenant) => TenantPatch): Promise<Tenant> {
		if (!this.store) {
			const current = this.registry.get(id);
			if (!current) throw new EngineError('not_found', `tenant ${id} not found`);
			return this.registry.update(id, change(current));
		}
		return this.store.update(id, change);
	}

	/** Stops following the store and releases it. */
	async close(): Promise<void> {
		this.#stopWatching();
		await this.store?.close();
	}
}
