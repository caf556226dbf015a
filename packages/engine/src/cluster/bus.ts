import { randomUUID } from 'node:crypto';
import { messageOf } from '@luwte/errors';
import type { z } from 'zod';
import { EngineError } from '../errors.ts';
import type { Logger } from '../log/logger.ts';
import { connectRedis, type RedisClient } from '../storage/redis-connect.ts';
import {
	clusterMessageSchema,
	hostMessageSchema,
	sessionMessageSchema,
	type ClusterMessage,
	type HostMessage,
	type SessionMessage,
} from './messages.ts';

/** Messages without the sender fields (the bus adds them). */
type Unsigned<M> = M extends unknown ? Omit<M, 'from' | 'epoch'> : never;
type Reply = Extract<HostMessage, { type: 'pulled' | 'forwarded' | 'failed' }>;
type Request = Extract<HostMessage, { type: 'pull' | 'forward' }>;

export interface BusOptions {
	url: string;
	/** Key and channel prefix shared by the hosts of one cluster. */
	prefix: string;
	hostId: string;
	/** This run of the host: a restarted host is a new epoch, so the others drop what they knew of it. */
	epoch: string;
	log: Logger;
}

/** How long a request to another host may take before it fails (a pull: one transport and one consumer there). */
export const REQUEST_TIMEOUT_MS = 10_000;

/**
 * The cluster's message bus on Redis pub/sub: a channel per session (hosts holding it), one for
 * the cluster (every host) and one per host (requests and answers). Pub/sub keeps the order of one
 * publisher's messages on a channel, which the session protocol relies on (a producer is announced
 * after its participant). Pub/sub is fire-and-forget: what must survive an outage (attendance) does
 * not travel here; a host that missed messages asks for the state again (`hello`).
 */
export class ClusterBus {
	readonly hostId: string;
	readonly epoch: string;
	readonly #prefix: string;
	readonly #pub: RedisClient;
	readonly #sub: RedisClient;
	readonly #log: Logger;
	readonly #pending = new Map<string, { resolve: (m: Reply) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }>();
	#onHost: (m: HostMessage) => void = () => undefined;
	#closed = false;

	private constructor(opts: BusOptions, pub: RedisClient, sub: RedisClient) {
		this.hostId = opts.hostId;
		this.epoch = opts.epoch;
		this.#prefix = opts.prefix;
		this.#pub = pub;
		this.#sub = sub;
		this.#log = opts.log;
	}

	static async open(opts: BusOptions): Promise<ClusterBus> {
		const pub = await connectRedis(opts.url, 'cluster bus', { disableOfflineQueue: true });
		let sub: RedisClient;
		try {
			sub = await connectRedis(opts.url, 'cluster bus (subscriber)');
		} catch (err) {
			pub.destroy();
			throw err;
		}
		const bus = new ClusterBus(opts, pub, sub);
		await sub.subscribe(bus.#channel('host', opts.hostId), (raw) => bus.#receiveHost(raw));
		return bus;
	}

	/** The Redis client for commands (registry, directory). */
	get redis(): RedisClient {
		return this.#pub;
	}

	get prefix(): string {
		return this.#prefix;
	}

	/** Whether Redis is reachable now (commands fail at once while it is not). */
	get available(): boolean {
		return this.#pub.isReady;
	}

	async onCluster(handler: (m: ClusterMessage) => void): Promise<void> {
		await this.#sub.subscribe(this.#channel('cluster'), (raw) => {
			const m = this.#parse(clusterMessageSchema, raw, 'cluster');
			if (m && !this.#mine(m)) handler(m);
		});
	}

	onHost(handler: (m: HostMessage) => void): void {
		this.#onHost = handler;
	}

