import { messageOf } from '@luwte/errors';
import type { Logger } from '../log/logger.ts';
import type { RedisClient } from '../storage/redis-connect.ts';

export interface HostEntry {
	hostId: string;
	epoch: string;
	/** Where other hosts send pipe media (UDP). */
	pipeAddress: string;
	/** Worker load (transports) summed over this host's workers. */
	load: number;
	at: number;
}

export interface RegistryOptions {
	redis: RedisClient;
	prefix: string;
	self: () => HostEntry;
	log: Logger;
	/** A host not heard of for this long is gone (default 5 s; heartbeats every third of it). */
	leaseMs?: number;
	/** Called once for every host (epoch) that is gone: its lease expired, or it came back as a new run. */
	onLost: (hostId: string, epoch: string) => void;
}

export const DEFAULT_LEASE_MS = 5_000;

/**
 * The hosts of a cluster, in Redis: each host refreshes its entry (a key with a lease, and its
 * score in a sorted set of expiry times) every third of the lease; a host whose lease ran out is
 * dropped. No consensus is needed: a lease is only ever extended by its own host, and every host
 * reaches the same verdict from the same keys. While Redis cannot be reached nobody is declared
 * lost (that would be the network talking, not the hosts); the view resumes when Redis answers.
 */
export class HostRegistry {
	readonly leaseMs: number;
	readonly #o: RegistryOptions;
	readonly #known = new Map<string, HostEntry>();
	#timer: NodeJS.Timeout | undefined;
	#ticking: Promise<void> | undefined;

	constructor(opts: RegistryOptions) {
		this.#o = opts;
		this.leaseMs = opts.leaseMs ?? DEFAULT_LEASE_MS;
	}

	async start(): Promise<void> {
		await this.tick();
		this.#timer = setInterval(
			() => {
				this.#ticking ??= this.tick()
					.catch((err: unknown) => this.#o.log.warn('cluster.heartbeat_failed', { error: messageOf(err) }))
					.finally(() => {
						this.#ticking = undefined;
					});
			},
			Math.max(100, Math.floor(this.leaseMs / 3)),
		);
		this.#timer.unref();
	}

	/** The hosts alive as last seen (this one included). */
	hosts(): HostEntry[] {
		return [...this.#known.values()];
	}

	alive(hostId: string, epoch?: string): boolean {
		const h = this.#known.get(hostId);
		return !!h && (epoch === undefined || h.epoch === epoch);
	}

	get(hostId: string): HostEntry | undefined {
		return this.#known.get(hostId);
	}

	/** One heartbeat: refresh our lease, read everyone's, report the lost. */
	async tick(now = Date.now()): Promise<void> {
		const { redis, prefix } = this.#o;
		const me = this.#o.self();
		const expires = now + this.leaseMs;
		await redis
			.multi()
			.set(`${prefix}host:${me.hostId}`, JSON.stringify(me), { PX: this.leaseMs })
			.zAdd(`${prefix}hosts`, { score: expires, value: me.hostId })
			.zRemRangeByScore(`${prefix}hosts`, '-inf', now)
			.exec();
		const ids = await redis.zRangeByScore(`${prefix}hosts`, now, '+inf');
		const raw = ids.length > 0 ? await redis.mGet(ids.map((id) => `${prefix}host:${id}`)) : [];
		const seen = new Map<string, HostEntry>();
		raw.forEach((r) => {
			if (!r) return;
			try {
				const h = JSON.parse(r) as HostEntry;
				if (typeof h.hostId === 'string' && typeof h.epoch === 'string') seen.set(h.hostId, h);
			} catch {
				// A malformed entry is not a host.
			}
		});
		for (const [hostId, h] of this.#known) {
			const now = seen.get(hostId);
			if (!now || now.epoch !== h.epoch) {
				this.#known.delete(hostId);
				if (hostId !== me.hostId || h.epoch !== me.epoch) this.#o.onLost(hostId, h.epoch);
			}
		}
		for (const [hostId, h] of seen) this.#known.set(hostId, h);
	}

	/** Stops the heartbeat and removes this host's entry (a clean stop: the others need not wait for the lease). */
	async stop(): Promise<void> {
		if (this.#timer) clearInterval(this.#timer);
		await this.#ticking;
		const { redis, prefix } = this.#o;
		const me = this.#o.self();
		await redis
			.multi()
			.del(`${prefix}host:${me.hostId}`)
			.zRem(`${prefix}hosts`, me.hostId)
			.exec()
			.catch(() => undefined);
	}
}
