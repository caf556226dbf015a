import { z } from 'zod';
import { invalidInput } from '../errors.ts';
import type { EngineEvents, TypedEmitter } from '../events.ts';
import type { ActivityModule } from '../session/activity.ts';
import { HEARTBEAT_MS, type LedgerEventFields, type LedgerEventType } from './event-types.ts';
import { LedgerOutbox, type OutboxStats } from './outbox.ts';
import type { LedgerStore } from './store.ts';

/**
 * Feeds the ledger from the engine's events: session scheduled/started/ended, joins, leaves,
 * consent changes, and every `heartbeatMs` one `participant.heartbeat` per connected participant,
 * so that after a crash presence ends at the last heartbeat on disk.
 *
 * Event IDs are derived from what they record (connection, session, heartbeat time), so writing
 * the same fact twice stores it once. Writes are asynchronous to the engine (it does not wait for
 * the disk); a failed write is reported through `onError` and never stops the session. With a
 * remote store the host passes a `LedgerOutbox` as `store`: a write then counts once it is in the
 * local outbox, and the outbox retries into the remote store (outbox.ts).
 */

export const ledgerWriterOptionsSchema = z
	.object({
		/** Between heartbeats; short in tests, `HEARTBEAT_MS` otherwise. */
		heartbeatMs: z.number().int().min(50).max(3_600_000).default(HEARTBEAT_MS),
	})
	.strict();

export type LedgerWriterOptions = z.input<typeof ledgerWriterOptionsSchema> & {
	events: TypedEmitter<EngineEvents>;
	store: LedgerStore;
	/** A write that failed (the event is then missing from the ledger). */
	onError?: (err: unknown, event: { type: string; id: string }) => void;
	now?: () => number;
};

interface Connected {
	tenantId: string;
	sessionId: string;
	participantId: string;
	connectionId: string;
}

export class LedgerWriter {
	readonly heartbeatMs: number;
	readonly #store: LedgerStore;
	readonly #onError: (err: unknown, event: { type: string; id: string }) => void;
	readonly #now: () => number;
	readonly #unsubscribe: (() => void)[] = [];
	/** Connected participants by connection ID: the heartbeat's subjects. */
	readonly #connected = new Map<string, Connected>();
	readonly #modules = new Map<string, ActivityModule | null>();
	readonly #pending = new Set<Promise<unknown>>();
	/** Writes not yet acknowledged, by event ID (what `written` waits for). */
	readonly #byId = new Map<string, Promise<void>>();
	readonly #timer: NodeJS.Timeout;
	#closed = false;
	readonly #latency = { count: 0, sumMs: 0, maxMs: 0, failed: 0 };

