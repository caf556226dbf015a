import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { parseEngineConfig, type EngineConfig } from './config.ts';
import { EngineError, invalidInput } from './errors.ts';
import { TypedEmitter, type EngineEvents } from './events.ts';
import { createLogger, levelOfConfig, type Logger } from './log/logger.ts';
import { WorkerPool } from './media/worker-pool.ts';
import { activityModules, offerKinds, scheduleSchema } from './session/activity.ts';
import { SessionEvents } from './session/session-events.ts';
import { Session, type SessionInfo } from './session/session.ts';

export const createSessionSchema = z
	.object({
		tenantId: z.string().min(1),
		title: z.string().min(1).max(200).optional(),
		module: z.enum(activityModules).optional(),
		kind: z.enum(offerKinds).default('online'),
		schedule: scheduleSchema.optional(),
		participantsSeeEachOther: z.boolean().default(true),
	})
	.strict();
export type CreateSessionOptions = z.input<typeof createSessionSchema>;

export interface EngineOptions {
	/**
	 * Where the engine logs (failures it survives, such as a refused layer change or a listener that
	 * threw). Default: JSON lines on stderr at the level of `logLevel` when the config sets it, else `info`.
	 */
	logger?: Logger | undefined;
}

export interface EngineHealth {
	workers: number;
	sessions: { live: number; scheduled: number };
	workerLoad: { index: number; pid: number; port: number; load: number }[];
}

/** How long an ended session stays readable (for its summary) before it is forgotten. */
const ENDED_RETENTION_MS = 60 * 60 * 1000;

export class Engine {
	readonly config: EngineConfig;
	readonly events: TypedEmitter<EngineEvents>;
	readonly log: Logger;
	readonly #pool: WorkerPool;
	readonly #sessions = new Map<string, Session>();
	#closed = false;

	private constructor(config: EngineConfig, events: TypedEmitter<EngineEvents>, pool: WorkerPool, log: Logger) {
		this.config = config;
		this.events = events;
		this.log = log;
		this.#pool = pool;
		pool.onWorkerLost((dead) => {
			for (const s of this.#sessions.values()) s.handleWorkerLost(dead);
		});
	}

	/** Starts the worker pool; rejects with `invalid_config` naming the field when config is wrong. */
	static async create(input: unknown = {}, opts: EngineOptions = {}): Promise<Engine> {
		const config = parseEngineConfig(input);
		const configured = typeof input === 'object' && input !== null && 'logLevel' in input;
		const log = opts.logger ?? createLogger(configured ? levelOfConfig(config.logLevel) : 'info');
		const events = new TypedEmitter<EngineEvents>(log);
		const pool = await WorkerPool.create(config, events, log);
		return new Engine(config, events, pool, log);
	}

	get workers(): WorkerPool {
		return this.#pool;
	}

	createSession(input: CreateSessionOptions): SessionInfo {
		this.#assertOpen();
		const parsed = createSessionSchema.safeParse(input);
		if (!parsed.success) throw invalidInput('invalid_argument', 'session', parsed.error.issues);
		this.#forgetOldSessions();
		const id = `s_${randomBytes(10).toString('base64url')}`;
		const session = new Session(
			{
				id,
				tenantId: parsed.data.tenantId,
				title: parsed.data.title,
				module: parsed.data.module,
				kind: parsed.data.kind,
				schedule: parsed.data.schedule
					? { startsAt: Date.parse(parsed.data.schedule.startsAt), endsAt: Date.parse(parsed.data.schedule.endsAt) }
					: undefined,
				policy: { participantsSeeEachOther: parsed.data.participantsSeeEachOther },
			},
			this.config,
			this.#pool,
			this.events,
			this.log,
		);
		this.#sessions.set(id, session);
		new SessionEvents(this.events, session).emit('session.created', {
			title: session.title,
			module: session.module,
			schedule: session.schedule ? { ...session.schedule } : undefined,
		});
		return session.info();
	}

	/** A session of this tenant; another tenant's session is reported as not found. */
	session(tenantId: string, sessionId: string): Session {
		const s = this.#sessions.get(sessionId);
		if (!s || s.tenantId !== tenantId) throw new EngineError('not_found', `session ${sessionId} not found`);
		return s;
	}

	listSessions(tenantId: string): SessionInfo[] {
		return [...this.#sessions.values()].filter((s) => s.tenantId === tenantId).map((s) => s.info());
	}

	endSession(tenantId: string, sessionId: string): SessionInfo {
		const s = this.session(tenantId, sessionId);
		s.end('ended');
		return s.info();
	}

	health(): EngineHealth {
		let live = 0;
		let scheduled = 0;
		for (const s of this.#sessions.values()) {
			if (s.state === 'live') live++;
			else if (s.state === 'scheduled') scheduled++;
		}
		return {
			workers: this.#pool.size,
			sessions: { live, scheduled },
			workerLoad: this.#pool.slots.map((s) => ({ index: s.index, pid: s.worker.pid, port: s.port, load: s.load })),
		};
	}

	async close(): Promise<void> {
		if (this.#closed) return;
		for (const s of this.#sessions.values()) s.end('engine-closed');
		this.#closed = true;
		this.#pool.close();
		this.#sessions.clear();
	}

	#forgetOldSessions(): void {
		const cutoff = Date.now() - ENDED_RETENTION_MS;
		for (const [id, s] of this.#sessions) if (s.endedAt !== undefined && s.endedAt < cutoff) this.#sessions.delete(id);
	}

	#assertOpen(): void {
		if (this.#closed) throw new EngineError('unavailable', 'the engine is closed');
	}
}

/** Creates an engine: one mediasoup worker per core (or `workerCount`), each with a WebRtcServer. */
export function createEngine(config: unknown = {}, opts: EngineOptions = {}): Promise<Engine> {
	return Engine.create(config, opts);
}
