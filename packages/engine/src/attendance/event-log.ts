import { createReadStream } from 'node:fs';
import { mkdir, open, readFile, rename, rm, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { EngineError } from '../errors.ts';
import { settled } from '../settled.ts';
import {
	forgetAction,
	matchesFilter,
	parseBefore,
	parseForget,
	parseStoredEvent,
	parseReplayFilter,
	toEvents,
	type AppendResult,
	type AttendanceEvent,
	type AttendanceEventInput,
	type LedgerChange,
	type LedgerStore,
	type ReplayFilter,
} from './store.ts';

/**
 * The attendance event stream: an append-only JSON-lines file, `<dataDir>/attendance/events.jsonl`.
 * Attendance, billing and resume positions are all derived from it, so it is written durably:
 * an append resolves only after its line is on disk (fsync). Appends arriving together share one
 * write and one fsync (group commit), which keeps a busy library cheap on slow disks.
 *
 * At open the file is read once: a torn last line (a crash mid-write) is cut off, complete lines
 * that do not parse are skipped and counted, and every event ID is remembered, so a retried
 * event (same `id`) is stored once.
 */

export {
	attendanceEventInputSchema,
	attendanceEventSchema,
	type AppendResult,
	type AttendanceEvent,
	type AttendanceEventInput,
	type JsonValue,
} from './store.ts';

interface Pending {
	line: string;
	event: AttendanceEvent;
	resolve: (r: AppendResult) => void;
	reject: (err: unknown) => void;
}

/** The embedded ledger store. */
export class AttendanceLog implements LedgerStore {
	readonly path: string;
	/** Complete lines that did not parse at open (skipped). */
	readonly skippedAtOpen: number;
	readonly #dir: string;
	#fh: FileHandle;
	readonly #now: () => number;
	readonly #ids: Set<string>;
	/** Events not yet durable, by ID: a duplicate of one of them resolves with its batch. */
	readonly #inFlight = new Map<string, Promise<AppendResult>>();
	readonly #listeners = new Set<(e: AttendanceEvent) => void>();
	readonly #changeListeners = new Set<(c: LedgerChange) => void>();
	/** Rewrites so far: with the durable size, the log's position (a rewrite may leave any size). */
	#rewrites = 0;
	#queue: Pending[] = [];
	#flushing: Promise<void> | undefined;
	/** The batch being written now (a rewrite waits for it). */
	#writing: Promise<void> | undefined;
	/** A rewrite (forget, purge) in progress: batches wait for it, so none lands in the old file. */
	#rewriting: Promise<unknown> | undefined;
	/** Bytes known to be on disk: replay() reads no further, so it never sees a half-written batch. */
	#durableSize: number;
	#failed: unknown;
	#closed = false;

	private constructor(dir: string, fh: FileHandle, size: number, ids: Set<string>, skipped: number, now: () => number) {
		this.#dir = dir;
		this.path = join(dir, 'events.jsonl');
		this.#fh = fh;
		this.#durableSize = size;
		this.#ids = ids;
		this.skippedAtOpen = skipped;
		this.#now = now;
	}

	/** Opens (or creates) `<dataDir>/attendance/events.jsonl`, repairing a torn tail. */
	static async open(dataDir: string, opts: { now?: () => number } = {}): Promise<AttendanceLog> {
		const dir = join(dataDir, 'attendance');
		await mkdir(dir, { recursive: true });
		// A rewrite that crashed before its rename left only a temporary file: the old file is whole.
		await rm(join(dir, 'events.jsonl.rewrite'), { force: true });
		const fh = await open(join(dir, 'events.jsonl'), 'a+', 0o600);
		try {
			const data = await fh.readFile();
			// Everything after the last newline is a line the crash cut short: drop it, so the next
			// append starts on a fresh line and the torn bytes never join a good event.
			const end = data.lastIndexOf(0x0a) + 1;
			if (end < data.length) {
				await fh.truncate(end);
				await fh.sync();
			}
			const ids = new Set<string>();
			let skipped = 0;
			for (const line of data.subarray(0, end).toString('utf8').split('\n')) {
				if (line === '') continue;
				const event = parseLine(line);
				if (event) ids.add(event.id);
				else skipped++;
			}
			return new AttendanceLog(dir, fh, end, ids, skipped, opts.now ?? Date.now);
		} catch (err) {
			await fh.close();
			throw err;
		}
	}

	/**
	 * Appends one event or a batch; resolves once on disk. An event whose ID was seen before is not
	 * written again (`stored: false`). A bad event is refused with `invalid_argument` (in a batch:
	 * the whole batch, nothing written).
	 */
	append(input: AttendanceEventInput): Promise<AppendResult>;
	append(inputs: readonly AttendanceEventInput[]): Promise<AppendResult[]>;
	append(input: AttendanceEventInput | readonly AttendanceEventInput[]): Promise<AppendResult | AppendResult[]> {
		if (this.#closed) return Promise.reject(new EngineError('unavailable', 'the attendance log is closed'));
		if (this.#failed)
			return Promise.reject(new EngineError('unavailable', 'the attendance log could not be written; restart the host'));
		const many = Array.isArray(input);
		let events: AttendanceEvent[];
		try {
			events = toEvents(many ? input : [input], this.#now);
		} catch (err) {
			return Promise.reject(err);
		}
		const results = events.map((e) => this.#enqueue(e));
		return many ? Promise.all(results) : results[0]!;
	}

	#enqueue(event: AttendanceEvent): Promise<AppendResult> {
		const inFlight = this.#inFlight.get(event.id);
		if (inFlight !== undefined) return inFlight.then((r) => ({ event: r.event, stored: false }));
		if (this.#ids.has(event.id)) return Promise.resolve({ event, stored: false });
		this.#ids.add(event.id);
		const promise = new Promise<AppendResult>((resolve, reject) => {
			this.#queue.push({ line: `${JSON.stringify(event)}\n`, event, resolve, reject });
		});
		this.#inFlight.set(event.id, promise);
		const forget = () => this.#inFlight.delete(event.id);
		promise.then(forget, forget);
		this.#flushing ??= this.#flushLoop();
		return promise;
	}

	/** Called with every event once it is durable (derived state, e.g. resume positions). */
	onAppend(listener: (e: AttendanceEvent) => void): () => void {
		this.#listeners.add(listener);
		return () => this.#listeners.delete(listener);
	}

	/**
	 * Where the log stands: changes with every durable batch and every rewrite, so whatever was
	 * derived at one position holds while the log is still there (one position for all tenants).
	 */
	async position(_tenantId?: string): Promise<string> {
		return this.#position();
	}

	/** Called with every durable event and every rewrite, with the positions around it. */
	onChange(listener: (c: LedgerChange) => void): () => void {
		this.#changeListeners.add(listener);
		return () => this.#changeListeners.delete(listener);
	}

	#position(): string {
		return `${this.#rewrites}:${this.#durableSize}`;
	}

	#notify(change: LedgerChange): void {
		for (const l of this.#changeListeners) {
			try {
				l(change);
			} catch {
				// A listener's fault must not stop the log; the change is durable either way.
			}
		}
	}

	/** Every durable event in the order written, read from disk; `filter` picks by tenant, type or time. */
	async *replay(filter: ReplayFilter = {}): AsyncGenerator<AttendanceEvent> {
		const f = parseReplayFilter(filter);
		// A rewrite swaps the file: wait for it, then read the new one up to what is durable now.
		while (this.#rewriting !== undefined) await this.#rewriting;
		const size = this.#durableSize;
		if (size === 0) return;
		const lines = createInterface({ input: createReadStream(this.path, { start: 0, end: size - 1 }), crlfDelay: Infinity });
		for await (const line of lines) {
			if (line === '') continue;
			const event = parseLine(line);
			if (event && matchesFilter(event, f)) yield event;
		}
	}

	/** Removes one client's events (and their place in `invited` lists) by rewriting the file. */
	async forget(tenantId: string, participantId: string): Promise<{ removed: number }> {
		const who = parseForget(tenantId, participantId);
		return this.#rewrite((e) => forgetAction(e, who.tenantId, who.participantId));
	}

	/** Removes every event older than `beforeMs` by rewriting the file. */
	async purgeBefore(beforeMs: number): Promise<{ removed: number }> {
		const before = parseBefore(beforeMs);
		return this.#rewrite((e) => (e.at < before ? 'drop' : 'keep'));
	}

	/** Waits for pending appends, then closes the file. */
	async close(): Promise<void> {
		if (this.#closed) return;
		this.#closed = true;
		await this.#flushing;
		while (this.#rewriting !== undefined) await this.#rewriting;
		await this.#fh.close();
	}

	/**
	 * Writes the kept events to a new file, fsyncs it, renames it over the log and fsyncs the
	 * folder: a crash leaves either the old file or the new one, never a mix. Appends arriving
	 * meanwhile wait in the queue and go to the new file.
	 */
	async #rewrite(action: (e: AttendanceEvent) => 'drop' | 'keep' | AttendanceEvent): Promise<{ removed: number }> {
		if (this.#closed) throw new EngineError('unavailable', 'the attendance log is closed');
		while (this.#rewriting !== undefined) await this.#rewriting;
		const run = (async () => {
			// Set synchronously with the check above, so no new batch starts; wait for the one running.
			await this.#writing;
			if (this.#failed) throw new EngineError('unavailable', 'the attendance log could not be written; restart the host');
			const tmp = join(this.#dir, 'events.jsonl.rewrite');
			const out = await open(tmp, 'w', 0o600);
			let removed = 0;
			let size = 0;
			const removedIds: string[] = [];
			try {
				const data = (await readFile(this.path)).subarray(0, this.#durableSize);
				const kept: string[] = [];
				for (const line of data.toString('utf8').split('\n')) {
					if (line === '') continue;
					const event = parseLine(line);
					const a = event ? action(event) : 'keep';
					if (a === 'keep') kept.push(`${line}\n`);
					else if (a === 'drop') {
						removed++;
						removedIds.push(event!.id);
					} else kept.push(`${JSON.stringify(a)}\n`);
				}
				const bytes = Buffer.from(kept.join(''), 'utf8');
				size = bytes.length;
				let written = 0;
				while (written < bytes.length) written += (await out.write(bytes, written)).bytesWritten;
				await out.sync();
			} finally {
				await out.close();
			}
			await rename(tmp, this.path);
			await fsyncDir(this.#dir);
			const old = this.#fh;
			this.#fh = await open(this.path, 'a+', 0o600);
			await old.close();
			const before = this.#position();
			this.#durableSize = size;
			this.#rewrites++;
			this.#notify({ before, after: this.#position() });
			// Forgotten IDs leave memory too: nothing of the client is kept.
			for (const id of removedIds) this.#ids.delete(id);
			return { removed };
		})();
		this.#rewriting = run;
		try {
			return await run;
		} catch (err) {
			if (!(err instanceof EngineError)) this.#failed = err;
			throw err;
		} finally {
			this.#rewriting = undefined;
			if (this.#queue.length > 0) this.#flushing ??= this.#flushLoop();
		}
	}

	/** Writes queued events in batches, one write and one fsync each, until the queue is empty. */
	async #flushLoop(): Promise<void> {
		// Let appends made in the same tick join the first batch.
		await new Promise<void>((resolve) => setImmediate(resolve));
		while (this.#queue.length > 0) {
			while (this.#rewriting !== undefined) await settled(this.#rewriting);
			if (this.#queue.length === 0) break;
			const batch = this.#queue;
			this.#queue = [];
			let done!: () => void;
			let before = '';
			this.#writing = new Promise<void>((resolve) => (done = resolve));
			try {
				if (this.#failed) throw this.#failed;
				const bytes = Buffer.from(batch.map((p) => p.line).join(''), 'utf8');
				let written = 0;
				while (written < bytes.length) written += (await this.#fh.write(bytes, written)).bytesWritten;
				await this.#fh.datasync();
				before = this.#position();
				this.#durableSize += bytes.length;
			} catch (err) {
				// The file may now end in a partial batch; the next open cuts it off. Until then no
				// append can be promised durable, so all fail.
				this.#failed = err;
				for (const p of [...batch, ...this.#queue])
					p.reject(new EngineError('unavailable', `the attendance log could not be written: ${String(err)}`, { cause: err }));
				this.#queue = [];
				break;
			} finally {
				this.#writing = undefined;
				done();
			}
			const after = this.#position();
			for (const p of batch) {
				this.#notify({ before, after, appended: p.event });
				// Listeners first: whoever awaits the append then sees the derived state updated.
				for (const l of this.#listeners) {
					try {
						l(p.event);
					} catch {
						// A listener's fault must not stop the log; the event is stored either way.
					}
				}
				p.resolve({ event: p.event, stored: true });
			}
		}
		this.#flushing = undefined;
	}
}

async function fsyncDir(dir: string): Promise<void> {
	const fh = await open(dir, 'r');
	try {
		await fh.sync();
	} finally {
		await fh.close();
	}
}

function parseLine(line: string): AttendanceEvent | undefined {
	try {
		return parseStoredEvent(JSON.parse(line));
	} catch {
		return undefined;
	}
}