	/** Called each time Redis answers again after an outage (the subscriptions are back by then). */
	onReconnect(handler: () => void): void {
		let lost = false;
		this.#pub.on('error', () => {
			lost = true;
		});
		this.#pub.on('ready', () => {
			if (!lost) return;
			lost = false;
			// The subscriber reconnects on its own schedule; its subscriptions come back with it.
			const resubscribed = (): void => {
				if (this.#closed) return;
				if (this.#sub.isReady) handler();
				else setTimeout(resubscribed, 200).unref();
			};
			resubscribed();
		});
	}

	async subscribeSession(sessionId: string, handler: (m: SessionMessage) => void): Promise<void> {
		await this.#sub.subscribe(this.#channel('session', sessionId), (raw) => {
			const m = this.#parse(sessionMessageSchema, raw, 'session');
			if (m && !this.#mine(m)) handler(m);
		});
	}

	async unsubscribeSession(sessionId: string): Promise<void> {
		if (this.#closed) return;
		await this.#sub.unsubscribe(this.#channel('session', sessionId));
	}

	publishSession(sessionId: string, m: Unsigned<SessionMessage>): Promise<void> {
		return this.#publish(this.#channel('session', sessionId), m);
	}

	publishCluster(m: Unsigned<ClusterMessage>): Promise<void> {
		return this.#publish(this.#channel('cluster'), m);
	}

	sendHost(hostId: string, m: Unsigned<HostMessage> | HostMessage): Promise<void> {
		return this.#publish(this.#channel('host', hostId), m);
	}

	/** Sends a request to one host and waits for its answer (`pulled`, `forwarded` or `failed`), at most `REQUEST_TIMEOUT_MS`. */
	async request(
		hostId: string,
		m: Request extends infer R ? (R extends unknown ? Omit<Unsigned<R>, 'requestId'> : never) : never,
	): Promise<Reply> {
		const requestId = randomUUID();
		const answer = new Promise<Reply>((resolve, reject) => {
			const timer = setTimeout(() => {
				this.#pending.delete(requestId);
				reject(new EngineError('unavailable', `host ${hostId} did not answer within ${REQUEST_TIMEOUT_MS} ms`));
			}, REQUEST_TIMEOUT_MS);
			timer.unref();
			this.#pending.set(requestId, { resolve, reject, timer });
		});
		try {
			await this.sendHost(hostId, { ...m, requestId });
		} catch (err) {
			const p = this.#pending.get(requestId);
			if (p) clearTimeout(p.timer);
			this.#pending.delete(requestId);
			throw err;
		}
		return answer;
	}

	async close(): Promise<void> {
		if (this.#closed) return;
		this.#closed = true;
		for (const [, p] of this.#pending) {
			clearTimeout(p.timer);
			p.reject(new EngineError('unavailable', 'the cluster bus closed'));
		}
		this.#pending.clear();
		await Promise.allSettled([this.#sub.close(), this.#pub.close()]);
	}

	async #publish(channel: string, m: object): Promise<void> {
		if (this.#closed) return;
		try {
			await this.#pub.publish(channel, JSON.stringify({ from: this.hostId, epoch: this.epoch, ...m }));
		} catch (err) {
			throw new EngineError('unavailable', `the cluster bus (Redis) is unavailable: ${messageOf(err)}`, { cause: err });
		}
	}

	#receiveHost(raw: string): void {
		const m = this.#parse(hostMessageSchema, raw, 'host');
		if (!m) return;
		if (m.type === 'pulled' || m.type === 'forwarded' || m.type === 'failed') {
			const p = this.#pending.get(m.requestId);
			if (!p) return; // answered too late: the request already failed
			this.#pending.delete(m.requestId);
			clearTimeout(p.timer);
			p.resolve(m);
			return;
		}
		this.#onHost(m);
	}

	#mine(m: { from: string; epoch: string }): boolean {
		return m.from === this.hostId && m.epoch === this.epoch;
	}

	#parse<S extends z.ZodType>(schema: S, raw: string, channel: string): z.infer<S> | undefined {
		let json: unknown;
		try {
			json = JSON.parse(raw);
		} catch {
			this.#log.warn('cluster.bad_message', { channel, error: 'not JSON' });
			return undefined;
		}
		const parsed = schema.safeParse(json);
		if (!parsed.success) {
			this.#log.warn('cluster.bad_message', { channel, error: parsed.error.issues[0]?.message ?? 'invalid' });
			return undefined;
		}
		return parsed.data;
	}

	#channel(kind: 'session' | 'cluster' | 'host', name?: string): string {
		return name === undefined ? `${this.#prefix}${kind}` : `${this.#prefix}${kind}:${name}`;
	}
}
