import { parseEngineConfig, type EngineConfig } from './config.ts';
import { EngineError } from './errors.ts';
import { TypedEmitter, type EngineEvents } from './events.ts';
import { createLogger, levelOfConfig, type Logger } from './log/logger.ts';
import { turnCredentials, type IceServer } from './media/turn.ts';
import { WorkerPool } from './media/worker-pool.ts';
import { Programme, type CreateSessionOptions, type PolicyOf, type UpdateSessionOptions } from './session/programme.ts';
import { Session, type SessionInfo } from './session/session.ts';
import { MemorySessionStore } from './session/store/memory-store.ts';
import type { ListQuery } from './session/store/record.ts';
import type { SessionStore } from './session/store/session-store.ts';

export { createSessionSchema, updateSessionSchema, type CreateSessionOptions, type UpdateSessionOptions } from './session/programme.ts';

export interface EngineOptions {
	/**
	 * Where the engine logs (failures it survives, such as a refused layer change or a listener that
	 * threw). Default: JSON lines on stderr at the level of `logLevel` when the config sets it, else `info`.
	 */
	logger?: Logger | undefined;
	/**
	 * Where sessions are kept (docs/sessions.md): a `FileSessionStore` or `RedisSessionStore`
	 * survives a restart; default in memory (sessions end when the engine closes). The engine
	 * does not close it: its owner does, after `engine.close()`.
	 */
	sessions?: SessionStore | undefined;
	/** A tenant's lifecycle defaults and quotas (the host reads its tenant registry). */
	policyOf?: PolicyOf | undefined;
}

export interface EngineHealth {
	workers: number;
	sessions: { live: number; scheduled: number };
	workerLoad: { index: number; pid: number; port: number; load: number }[];
}

export class Engine {
	readonly config: EngineConfig;
	readonly events: TypedEmitter<EngineEvents>;
	readonly log: Logger;
	readonly #pool: WorkerPool;
	readonly #programme: Programme;
	#closed = false;

	private constructor(config: EngineConfig, events: TypedEmitter<EngineEvents>, pool: WorkerPool, log: Logger, opts: EngineOptions) {
		this.config = config;
		this.events = events;
		this.log = log;
		this.#pool = pool;
		this.#programme = new Programme({
			store: opts.sessions ?? new MemorySessionStore(),
			events,
			log,
			policyOf: opts.policyOf,
			newSession: (o) => new Session(o, config, pool, events, log),
		});
		pool.onWorkerLost((dead) => {
			for (const s of this.#programme.sessions()) s.handleWorkerLost(dead);
		});
	}

	/** Starts the worker pool; rejects with `invalid_config` naming the field when config is wrong. */
	static async create(input: unknown = {}, opts: EngineOptions = {}): Promise<Engine> {
		const config = parseEngineConfig(input);
		const configured = typeof input === 'object' && input !== null && 'logLevel' in input;
		const log = opts.logger ?? createLogger(configured ? levelOfConfig(config.logLevel) : 'info');
		const events = new TypedEmitter<EngineEvents>(log);
		const pool = await WorkerPool.create(config, events, log);
		return new Engine(config, events, pool, log, opts);
	}

	get workers(): WorkerPool {
		return this.#pool;
	}

	/** The sessions as planned and kept: create, change, cancel, list, join windows and quotas. */
	get programme(): Programme {
		return this.#programme;
	}

	/** Reloads the stored scheduled and live sessions (a host does this once at start). */
	restoreSessions(): Promise<number> {
		return this.#programme.restore();
	}

	/** Plans a session; resolves once it is stored. */
	createSession(input: CreateSessionOptions): Promise<SessionInfo> {
		this.#assertOpen();
		return this.#programme.create(input);
	}

	/** A scheduled or live session of this tenant; another tenant's, or an ended one, is not found. */
	session(tenantId: string, sessionId: string): Session {
		return this.#programme.session(tenantId, sessionId);
	}

	/** One session as it is now, also an ended or cancelled one. */
	sessionInfo(tenantId: string, sessionId: string): Promise<SessionInfo> {
		return this.#programme.info(tenantId, sessionId);
	}

	/** One page of a tenant's sessions (filters: state, module, from, to; `limit`, `cursor`). */
	listSessions(tenantId: string, query: ListQuery = {}): Promise<{ sessions: SessionInfo[]; nextCursor: string | undefined }> {
		return this.#programme.list(tenantId, query);
	}

	updateSession(tenantId: string, sessionId: string, input: UpdateSessionOptions): Promise<SessionInfo> {
		return this.#programme.update(tenantId, sessionId, input);
	}

	cancelSession(tenantId: string, sessionId: string): Promise<SessionInfo> {
		return this.#programme.cancel(tenantId, sessionId);
	}

	endSession(tenantId: string, sessionId: string): Promise<SessionInfo> {
		return this.#programme.end(tenantId, sessionId, 'ended');
	}

	/** ICE servers for a participant's transports: time-limited TURN credentials when TURN is configured. */
	iceServersFor(participantId: string): IceServer[] {
		const turn = this.config.webRtc.turn;
		return turn ? [turnCredentials(turn, participantId)] : [];
	}

	health(): EngineHealth {
		return {
			workers: this.#pool.size,
			sessions: this.#programme.counts(),
			workerLoad: this.#pool.slots.map((s) => ({ index: s.index, pid: s.worker.pid, port: s.port, load: s.load })),
		};
	}

	/**
	 * Before a restart: refuses new joins, tells everyone to reconnect, stops recordings (their
	 * parts complete) and finishes every write. Sessions stay as stored, live ones live.
	 */
	drain(): Promise<void> {
		return this.#programme.drain();
	}

	/**
	 * Closes the engine. With a durable session store the sessions stay as stored (drained first);
	 * without one they end (`engine-closed`), as nothing would bring them back.
	 */
	async close(): Promise<void> {
		if (this.#closed) return;
		if (this.#programme.durable) await this.#programme.drain();
		else this.#programme.endAll('engine-closed');
		this.#closed = true;
		await this.#programme.close();
		this.#pool.close();
	}

	#assertOpen(): void {
		if (this.#closed) throw new EngineError('unavailable', 'the engine is closed');
	}
}

/** Creates an engine: one mediasoup worker per core (or `workerCount`), each with a WebRtcServer. */
export function createEngine(config: unknown = {}, opts: EngineOptions = {}): Promise<Engine> {
	return Engine.create(config, opts);
}
