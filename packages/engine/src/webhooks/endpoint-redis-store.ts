import { EngineError } from '../errors.ts';
import { connectRedis, type RedisClient } from '../storage/redis-connect.ts';
import { assertRedisDurable } from '../storage/redis-durability.ts';
import { MAX_ENDPOINTS_PER_TENANT, type WebhookEndpointStore } from './endpoint-store.ts';
import { notFound, parseEndpoint, type WebhookEndpoint, type WebhookEndpointPatch } from './endpoints.ts';

export interface RedisWebhookEndpointStoreOptions {
	url: string;
	/** The hash holding every endpoint (ID → JSON). */
	key?: string;
	/** How often the cache is read again, so changes made on other hosts show (default 2 s). */
	refreshMs?: number;
	/** Refuse to open unless Redis fsyncs its AOF before replying (default true). */
	checkPersistence?: boolean;
	/** A refresh that failed (the cache stays as it was). */
	onError?: (err: unknown) => void;
}

// KEYS: hash. ARGV: id, expected JSON, new JSON. 1 when written, 0 when the stored JSON changed meanwhile.
const UPDATE_SCRIPT = `
if redis.call('HGET', KEYS[1], ARGV[1]) ~= ARGV[2] then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
return 1
`;

/**
 * Webhook endpoints in a Redis hash, shared by the hosts of a cluster (`--redis-url`). Reads are
 * served from a cache (the dispatcher looks endpoints up synchronously, inside engine events),
 * read again every `refreshMs`: another host's change shows here within that bound. Writes go to
 * Redis first and resolve once it acknowledged them (fsynced, with the AOF settings the host
 * checks); an update is a compare-and-set, so two hosts changing one endpoint lose neither change.
 */
export class RedisWebhookEndpointStore implements WebhookEndpointStore {
	readonly #client: RedisClient;
	readonly #key: string;
	#cache = new Map<string, WebhookEndpoint>();
	readonly #timer: NodeJS.Timeout;
	readonly #onError: (err: unknown) => void;
	#refreshing: Promise<void> | undefined;

	private constructor(client: RedisClient, key: string, refreshMs: number, onError: (err: unknown) => void) {
		this.#client = client;
		this.#key = key;
		this.#onError = onError;
		this.#timer = setInterval(() => void this.refresh().catch((err: unknown) => this.#onError(err)), refreshMs);
		this.#timer.unref();
	}

	static async open(opts: RedisWebhookEndpointStoreOptions): Promise<RedisWebhookEndpointStore> {
		const client = await connectRedis(opts.url, 'webhook endpoints', { disableOfflineQueue: true });
		try {
			if (opts.checkPersistence !== false) await assertRedisDurable(client, 'webhook endpoints');
			const store = new RedisWebhookEndpointStore(
				client,
				opts.key ?? 'luwte:webhooks:endpoints',
				opts.refreshMs ?? 2_000,
				opts.onError ?? (() => undefined),
			);
			await store.refresh();
			return store;
		} catch (err) {
			if (client.isOpen) client.destroy();
			throw err;
		}
	}

	/** Reads every endpoint again (also on a timer). */
	refresh(): Promise<void> {
		this.#refreshing ??= (async () => {
			try {
				const all = await this.#redis(() => this.#client.hGetAll(this.#key));
				const next = new Map<string, WebhookEndpoint>();
				for (const [id, text] of Object.entries(all)) {
					try {
						next.set(id, parseEndpoint(JSON.parse(text), 'invalid_config'));
					} catch (err) {
						this.#onError(err);
					}
				}
				this.#cache = next;
			} finally {
				this.#refreshing = undefined;
			}
		})();
		return this.#refreshing;
	}

	list(tenantId?: string): WebhookEndpoint[] {
		return [...this.#cache.values()].filter((e) => tenantId === undefined || e.tenantId === tenantId);
	}

	get(tenantId: string, id: string): WebhookEndpoint {
		const e = this.#cache.get(id);
		if (!e || e.tenantId !== tenantId) throw notFound(id);
		return e;
	}

	find(id: string): WebhookEndpoint | undefined {
		return this.#cache.get(id);
	}

	async add(endpoint: WebhookEndpoint): Promise<WebhookEndpoint> {
		const e = parseEndpoint(endpoint);
		await this.refresh();
		if (this.list(e.tenantId).length >= MAX_ENDPOINTS_PER_TENANT)
			throw new EngineError('quota_exceeded', `a tenant has at most ${MAX_ENDPOINTS_PER_TENANT} webhook endpoints`);
		const added = await this.#redis(() => this.#client.hSetNX(this.#key, e.id, JSON.stringify(e)));
		if (!added) throw new EngineError('conflict', `webhook endpoint ${e.id} exists`);
		this.#cache.set(e.id, e);
		return e;
	}

	async update(tenantId: string, id: string, change: (current: WebhookEndpoint) => WebhookEndpointPatch): Promise<WebhookEndpoint> {
		for (let round = 0; round < 20; round++) {
			const stored = await this.#redis(() => this.#client.hGet(this.#key, id));
			if (stored === null || stored === undefined) throw notFound(id);
			const current = parseEndpoint(JSON.parse(stored), 'invalid_config');
			if (current.tenantId !== tenantId) throw notFound(id);
			const e = parseEndpoint({ ...current, ...change(current), updatedAt: Date.now() });
			const written = await this.#redis(() =>
				this.#client.eval(UPDATE_SCRIPT, { keys: [this.#key], arguments: [id, stored, JSON.stringify(e)] }),
			);
			if (Number(written) === 1) {
				this.#cache.set(id, e);
				return e;
			}
		}
		throw new EngineError('conflict', `webhook endpoint ${id} keeps changing on other hosts; try again`);
	}

	async remove(tenantId: string, id: string): Promise<WebhookEndpoint> {
		const e = this.get(tenantId, id);
		const removed = await this.#redis(() => this.#client.hDel(this.#key, id));
		this.#cache.delete(id);
		if (!removed) throw notFound(id);
		return e;
	}

	async close(): Promise<void> {
		clearInterval(this.#timer);
		await this.#refreshing?.catch(() => undefined);
		if (this.#client.isOpen) await this.#client.close();
	}

	async #redis<T>(fn: () => Promise<T>): Promise<T> {
		try {
			return await fn();
		} catch (err) {
			throw new EngineError('unavailable', `Redis (webhook endpoints): ${String(err)}`, { cause: err });
		}
	}
}
