import { randomBytes, randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { messageOf } from '@luwte/errors';
import { z } from 'zod';
import type { Engine } from '../engine.ts';
import { EngineError, invalidInput, type EngineErrorCode } from '../errors.ts';
import { childLogger, type Logger } from '../log/logger.ts';
import type { Role } from '../session/roles.ts';
import type { Session } from '../session/session.ts';
import { ClusterBus } from './bus.ts';
import { SessionDirectory } from './directory.ts';
import { HeldSession } from './held-session.ts';
import type { ClusterMessage, ForwardedRoute, HostMessage } from './messages.ts';
import { DEFAULT_LEASE_MS, HostRegistry, type HostEntry } from './registry.ts';

export const clusterOptionsSchema = z.strictObject({
	/** The shared Redis (the one holding sessions, tenants and the ledger). */
	url: z.string().regex(/^rediss?:\/\//, 'a redis:// or rediss:// URL'),
	/** This host's name in the cluster: unique per host, stable across restarts (e.g. the machine's name). */
	hostId: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/, 'letters, digits, dot, dash, underscore; at most 63'),
	/** The address other hosts send pipe media to (this host's announced address). */
	pipeAddress: z.string().min(1).max(64),
	/** Where pipe transports listen (default all addresses). */
	listenIp: z.string().min(1).max(64).default('0.0.0.0'),
	/** SRTP on pipes between hosts (default on; off only on a private link). */
	pipeSrtp: z.boolean().default(true),
	prefix: z.string().min(1).max(64).default('luwte:cluster:'),
	leaseMs: z.number().int().min(300).max(120_000).default(DEFAULT_LEASE_MS),
});
export type ClusterOptions = z.input<typeof clusterOptionsSchema>;

/** A host ID when none is given: the machine's name (made valid) with a random suffix, unique per run. */
export function defaultHostId(): string {
	const name =
		hostname()
			.replace(/[^A-Za-z0-9._-]/g, '-')
			.replace(/^[^A-Za-z0-9]+/, '')
			.slice(0, 48) || 'host';
	return `${name}-${randomBytes(3).toString('hex')}`;
}

const sessionEndReasons = z.enum(['ended', 'idle', 'overdue', 'cancelled']);
const engineErrorCodes = [
	'invalid_config',
	'invalid_argument',
	'not_found',
	'forbidden',
	'conflict',
	'session_ended',
	'not_started',
	'session_cancelled',
	'quota_exceeded',
	'unauthorized',
	'unavailable',
] as const satisfies readonly EngineErrorCode[];

/**
 * This host as one of a cluster (docs/scaling.md, "Across hosts"): the host registry with its
 * lease, the session directory, and for every session someone is connected to through this
 * host, the link to the other hosts holding it: presence by role, producers pulled over pipes
 * between hosts as local receivers need them, host controls and consent. Built on Redis
 * (pub/sub and keys) and mediasoup's PipeTransports; nothing here decides by consensus.
 */
export class Cluster {
	readonly hostId: string;
	readonly epoch: string;
	readonly #engine: Engine;
	readonly #opts: z.output<typeof clusterOptionsSchema>;
	readonly #bus: ClusterBus;
	readonly #registry: HostRegistry;
	readonly #directory: SessionDirectory;
	readonly #log: Logger;
	readonly #held = new Map<string, HeldSession>();
	/** Per session, how many are connected to each other host (from their `count` messages). */
	readonly #counts = new Map<string, Map<string, number>>();
	/** Sessions this host ends because another host said so (not announced again). */
	readonly #endingFromElsewhere = new Set<string>();
	readonly #unsubscribe: (() => void)[] = [];
	#serveForwarded: Parameters<Cluster['serveForwarded']>[0] | undefined;
	readonly #lostListeners: ((hostId: string) => void)[] = [];
	#closed = false;

	private constructor(engine: Engine, opts: z.output<typeof clusterOptionsSchema>, bus: ClusterBus, log: Logger) {
		this.#engine = engine;
		this.#opts = opts;
		this.#bus = bus;
		this.hostId = opts.hostId;
		this.epoch = bus.epoch;
		this.#log = log;
		this.#directory = new SessionDirectory(bus.redis, opts.prefix, opts.hostId);
		this.#registry = new HostRegistry({
			redis: bus.redis,
			prefix: opts.prefix,
			leaseMs: opts.leaseMs,
			log,
			self: () => this.#self(),
			onLost: (hostId, epoch) => this.#hostLost(hostId, epoch),
		});
	}

	/** Joins the cluster: registers this host and links the engine's sessions to the other hosts. */
	static async start(engine: Engine, input: ClusterOptions, log: Logger = engine.log): Promise<Cluster> {
		const parsed = clusterOptionsSchema.safeParse(input);
		if (!parsed.success) throw invalidInput('invalid_config', 'cluster options', parsed.error.issues);
		const opts = parsed.data;
		const clog = childLogger(log, { hostId: opts.hostId });
		const bus = await ClusterBus.open({ url: opts.url, prefix: opts.prefix, hostId: opts.hostId, epoch: randomUUID(), log: clog });
		const cluster = new Cluster(engine, opts, bus, clog);
		try {
			await cluster.#start();
		} catch (err) {
			await bus.close();
			throw err;
		}
		return cluster;
	}

	/** For metrics: hosts alive, sessions linked here, producers of other hosts piped in. */
	stats(): { hosts: number; sessions: number; pipedIn: number } {
		let pipedIn = 0;
		for (const h of this.#held.values()) pipedIn += h.pipedIn;
		return { hosts: this.#registry.hosts().length, sessions: this.#held.size, pipedIn };
	}

	/** Called for every host (run) this host sees go. */
	onHostLost(listener: (hostId: string) => void): void {
		this.#lostListeners.push(listener);
	}

	/** Whether Redis answers this host now (without it, sessions not held here cannot be joined here). */
	get available(): boolean {
		return this.#bus.available;
	}

	/** The hosts alive now, this one included. */
	hosts(): HostEntry[] {
		return this.#registry.hosts();
	}

	/** The host a session's stage publishes to and where it is recorded (undefined: nobody holds it). */
	origin(sessionId: string): Promise<string | undefined> {
		return this.#directory.origin(sessionId);
	}

	/**
	 * The host to pass an origin-only admin call on to (recording and consent: the recorder runs at
	 * the origin), or undefined when that is this host, or no host that is alive holds the session.
	 */
	async originElsewhere(sessionId: string): Promise<string | undefined> {
		const origin = await this.#directory.origin(sessionId);
		return origin !== undefined && origin !== this.hostId && this.#registry.alive(origin) ? origin : undefined;
	}

	/** Passes an admin call on to another host; resolves with its answer, or rejects with its error. */
	async forward(
		hostId: string,
		call: { route: ForwardedRoute; tenantId: string; params: Record<string, string>; body: unknown },
	): Promise<unknown> {
		const answer = await this.#bus.request(hostId, { type: 'forward', ...call });
		if (answer.type === 'failed') {
			const code = (engineErrorCodes as readonly string[]).includes(answer.code) ? (answer.code as EngineErrorCode) : 'unavailable';
			throw new EngineError(code, answer.message);
		}
		if (answer.type !== 'forwarded') throw new EngineError('unavailable', `host ${hostId} answered out of turn`);
		return answer.result;
	}

	/** How this host answers admin calls other hosts pass on (the host's own route handlers). */
	serveForwarded(
		handler: (call: { route: ForwardedRoute; tenantId: string; params: Record<string, string>; body: unknown }) => Promise<unknown>,
	): void {
		this.#serveForwarded = handler;
	}

	/** Whether someone is connected to this session through another host that is alive. */
	elsewhere(sessionId: string): boolean {
		const counts = this.#counts.get(sessionId);
		if (!counts) return false;
		for (const [hostId, n] of counts) if (n > 0 && this.#registry.alive(hostId)) return true;
		return false;
	}

	/** Leaves the cluster: the others drop this host at once instead of waiting for its lease. */
	async close(): Promise<void> {
		if (this.#closed) return;
		this.#closed = true;
		this.#engine.programme.useCluster(undefined);
		for (const off of this.#unsubscribe) off();
		await Promise.allSettled([...this.#held.values()].map((h) => h.flushed()));
		for (const h of this.#held.values()) h.release();
		this.#held.clear();
		await this.#registry.stop();
		await this.#bus.close();
	}

	async #start(): Promise<void> {
		this.#bus.onHost((m) => void this.#onHostMessage(m));
		// Back after a Redis outage: what changed here meanwhile is told again, and asked of the others.
		this.#bus.onReconnect(() => {
			for (const held of this.#held.values()) {
				held.send({ type: 'hello' });
				held.sendState();
				this.#publishCount(held.session);
			}
		});
		await this.#bus.onCluster((m) => this.#onClusterMessage(m));
		await this.#registry.start();
		this.#engine.programme.useCluster({
			elsewhere: (id) => this.elsewhere(id),
			reachable: () => this.#bus.available,
			admit: async (s) => {
				if (this.#bus.available) {
					await this.#hold(s).ready;
					return;
				}
				// Without Redis a session linked here, or one no other host was holding, carries on here
				// (attendance waits in the outbox; the others hear of it when Redis is back). One held by
				// another host could not reach its people: refused rather than split in two.
				if (!this.#held.has(s.id) && this.elsewhere(s.id)) {
					throw new EngineError(
						'unavailable',
						'this activity runs on another host, which cannot be reached while the cluster store (Redis) is down; try again in a moment',
					);
				}
				this.#hold(s);
			},
		});
		const ev = this.#engine.events;
		const on = <K extends Parameters<typeof ev.on>[0]>(name: K, fn: Parameters<typeof ev.on<K>>[1]) => {
			ev.on(name, fn);
			this.#unsubscribe.push(() => ev.off(name, fn));
		};
		on('participant.joined', (e) => this.#localJoined(e.sessionId, e.participantId, e.role));
		on('participant.left', (e) => this.#localLeft(e.sessionId, e.participantId, e.role, e.reason));
		on('producer.added', (e) => this.#localProducer(e.sessionId, e.producerId));
		on('producer.removed', (e) => this.#held.get(e.sessionId)?.send({ type: 'producerClosed', producerId: e.producerId }));
		on('producer.paused', (e) => this.#held.get(e.sessionId)?.send({ type: 'producerPaused', producerId: e.producerId, paused: true }));
		on('producer.resumed', (e) =>
			this.#held.get(e.sessionId)?.send({ type: 'producerPaused', producerId: e.producerId, paused: false }),
		);
		on('session.ended', (e) => this.#ended(e.tenantId, e.sessionId, e.reason));
		// A recorder here takes everyone's media: what nobody here received so far is piped in now.
		on('recording.started', (e) => {
			this.#held.get(e.sessionId)?.pullNeeded();
		});
		on('session.updated', (e) => this.#publishCluster({ type: 'changed', tenantId: e.tenantId, sessionId: e.sessionId }));
	}

	#self(): HostEntry {
		const load = this.#engine.health().workerLoad.reduce((n, w) => n + w.load, 0);
		return { hostId: this.hostId, epoch: this.epoch, pipeAddress: this.#opts.pipeAddress, load, at: Date.now() };
	}

	// ── This host's side ──

	#localJoined(sessionId: string, participantId: string, role: Role): void {
		const session = this.#engine.programme.held(sessionId);
		if (!session) return;
		const held = this.#hold(session);
		if (role === 'viewer') held.send({ type: 'audience', viewers: session.remote.localViewers });
		else held.send({ type: 'joined', participantId, role });
		this.#publishCount(session);
		if (role === 'host') {
			// The stage follows its begeleider: the origin moves here unless it holds a begeleider of its own.
			void this.#directory.origin(sessionId).then(
				(cur) => {
					const keep = cur !== undefined && cur !== this.hostId && this.#hasHostOn(session, cur);
					return this.#directory.claim(sessionId, !keep);
				},
				(err: unknown) => this.#log.warn('cluster.origin_failed', { sessionId, error: messageOf(err) }),
			);
		} else {
			void this.#directory
				.claim(sessionId)
				.catch((err: unknown) => this.#log.warn('cluster.origin_failed', { sessionId, error: messageOf(err) }));
		}
		// Someone new here may need producers of others nobody here needed so far.
		held.pullNeeded();
	}

	#localLeft(sessionId: string, participantId: string, role: Role, reason: string): void {
		const held = this.#held.get(sessionId);
		if (!held) return;
		const session = held.session;
		if (reason !== 'replaced') {
			if (role === 'viewer') held.send({ type: 'audience', viewers: session.remote.localViewers });
			else if (!session.remote.get(participantId)) held.send({ type: 'left', participantId });
		}
		this.#publishCount(session);
		if (session.remote.local().length === 0 && session.state !== 'ended') this.#release(held);
		else held.dropUnneeded();
	}

	#localProducer(sessionId: string, producerId: string): void {
		const held = this.#held.get(sessionId);
		const local = held?.session.remote.localProducer(producerId);
		if (!held || !local) return;
		held.send({
			type: 'producer',
			producer: {
				participantId: local.participant.id,
				producerId,
				kind: local.producer.kind,
				source: local.source,
				paused: local.producer.paused,
			},
		});
	}

	#ended(tenantId: string, sessionId: string, reason: string): void {
		const held = this.#held.get(sessionId);
		if (held) this.#release(held);
		this.#counts.delete(sessionId);
		// Ended here because another host said so, or only here (this engine closing): nothing to tell.
		if (this.#endingFromElsewhere.has(sessionId) || reason === 'engine-closed') return;
		this.#publishCluster({ type: 'ended', tenantId, sessionId, reason });
		void this.#directory.release(sessionId).catch(() => undefined);
	}

	/** Links a session to the other hosts (once, at the first local join). */
	#hold(session: Session): HeldSession {
		const existing = this.#held.get(session.id);
		if (existing) return existing;
		const expected: string[] = [];
		for (const [hostId, n] of this.#counts.get(session.id) ?? []) if (n > 0 && this.#registry.alive(hostId)) expected.push(hostId);
		const held = new HeldSession(session, {
			bus: this.#bus,
			log: this.#log,
			pipes: { listenIp: this.#opts.listenIp, pipeAddress: this.#opts.pipeAddress, srtp: this.#opts.pipeSrtp },
			expected,
		});
		this.#held.set(session.id, held);
		return held;
	}

	/** Nobody is connected here any more (or it ended). */
	#release(held: HeldSession): void {
		if (this.#held.get(held.session.id) !== held) return;
		this.#held.delete(held.session.id);
		held.release();
	}

	#publishCluster(m: Parameters<ClusterBus['publishCluster']>[0]): void {
		void this.#bus
			.publishCluster(m)
			.catch((err: unknown) => this.#log.warn('cluster.publish_failed', { message: m.type, error: messageOf(err) }));
	}

	#publishCount(session: Session): void {
		this.#publishCluster({ type: 'count', sessionId: session.id, participants: session.remote.local().length });
	}

	// ── What the others say ──

	#onClusterMessage(m: ClusterMessage): void {
		switch (m.type) {
			case 'count': {
				const c = this.#counts.get(m.sessionId) ?? new Map<string, number>();
				this.#counts.set(m.sessionId, c);
				if (m.participants > 0) c.set(m.from, m.participants);
				else {
					c.delete(m.from);
					// Nobody there needs our pipes for this session any more.
					this.#held.get(m.sessionId)?.pipes.drop(m.from);
				}
				return;
			}
			case 'ended': {
				const s = this.#engine.programme.held(m.sessionId);
				if (!s || s.tenantId !== m.tenantId || s.state === 'ended' || s.state === 'cancelled') return;
				this.#endingFromElsewhere.add(m.sessionId);
				const reason = sessionEndReasons.safeParse(m.reason);
				this.#engine.programme.endedElsewhere(m.sessionId, reason.success ? reason.data : 'ended');
				this.#endingFromElsewhere.delete(m.sessionId);
				return;
			}
			case 'changed': {
				const s = this.#engine.programme.held(m.sessionId);
				if (!s || s.tenantId !== m.tenantId) return;
				void this.#engine.programme
					.followStore(m.tenantId, m.sessionId)
					.catch((err: unknown) => this.#log.warn('cluster.follow_failed', { sessionId: m.sessionId, error: messageOf(err) }));
				return;
			}
		}
	}

	async #onHostMessage(m: HostMessage): Promise<void> {
		if (m.type !== 'pull' && m.type !== 'forward') return;
		const reply = (a: Parameters<ClusterBus['sendHost']>[1]) =>
			this.#bus.sendHost(m.from, a).catch((err: unknown) => this.#log.warn('cluster.reply_failed', { error: messageOf(err) }));
		try {
			if (m.type === 'forward') {
				if (!this.#serveForwarded) throw new EngineError('unavailable', 'this host answers no admin calls');
				const result = await this.#serveForwarded({ route: m.route, tenantId: m.tenantId, params: m.params, body: m.body });
				await reply({ type: 'forwarded', from: this.hostId, epoch: this.epoch, requestId: m.requestId, result });
				return;
			}
			const held = this.#held.get(m.sessionId);
			if (!held) throw new EngineError('not_found', `session ${m.sessionId} is not held here`);
			await reply(await held.serve(m));
		} catch (err) {
			await reply({
				type: 'failed',
				from: this.hostId,
				epoch: this.epoch,
				requestId: m.requestId,
				code: (err as { code?: string }).code ?? 'internal',
				message: messageOf(err).slice(0, 500),
			});
		}
	}

	#hostLost(hostId: string, epoch: string): void {
		this.#log.warn('cluster.host_lost', { lost: hostId });
		for (const held of this.#held.values()) held.hostLost(hostId, epoch);
		for (const listener of this.#lostListeners) listener(hostId);
		for (const c of this.#counts.values()) c.delete(hostId);
	}

	#hasHostOn(session: Session, home: string): boolean {
		return session.info().participants.some((p) => p.role === 'host' && session.remote.get(p.participantId)?.home === home);
	}
}
