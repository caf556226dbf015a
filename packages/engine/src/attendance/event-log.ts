import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { z } from 'zod';
import { EngineError } from '../errors.ts';

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

const eventIdSchema = z.string().regex(/^[A-Za-z0-9_.:-]{1,128}$/, '1-128 characters: letters, digits, _ . : -');
/** `library.watch`, `participant.joined`, …: lowercase words joined by dots. */
const eventTypeSchema = z.string().regex(/^[a-z][a-z0-9-]*(\.[a-z][a-z0-9-]*)*$/, 'lowercase words joined by dots');

export const attendanceEventInputSchema = z
	.object({
		id: eventIdSchema.optional().describe('Unique ID; a second event with the same ID is ignored (safe retries). Random when absent'),
		at: z.number().int().min(0).optional().describe('Server time (ms); now when absent'),
		tenantId: z.string().min(1).max(64),
		type: eventTypeSchema,
	})
	.catchall(z.json());

export const attendanceEventSchema = z
	.object({ id: eventIdSchema, at: z.number().int().min(0), tenantId: z.string().min(1), type: eventTypeSchema })
	.catchall(z.json());

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
/** One stored event: the four common fields plus the fields of its type (JSON values). */
export type AttendanceEvent = { id: string; at: number; tenantId: string; type: string } & { [field: string]: JsonValue };
export type AttendanceEventInput = z.input<typeof attendanceEventInputSchema>;

export interface AppendResult {
	event: AttendanceEvent;
	/** False when an event with this ID was stored before (this one was ignored). */
	stored: boolean;
}

interface Pending {
	line: string;
	event: AttendanceEvent;
	resolve: (r: AppendResult) => void;
	reject: (err: unknown) => void;
}

export class AttendanceLog {
	readonly path: string;
	/** Complete lines that did not parse at open (skipped). */
	readonly skippedAtOpen: number;
	readonly #fh: FileHandle;
	readonly #now: () => number;
	readonly #ids: Set<string>;
	/** Events not yet durable, by ID: a duplicate of one of them resolves with its batch. */
	readonly #inFlight = new Map<string, Promise<AppendResult>>();
	readonly #listeners = new Set<(e: AttendanceEvent) => void>();
	#queue: Pending[] = [];
	#flushing: Promise<void> | undefined;
	/** Bytes known to be on disk: replay() reads no further, so it never sees a half-written batch. */
	#durableSize: number;
	#failed: unknown;
	#closed = false;

	private constructor(path: string, fh: FileHandle, size: number, ids: Set<string>, skipped: number, now: () => number) {
		this.path = path;
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
		const path = join(dir, 'events.jsonl');
		const fh = await open(path, 'a+', 0o600);
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
			return new AttendanceLog(path, fh, end, ids, skipped, opts.now ?? Date.now);
		} catch (err) {
			await fh.close();
			throw err;
		}
	}

	/**
	 * Appends one event; resolves once it is on disk. An event whose ID was seen before is not
	 * written again (`stored: false`). A bad event is refused with `invalid_argument`.
	 */
	append(input: AttendanceEventInput): Promise<AppendResult> {
		if (this.#closed) return Promise.reject(new EngineError('unavailable', 'the attendance log is closed'));
		if (this.#failed) return Promise.reject(new EngineError('unavailable', 'the attendance log could not be written; restart the host'));
		const parsed = attendanceEventInputSchema.safeParse(input);
		if (!parsed.success) {
			const issue = parsed.error.issues[0];
			return Promise.reject(new EngineError('invalid_argument', `invalid attendance event at "${issue?.path.join('.')}": ${issue?.message}`));
		}
		const { id, at, tenantId, type, ...fields } = parsed.data;
		const event = { ...fields, id: id ?? randomUUID(), at: at ?? this.#now(), tenantId, type } as AttendanceEvent;
		const inFlight = this.#inFlight.get(event.id);
		if (inFlight) return inFlight.then((r) => ({ event: r.event, stored: false }));
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

	/** Every durable event in the order written, read from disk; `filter` picks by type or tenant. */
	async *replay(filter: { type?: string; tenantId?: string } = {}): AsyncGenerator<AttendanceEvent> {
		if (this.#durableSize === 0) return;
		const lines = createInterface({ input: createReadStream(this.path, { start: 0, end: this.#durableSize - 1 }), crlfDelay: Infinity });
		for await (const line of lines) {
			if (line === '') continue;
			const event = parseLine(line);
			if (!event) continue;
			if (filter.type !== undefined && event.type !== filter.type) continue;
			if (filter.tenantId !== undefined && event.tenantId !== filter.tenantId) continue;
			yield event;
		}
	}

	/** Waits for pending appends, then closes the file. */
	async close(): Promise<void> {
		if (this.#closed) return;
		this.#closed = true;
		await this.#flushing;
		await this.#fh.close();
	}

	/** Writes queued events in batches, one write and one fsync each, until the queue is empty. */
	async #flushLoop(): Promise<void> {
		// Let appends made in the same tick join the first batch.
		await new Promise<void>((resolve) => setImmediate(resolve));
		while (this.#queue.length > 0) {
			const batch = this.#queue;
			this.#queue = [];
			try {
				const bytes = Buffer.from(batch.map((p) => p.line).join(''), 'utf8');
				let written = 0;
				while (written < bytes.length) written += (await this.#fh.write(bytes, written)).bytesWritten;
				await this.#fh.datasync();
				this.#durableSize += bytes.length;
			} catch (err) {
				// The file may now end in a partial batch; the next open cuts it off. Until then no
				// append can be promised durable, so all fail.
				this.#failed = err;
				for (const p of [...batch, ...this.#queue]) p.reject(new EngineError('unavailable', `the attendance log could not be written: ${String(err)}`));
				this.#queue = [];
				break;
			}
			for (const p of batch) {
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

function parseLine(line: string): AttendanceEvent | undefined {
	try {
		const r = attendanceEventSchema.safeParse(JSON.parse(line));
		return r.success ? (r.data as AttendanceEvent) : undefined;
	} catch {
		return undefined;
	}
}