	constructor(opts: LedgerWriterOptions) {
		const { events, store, onError, now, ...rest } = opts;
		const parsed = ledgerWriterOptionsSchema.safeParse(rest);
		if (!parsed.success) throw invalidInput('invalid_config', 'ledger writer option', parsed.error.issues);
		this.heartbeatMs = parsed.data.heartbeatMs;
		this.#store = store;
		this.#onError = onError ?? (() => undefined);
		this.#now = now ?? Date.now;
		const on = <K extends keyof EngineEvents & string>(name: K, fn: (e: EngineEvents[K]) => void) =>
			this.#unsubscribe.push(events.on(name, fn));

		on('session.created', (e) => {
			this.#modules.set(e.sessionId, e.module ?? null);
			if (!e.schedule) return;
			this.#write(e.tenantId, `${e.sessionId}.scheduled`, e.at, 'session.scheduled', {
				sessionId: e.sessionId,
				module: e.module ?? null,
				startsAt: e.schedule.startsAt,
				endsAt: e.schedule.endsAt,
				invited: [],
			});
		});
		on('session.restored', (e) => this.#modules.set(e.sessionId, e.module ?? null));
		on('session.updated', (e) => {
			this.#modules.set(e.sessionId, e.module ?? null);
			if (!e.schedule) return;
			// A re-planned session: the ledger counts its latest schedule (sessionFacts).
			this.#write(e.tenantId, `${e.sessionId}.scheduled.${e.revision}`, e.at, 'session.scheduled', {
				sessionId: e.sessionId,
				module: e.module ?? null,
				startsAt: e.schedule.startsAt,
				endsAt: e.schedule.endsAt,
				invited: [],
			});
		});
		on('session.started', (e) => {
			this.#modules.set(e.sessionId, e.module ?? null);
			this.#write(e.tenantId, `${e.sessionId}.started`, e.at, 'session.started', {
				sessionId: e.sessionId,
				module: e.module ?? null,
			});
		});
		on('session.ended', (e) => {
			this.#modules.delete(e.sessionId);
			this.#write(e.tenantId, `${e.sessionId}.ended`, e.at, 'session.ended', { sessionId: e.sessionId, reason: e.reason });
		});
		on('participant.joined', (e) => {
			this.#connected.set(e.connectionId, {
				tenantId: e.tenantId,
				sessionId: e.sessionId,
				participantId: e.participantId,
				connectionId: e.connectionId,
			});
			this.#write(e.tenantId, `${e.connectionId}.joined`, e.at, 'participant.joined', {
				sessionId: e.sessionId,
				participantId: e.participantId,
				role: e.role,
				connectionId: e.connectionId,
				module: this.#modules.get(e.sessionId) ?? null,
			});
		});
		on('participant.invited', (e) => {
			// One invitation per participant and session, however many tokens they get.
			this.#write(e.tenantId, `${e.sessionId}.${e.participantId}.invited`, e.at, 'participant.invited', {
				sessionId: e.sessionId,
				participantId: e.participantId,
				role: e.role,
			});
		});
		on('participant.left', (e) => {
			this.#connected.delete(e.connectionId);
			this.#write(e.tenantId, `${e.connectionId}.left`, e.at, 'participant.left', {
				sessionId: e.sessionId,
				participantId: e.participantId,
				connectionId: e.connectionId,
				reason: e.reason,
			});
		});
		on('recording.consent', (e) => {
			this.#write(e.tenantId, `${e.sessionId}.${e.participantId}.consent.${e.at}`, e.at, 'recording.consent', {
				sessionId: e.sessionId,
				participantId: e.participantId,
				consent: e.consent,
				by: e.by,
			});
		});
		this.#timer = setInterval(() => this.heartbeat(), this.heartbeatMs);
		// The heartbeat never keeps a process alive on its own.
		this.#timer.unref();
	}

	/** Participants connected now (as the ledger sees them). */
	get connected(): number {
		return this.#connected.size;
	}

	/**
	 * Events waiting in the local outbox for the remote store (0 without an outbox): what the
	 * metrics endpoint exports as the ledger's outbox depth.
	 */
	get outboxDepth(): number {
		return this.#store instanceof LedgerOutbox ? this.#store.depth : 0;
	}

	/** The outbox's counters, when the store is one. */
	get outbox(): OutboxStats | undefined {
		return this.#store instanceof LedgerOutbox ? this.#store.stats : undefined;
	}

	/**
	 * Writes since start: how many were acknowledged (durable: in the file, or in the outbox), their
	 * summed and largest latency from the engine's event to the acknowledgement, and how many failed.
	 */
	get appendLatency(): { count: number; sumMs: number; maxMs: number; failed: number } {
		return { ...this.#latency };
	}

	/** Writes one heartbeat per connected participant, as one batch; called by the timer. */
	heartbeat(): Promise<void> {
		if (this.#closed || this.#connected.size === 0) return Promise.resolve();
		const at = this.#now();
		const batch = [...this.#connected.values()].map((c) => ({
			id: `${c.connectionId}.hb.${at}`,
			at,
			tenantId: c.tenantId,
			type: 'participant.heartbeat',
			sessionId: c.sessionId,
			participantId: c.participantId,
			connectionId: c.connectionId,
		}));
		return this.#track(this.#store.append(batch), { type: 'participant.heartbeat', id: `*.hb.${at}` });
	}

	/** Stops the heartbeat and waits for every write made so far; the store stays open. */
	async close(): Promise<void> {
		if (this.#closed) return;
		this.#closed = true;
		clearInterval(this.#timer);
		for (const off of this.#unsubscribe) off();
		while (this.#pending.size > 0) await Promise.allSettled([...this.#pending]);
	}

	/**
	 * Resolves once the event with this ID (e.g. `<connectionId>.joined`) is durable: in the file, or
	 * in the outbox with a remote store; at once when no such write is pending. Never rejects: a
	 * failed write is reported through `onError`. Waits at most `maxWaitMs`, so a stalled disk
	 * delays an answer to a client but never blocks it.
	 */
	written(id: string, maxWaitMs = 5_000): Promise<void> {
		const p = this.#byId.get(id);
		if (!p) return Promise.resolve();
		return new Promise((resolve) => {
			const t = setTimeout(resolve, maxWaitMs);
			void p.finally(() => {
				clearTimeout(t);
				resolve();
			});
		});
	}

	#write<T extends LedgerEventType>(tenantId: string, id: string, at: number, type: T, fields: LedgerEventFields<T>): void {
		if (this.#closed) return;
		const done = this.#track(this.#store.append({ ...fields, id, at, tenantId, type }), { type, id });
		this.#byId.set(id, done);
		void done.finally(() => {
			if (this.#byId.get(id) === done) this.#byId.delete(id);
		});
	}

	#track(p: Promise<unknown>, what: { type: string; id: string }): Promise<void> {
		const t0 = performance.now();
		const done = p.then(
			() => {
				const ms = performance.now() - t0;
				this.#latency.count++;
				this.#latency.sumMs += ms;
				if (ms > this.#latency.maxMs) this.#latency.maxMs = ms;
			},
			(err: unknown) => {
				this.#latency.failed++;
				this.#onError(err, what);
			},
		);
		this.#pending.add(done);
		void done.finally(() => this.#pending.delete(done));
		return done;
	}
}
