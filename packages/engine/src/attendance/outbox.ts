import { z } from 'zod';
import { EngineError, invalidInput } from '../errors.ts';
import { Journal } from '../storage/journal.ts';
import {
	attendanceEventSchema,
	parseForget,
	toEvents,
	type AppendResult,
	type AttendanceEvent,
	type AttendanceEventInput,
	type LedgerStore,
	type ReplayFilter,
} from './store.ts';

/**
 * A ledger store in front of a remote one (Redis) that never loses an acknowledged event: every
 * append is first written to a local journal (`outbox.jsonl`, write + fdatasync, group commit) and
 * resolves then; a background sender appends the journal's events to the remote store with their
 * own IDs (the store stores an ID once) and retries with backoff until the remote store
 * acknowledges them, across Redis restarts (`LOADING`, refused connections) and host restarts
 * (`open` reads the journal back and sends what it holds). Acknowledged events are cut from the
 * journal (compaction), so it stays small while the remote store is up.
 *
 * Reads (`replay`) go to the remote store, so events still in the outbox are not yet seen by
 * billing; `forget` and `purgeBefore` first wait for the outbox to drain, so an event of a
 * forgotten client cannot reach the remote store after it was forgotten.
 */

export const outboxOptionsSchema = z
	.object({
		/** The journal file, e.g. `<dataDir>/attendance/outbox.jsonl`. */
		path: z.string().min(1),
		/** Events the outbox may hold; beyond it appends are refused with `unavailable` (the disk stays bounded). */
		maxEvents: z.number().int().min(1).max(100_000_000).default(1_000_000),
		/** Events per remote append. */
		batch: z.number().int().min(1).max(10_000).default(500),
		/** One remote append may take this long before it counts as failed and is retried. */
		attemptTimeoutMs: z.number().int().min(100).max(600_000).default(15_000),
		/** Backoff between failed attempts: doubles from `retryMinMs` up to `retryMaxMs`. */
		retryMinMs: z.number().int().min(1).max(60_000).default(100),
		retryMaxMs: z.number().int().min(1).max(600_000).default(5_000),
		/** How long `close` keeps sending before it leaves the rest for the next start. */
		closeDrainMs: z.number().int().min(0).max(600_000).default(5_000),
		/** Acknowledged lines in the journal that trigger a compaction while events are still pending. */
		compactAfter: z.number().int().min(1).max(10_000_000).default(10_000),
	})
	.strict();

export type OutboxOptions = z.input<typeof outboxOptionsSchema> & {
	/** Where events end up (Redis). Closed by `close`. */
	remote: LedgerStore;
	/** The remote store failed (first failure of an outage, then every 100th attempt) or recovered. */
	onRemoteError?: (err: unknown, info: { attempts: number; depth: number }) => void;
	onRecovered?: (info: { attempts: number; depth: number; outageMs: number }) => void;
	now?: () => number;
};

/** What an operator watches (also what the metrics endpoint exports). */
export interface OutboxStats {
	/** Events durable locally, not yet acknowledged by the remote store. */
	depth: number;
	/** Age of the oldest of them (ms), 0 when empty: how far the remote ledger lags. */
	oldestAgeMs: number;
	/** Events the remote store acknowledged since start. */
	sent: number;
	/** Failed remote appends since start (each is retried). */
	failedAttempts: number;
	/** Appends refused because the outbox was full. */
	refused: number;
	/** Lines in the journal file (pending plus acknowledged not yet compacted). */
	journalLines: number;
	/** Why the last failed attempt failed (e.g. `LOADING …` while Redis reads its AOF); undefined before any. */
	lastError: string | undefined;
}

interface Pending {
	event: AttendanceEvent;
	/** When it entered the outbox (this process's clock; at open: when it was read). */
	since: number;
}

export class LedgerOutbox implements LedgerStore {
	readonly #journal: Journal;
	readonly #remote: LedgerStore;
	readonly #opts: z.output<typeof outboxOptionsSchema>;
	readonly #onRemoteError: NonNullable<OutboxOptions['onRemoteError']>;
	readonly #onRecovered: NonNullable<OutboxOptions['onRecovered']>;
	readonly #now: () => number;
	/** Insertion order is send order. */
	readonly #pending = new Map<string, Pending>();
	#journalLines: number;
	#sent = 0;
	#failedAttempts = 0;
	#refused = 0;
	#lastError: string | undefined;
	/** Events being written to the journal: acknowledged soon, so they count in `depth` already. */
	#writing = 0;
	#sending: Promise<void> | undefined;
	#wake: (() => void) | undefined;
	#drained: (() => void)[] = [];
	#closed = false;
	#stopping = false;

