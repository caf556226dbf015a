import type { createClient } from 'redis';
import { z } from 'zod';
import { EngineError, invalidInput, isEngineError } from '../errors.ts';
import { connectRedis } from '../storage/redis-connect.ts';
import { assertRedisDurable } from '../storage/redis-durability.ts';
import type { TenantStore } from './tenant-store.ts';
import { parseTenant, patchTenant, type Tenant, type TenantPatch } from './tenants.ts';

/**
 * Tenants in Redis, shared by every host that uses the same Redis: a hash `<key>` (tenant ID →
 * the tenant as JSON), a hash `<key>:rev` (tenant ID → revision, raised on every write) and the
 * channel `<key>:changed`, on which each write announces `<revision> <tenant JSON>`. A Lua script
 * writes, raises the revision and announces in one step, so no host misses a change it did not
 * make while subscribed; a host that was cut off from Redis reads every tenant again when it is
 * back. Revisions keep each host from going back to an older version when announcements and its
 * own writes cross.
 *
 * An update is a compare-and-set: the script writes only when the stored JSON is still the one
 * the change was computed from, else the change is computed again from the newer one. So two
 * hosts adding an API key to one tenant at once keep both keys.
 *
 * Durable as the ledger's Redis store: `open` checks that Redis fsyncs its AOF before it replies
 * (appendonly yes, appendfsync always), unless told not to.
 */