	private constructor(journal: Journal, lines: string[], opts: OutboxOptions, parsed: z.output<typeof outboxOptionsSchema>) {
		this.#journal = journal;
		this.#remote = opts.remote;
		this.#opts = parsed;
		this.#onRemoteError = opts.onRemoteError ?? (() => undefined);
		this.#onRecovered = opts.onRecovered ?? (() => undefined);
		this.#now = opts.now ?? Date.now;
		this.#journalLines = lines.length;
		const t = this.#now();
		for (const line of lines) {
			const event = parseLine(line);
			// A line that does not parse was never acknowledged to anyone as a valid event.
			if (event && !this.#pending.has(event.id)) this.#pending.set(event.id, { event, since: t });
		}
	}

	/** Opens the journal; events left by an earlier run are sent first. */
	static async open(opts: OutboxOptions): Promise<LedgerOutbox> {
		const { remote, onRemoteError, onRecovered, now, ...rest } = opts;
		const parsed = outboxOptionsSchema.safeParse(rest);
		if (!parsed.success) throw invalidInput('invalid_config', 'ledger outbox option', parsed.error.issues);
		const { journal, lines } = await Journal.open(parsed.data.path);
		const outbox = new LedgerOutbox(journal, lines, opts, parsed.data);
		outbox.#kick();
		return outbox;
	}

	/** Events accepted and not yet acknowledged by the remote store (being written locally, or waiting). */
	get depth(): number {
		return this.#pending.size + this.#writing;
	}

	get stats(): OutboxStats {
		const first = this.#pending.values().next().value;
		return {
			depth: this.depth,
			oldestAgeMs: first ? Math.max(0, this.#now() - first.since) : 0,
			sent: this.#sent,
			failedAttempts: this.#failedAttempts,
			refused: this.#refused,
			journalLines: this.#journalLines,
			lastError: this.#lastError,
		};
	}

	/** Resolves once the events are durable in the local journal (not yet in the remote store). */
	append(input: AttendanceEventInput): Promise<AppendResult>;
	append(inputs: readonly AttendanceEventInput[]): Promise<AppendResult[]>;
	append(input: AttendanceEventInput | readonly AttendanceEventInput[]): Promise<AppendResult | AppendResult[]> {
		const many = Array.isArray(input);
		return this.#append(many ? input : [input]).then((r) => (many ? r : r[0]!));
	}

	async #append(inputs: readonly AttendanceEventInput[]): Promise<AppendResult[]> {
		if (this.#closed) throw new EngineError('unavailable', 'the attendance outbox is closed');
		const events = toEvents(inputs, this.#now);
		if (this.depth + events.length > this.#opts.maxEvents) {
			this.#refused += events.length;
			throw new EngineError(
				'unavailable',
				`the attendance outbox is full (${this.#pending.size} events wait for the remote ledger); the events were not written`,
			);
		}
		this.#writing += events.length;
		try {
			await this.#journal.append(events.map((e) => JSON.stringify(e)));
		} finally {
			this.#writing -= events.length;
		}
		this.#journalLines += events.length;
		const since = this.#now();
		const results: AppendResult[] = [];
		for (const event of events) {
			// An ID already waiting is the same fact again: the remote store would ignore it too.
			const fresh = !this.#pending.has(event.id);
			if (fresh) this.#pending.set(event.id, { event, since });
			results.push({ event, stored: fresh });
		}
		this.#kick();
		return results;
	}

	replay(filter?: ReplayFilter): AsyncIterable<AttendanceEvent> {
		return this.#remote.replay(filter);
	}

	async forget(tenantId: string, participantId: string): Promise<{ removed: number }> {
		parseForget(tenantId, participantId);
		await this.#drainFor('forgetting a client');
		return this.#remote.forget(tenantId, participantId);
	}

	async purgeBefore(beforeMs: number): Promise<{ removed: number }> {
		await this.#drainFor('purging old events');
		return this.#remote.purgeBefore(beforeMs);
	}

	/** Waits for the outbox to drain, for at most `attemptTimeoutMs`, then refuses with `unavailable`. */
	async #drainFor(what: string): Promise<void> {
		await withDeadline(this.#drain(), this.#opts.attemptTimeoutMs).catch(() => {
			throw new EngineError(
				'unavailable',
				`${what} waits until the remote ledger has every event (${this.#pending.size} still in the outbox); try again later`,
			);
		});
	}

	/**
	 * Sends for up to `closeDrainMs`, then stops: what is left stays in the journal for the next
	 * start. Closes the journal and the remote store.
	 */
	async close(): Promise<void> {
		if (this.#closed) return;
		this.#closed = true;
		if (this.#pending.size > 0) await withDeadline(this.#drain(), this.#opts.closeDrainMs).catch(() => undefined);
		this.#stopping = true;
		this.#wake?.();
		// An attempt in flight against a dead Redis ends at its own timeout at the latest.
		await this.#sending;
		// A clean stop with everything sent leaves an empty journal.
		if (this.#pending.size === 0) await this.#compact(true);
		await this.#journal.close();
		await withDeadline(this.#remote.close(), this.#opts.closeDrainMs).catch(() => undefined);
	}

	/** Resolves once the outbox is empty (everything acknowledged remotely). */
	#drain(): Promise<void> {
		if (this.#pending.size === 0) return Promise.resolve();
		this.#kick();
		return new Promise((resolve) => this.#drained.push(resolve));
	}

	#kick(): void {
		this.#wake?.();
		if (this.#sending === undefined && this.#pending.size > 0 && !this.#stopping) {
			this.#sending = this.#sendLoop().finally(() => {
				this.#sending = undefined;
				// Something arrived while the loop was finishing.
				if (this.#pending.size > 0 && !this.#stopping) this.#kick();
			});
		}
	}

	async #sendLoop(): Promise<void> {
		let attempts = 0;
		let outageStart = 0;
		// An attempt that outlived its deadline may still be queued in the client (a Redis that
		// accepts but does not answer): it is waited for instead of piling more copies behind it.
		let unanswered: Promise<void> | undefined;
		while (this.#pending.size > 0 && !this.#stopping) {
			const batch = [...take(this.#pending.values(), this.#opts.batch)].map((p) => p.event);
			try {
				if (unanswered) await withDeadline(unanswered, this.#opts.attemptTimeoutMs);
				unanswered = undefined;
				const attempt = this.#remote.append(batch);
				const settled = attempt.then(
					() => undefined,
					() => undefined,
				);
				await withDeadline(attempt, this.#opts.attemptTimeoutMs).catch((err: unknown) => {
					unanswered = settled;
					void settled.then(() => {
						if (unanswered === settled) unanswered = undefined;
					});
					throw err;
				});
			} catch (err) {
				attempts++;
				this.#failedAttempts++;
				this.#lastError = err instanceof Error ? err.message : String(err);
				if (attempts === 1) outageStart = this.#now();
				if (attempts === 1 || attempts % 100 === 0) this.#onRemoteError(err, { attempts, depth: this.#pending.size });
				await this.#sleep(Math.min(this.#opts.retryMinMs * 2 ** Math.min(attempts - 1, 20), this.#opts.retryMaxMs));
				continue;
			}
			if (attempts > 0) this.#onRecovered({ attempts, depth: this.#pending.size, outageMs: this.#now() - outageStart });
			attempts = 0;
			for (const e of batch) this.#pending.delete(e.id);
			this.#sent += batch.length;
			await this.#compact();
		}
		if (this.#pending.size === 0) for (const resolve of this.#drained.splice(0)) resolve();
	}

	/**
	 * Cuts acknowledged events from the journal: all of it once nothing waits, or down to the
	 * pending ones once many acknowledged lines have piled up behind a slow remote store.
	 */
	async #compact(force = false): Promise<void> {
		const acked = this.#journalLines - this.#pending.size;
		if (acked <= 0) return;
		const due = this.#pending.size === 0 ? acked >= EMPTY_COMPACT_LINES : acked >= this.#opts.compactAfter;
		if (!due && !force) return;
		const keep = [...this.#pending.values()].map((p) => JSON.stringify(p.event));
		try {
			await this.#journal.rewrite(keep);
			// Appends that waited for the rewrite count themselves when they finish.
			this.#journalLines = keep.length;
		} catch {
			// The old journal is whole (rewrite is atomic); the next compaction tries again.
		}
	}

	#sleep(ms: number): Promise<void> {
		return new Promise((resolve) => {
			const t = setTimeout(() => {
				this.#wake = undefined;
				resolve();
			}, ms);
			// A close or new work ends the backoff early only when stopping.
			this.#wake = () => {
				if (!this.#stopping) return;
				clearTimeout(t);
				this.#wake = undefined;
				resolve();
			};
		});
	}
}

/** With nothing pending, the journal is emptied once it holds this many acknowledged lines. */
const EMPTY_COMPACT_LINES = 1_000;

function* take<T>(it: Iterator<T>, n: number): Generator<T> {
	for (let i = 0; i < n; i++) {
		const r = it.next();
		if (r.done) return;
		yield r.value;
	}
}

function parseLine(line: string): AttendanceEvent | undefined {
	try {
		const r = attendanceEventSchema.safeParse(JSON.parse(line));
		return r.success ? (r.data as AttendanceEvent) : undefined;
	} catch {
		return undefined;
	}
}

/** Rejects with `unavailable` after `ms`; the work itself goes on (its result is then ignored). */
export function withDeadline<T>(p: Promise<T>, ms: number, what = 'the remote attendance ledger'): Promise<T> {
	let timer: NodeJS.Timeout | undefined;
	const deadline = new Promise<never>((_, reject) => {
		timer = setTimeout(() => reject(new EngineError('unavailable', `${what} did not answer within ${ms} ms`)), ms);
	});
	p.catch(() => undefined);
	return Promise.race([p, deadline]).finally(() => clearTimeout(timer));
}