export const redisTenantStoreOptionsSchema = z
	.object({
		url: z.string().regex(/^rediss?:\/\//, 'a redis:// or rediss:// URL'),
		key: z
			.string()
			.regex(/^[A-Za-z0-9:_.{}-]{1,64}$/)
			.default('luwte:tenants'),
		/** Refuse to open unless Redis fsyncs its AOF before replying (appendonly yes, appendfsync always). */
		checkPersistence: z.boolean().default(true),
	})
	.strict();
export type RedisTenantStoreOptions = z.input<typeof redisTenantStoreOptionsSchema> & {
	/** Told about an announcement or a re-read that failed (the host logs it); the store goes on. */
	onError?: (err: unknown) => void;
};

type Client = ReturnType<typeof createClient>;

// KEYS: tenants hash, revisions hash. ARGV: id, JSON, channel. Returns the revision, or 0 when the ID is taken.
const ADD_SCRIPT = `
if redis.call('HSETNX', KEYS[1], ARGV[1], ARGV[2]) == 0 then return 0 end
local rev = redis.call('HINCRBY', KEYS[2], ARGV[1], 1)
redis.call('PUBLISH', ARGV[3], rev .. ' ' .. ARGV[2])
return rev
`;

// KEYS: tenants hash, revisions hash. ARGV: id, expected JSON, new JSON, channel. Returns the revision, or 0 when the stored JSON changed meanwhile.
const UPDATE_SCRIPT = `
if redis.call('HGET', KEYS[1], ARGV[1]) ~= ARGV[2] then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
local rev = redis.call('HINCRBY', KEYS[2], ARGV[1], 1)
redis.call('PUBLISH', ARGV[4], rev .. ' ' .. ARGV[3])
return rev
`;

/** Compare-and-set rounds before an update gives up (only when other hosts keep changing the same tenant). */
const MAX_ROUNDS = 20;

export class RedisTenantStore implements TenantStore {
	readonly #client: Client;
	readonly #sub: Client;
	readonly #key: string;
	readonly #onError: (err: unknown) => void;
	/** The newest revision of each tenant this store returned or reported. */
	readonly #revs = new Map<string, number>();
	readonly #listeners = new Set<(tenant: Tenant) => void>();
	#closed = false;
	/** Calls waiting for Redis: `close` lets them finish. */
	readonly #inFlight = new Set<Promise<unknown>>();

	private constructor(client: Client, sub: Client, key: string, onError: (err: unknown) => void) {
		this.#client = client;
		this.#sub = sub;
		this.#key = key;
		this.#onError = onError;
	}

	/** Connects and subscribes to the announcements; `invalid_config` when Redis would acknowledge before fsync. */
	static async open(input: RedisTenantStoreOptions): Promise<RedisTenantStore> {
		const { onError, ...rest } = input;
		const parsed = redisTenantStoreOptionsSchema.safeParse(rest);
		if (!parsed.success) throw invalidInput('invalid_config', 'Redis tenant store option', parsed.error.issues);
		// Without the offline queue a write while Redis is away fails at once (the operator sees 503)
		// instead of waiting for a reconnect that may not come.
		const client: Client = await connectRedis(parsed.data.url, 'tenant store', { disableOfflineQueue: true });
		const sub: Client = client.duplicate({ disableOfflineQueue: false });
		// Errors surface on the commands that fail; without a listener node-redis would crash the process.
		sub.on('error', () => undefined);
		let store: RedisTenantStore | undefined;
		try {
			if (parsed.data.checkPersistence) await assertRedisDurable(client, 'tenant store');
			store = new RedisTenantStore(client, sub, parsed.data.key, onError ?? (() => undefined));
			const s = store;
			await sub.connect();
			await sub.subscribe(`${parsed.data.key}:changed`, (message) => s.#announced(message));
			// node-redis subscribes again after a reconnect; what was announced meanwhile is read again.
			sub.on('ready', () => void s.#reread());
		} catch (err) {
			for (const c of [client, sub]) if (c.isOpen) c.destroy();
			if (isEngineError(err)) throw err;
			throw new EngineError('unavailable', `Redis tenant store: ${String(err)}`, { cause: err });
		}
		return store;
	}

	async list(): Promise<Tenant[]> {
		const all = await this.#readAll();
		for (const { tenant, rev } of all) this.#newer(tenant.id, rev);
		return all.map((e) => e.tenant);
	}

	async add(input: unknown): Promise<Tenant> {
		const tenant = parseTenant(input, 'invalid_argument');
		const rev = Number(
			await this.#redis('written', () =>
				this.#client.eval(ADD_SCRIPT, {
					keys: [this.#key, this.#revKey],
					arguments: [tenant.id, JSON.stringify(tenant), this.#channel],
				}),
			),
		);
		if (rev === 0) throw new EngineError('conflict', `tenant ${tenant.id} exists`);
		this.#report(tenant, rev);
		return tenant;
	}

	async update(id: string, change: (current: Tenant) => TenantPatch): Promise<Tenant> {
		for (let round = 0; round < MAX_ROUNDS; round++) {
			const stored = await this.#redis('read', () => this.#client.hGet(this.#key, id));
			if (stored === null || stored === undefined) throw new EngineError('not_found', `tenant ${id} not found`);
			const current = this.#parseStored(id, stored);
			const tenant = patchTenant(current, change(current));
			const rev = Number(
				await this.#redis('written', () =>
					this.#client.eval(UPDATE_SCRIPT, {
						keys: [this.#key, this.#revKey],
						arguments: [id, stored, JSON.stringify(tenant), this.#channel],
					}),
				),
			);
			if (rev > 0) {
				this.#report(tenant, rev);
				return tenant;
			}
		}
		throw new EngineError('conflict', `tenant ${id} is being changed elsewhere; try again`);
	}

	watch(listener: (tenant: Tenant) => void): () => void {
		this.#listeners.add(listener);
		return () => this.#listeners.delete(listener);
	}

	async close(): Promise<void> {
		if (this.#closed) return;
		this.#closed = true;
		this.#listeners.clear();
		await Promise.allSettled(this.#inFlight);
		// Nothing is waiting for a reply now. `destroy`, not `close`: a client that is reconnecting
		// would keep `close` waiting for a server that may not come back.
		for (const c of [this.#sub, this.#client]) if (c.isOpen) c.destroy();
	}

	get #revKey(): string {
		return `${this.#key}:rev`;
	}

	get #channel(): string {
		return `${this.#key}:changed`;
	}

	/** True (and remembered) when `rev` is newer than what this store has seen of the tenant. */
	#newer(id: string, rev: number): boolean {
		if (!Number.isSafeInteger(rev) || rev <= (this.#revs.get(id) ?? 0)) return false;
		this.#revs.set(id, rev);
		return true;
	}

	#report(tenant: Tenant, rev: number): void {
		if (this.#closed || !this.#newer(tenant.id, rev)) return;
		for (const l of this.#listeners) {
			try {
				l(tenant);
			} catch (err) {
				this.#onError(err);
			}
		}
	}

	#announced(message: string): void {
		const space = message.indexOf(' ');
		try {
			const tenant = parseTenant(JSON.parse(message.slice(space + 1)), 'invalid_config');
			this.#report(tenant, Number(message.slice(0, space)));
		} catch (err) {
			this.#onError(new EngineError('invalid_config', `an invalid tenant was announced on ${this.#channel}: ${String(err)}`));
		}
	}

	async #reread(): Promise<void> {
		try {
			for (const { tenant, rev } of await this.#readAll()) this.#report(tenant, rev);
		} catch (err) {
			this.#onError(err);
		}
	}

	/** Every tenant with its revision, read in one transaction (so the two hashes agree). */
	async #readAll(): Promise<{ tenant: Tenant; rev: number }[]> {
		const [tenants, revs] = (await this.#redis('read', () =>
			this.#client.multi().hGetAll(this.#key).hGetAll(this.#revKey).exec(),
		)) as unknown as [Record<string, string>, Record<string, string>];
		return Object.keys(tenants)
			.sort()
			.map((id) => ({ tenant: this.#parseStored(id, tenants[id]!), rev: Number(revs[id] ?? 0) }));
	}

	#parseStored(id: string, json: string): Tenant {
		let tenant: Tenant;
		try {
			tenant = parseTenant(JSON.parse(json), 'invalid_config');
		} catch (err) {
			throw new EngineError('invalid_config', `Redis ${this.#key} holds an invalid tenant ${id}: ${String(err)}`, { cause: err });
		}
		if (tenant.id !== id) throw new EngineError('invalid_config', `Redis ${this.#key} holds tenant ${tenant.id} under ${id}`);
		return tenant;
	}

	/** Runs one Redis call; a failure becomes `unavailable` (nothing was changed, or it is unknown whether). */
	async #redis<T>(what: 'read' | 'written', call: () => Promise<T>): Promise<T> {
		if (this.#closed) throw new EngineError('unavailable', 'the tenant store is closed');
		const p = (async () => call())();
		this.#inFlight.add(p);
		try {
			return await p;
		} catch (err) {
			throw new EngineError('unavailable', `the tenant store could not be ${what}: ${String(err)}`, { cause: err });
		} finally {
			this.#inFlight.delete(p);
		}
	}
}
