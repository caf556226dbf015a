import { existsSync } from 'node:fs';
import { readdir, readFile, rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { messageOf } from '@luwte/errors';
import { EngineError } from '../errors.ts';
import type { EngineEvents, TypedEmitter } from '../events.ts';
import { defaultLogger, type Logger } from '../log/logger.ts';
import { activityModules, type ActivityModule } from '../session/activity.ts';
import { writeFileAtomic } from './library/durable-fs.ts';
import type { Library } from './library/library.ts';
import { recordingManifestSchema, type RecordingManifest } from './manifest.ts';
import { ITEM_FILE, THUMBNAIL_FILE, postprocessRecording, type PostprocessOptions } from './postprocess/index.ts';
import type { PostprocessResult } from './postprocess/item.ts';

export type RecordingState = 'recording' | 'processing' | 'done' | 'failed';

/** What the host reports about one recording. */
export interface RecordingRecord {
	recordingId: string;
	tenantId: string;
	sessionId: string;
	state: RecordingState;
	startedAt: number;
	endedAt: number | undefined;
	progress: { phase: string; fraction: number } | undefined;
	itemId: string | undefined;
	error: string | undefined;
}

/** Written into a recording's folder once its item is in the library: never processed twice. */
const DONE_FILE = 'processed.json';
/** The library item listed for it while processing: a restart finishes that item, not a new one. */
const ITEM_REF_FILE = 'library-item.json';

/**
 * Turns stopped recordings into library items, one at a time (post-processing encodes video; two
 * at once would only slow both on a small host). Each recording is listed in the library as
 * `processing` at once, with progress here; at the end the item is `published`, or `flagged`
 * when the flash check found something. At start, recordings a crash left unprocessed are picked
 * up again (a host crash mid-recording leaves a folder whose manifest never got its end).
 */
export class RecordingService {
	readonly #library: Pick<Library, 'createProcessing' | 'complete' | 'markFailed'>;
	readonly #dataDir: string;
	readonly #postprocess: (dir: string, out: string, opts: PostprocessOptions) => Promise<PostprocessResult>;
	readonly #log: Logger;
	readonly #events: TypedEmitter<EngineEvents>;
	readonly #records = new Map<string, RecordingRecord>();
	readonly #done = new Map<string, Promise<RecordingRecord>>();
	#queue: Promise<unknown> = Promise.resolve();
	/** Recordings waiting for or in post-processing (resumed ones too, before their record exists). */
	#queued = 0;
	readonly #unsubscribe: (() => void)[] = [];
	/** Aborts the running post-processing when the host closes (it resumes at the next start). */
	readonly #closing = new AbortController();

	constructor(opts: {
		events: TypedEmitter<EngineEvents>;
		library: Pick<Library, 'createProcessing' | 'complete' | 'markFailed'>;
		dataDir: string;
		postprocess?: (dir: string, out: string, opts: PostprocessOptions) => Promise<PostprocessResult>;
		/** Where processing is reported (done, failed); the engine's default logger when absent. */
		logger?: Logger;
		/** @deprecated Pass `logger`. Receives every line, whatever its level. */
		log?: (event: string, fields: Record<string, unknown>) => void;
	}) {
		this.#library = opts.library;
		this.#events = opts.events;
		this.#dataDir = opts.dataDir;
		this.#postprocess = opts.postprocess ?? postprocessRecording;
		this.#log = opts.logger ?? (opts.log ? callbackLogger(opts.log) : defaultLogger());
		this.#unsubscribe.push(
			opts.events.on('recording.started', (e) =>
				this.#records.set(e.recordingId, {
					recordingId: e.recordingId,
					tenantId: e.tenantId,
					sessionId: e.sessionId,
					state: 'recording',
					startedAt: e.at,
					endedAt: undefined,
					progress: undefined,
					itemId: undefined,
					error: undefined,
				}),
			),
			opts.events.on('recording.stopped', (e) => {
				const r = this.#records.get(e.recordingId);
				if (r) Object.assign(r, { state: 'processing', endedAt: e.at, progress: { phase: 'queued', fraction: 0 } });
				void this.#enqueue(e.dir);
			}),
		);
	}

	/** Queues every recording on disk that has no item yet (after a restart). Returns how many. */
	async resumePending(): Promise<number> {
		const root = join(this.#dataDir, 'recordings');
		if (!existsSync(root)) return 0;
		let n = 0;
		for (const tenant of await readdir(root, { withFileTypes: true })) {
			if (!tenant.isDirectory()) continue;
			for (const rec of await readdir(join(root, tenant.name), { withFileTypes: true })) {
				const dir = join(root, tenant.name, rec.name);
				if (!rec.isDirectory() || existsSync(join(dir, DONE_FILE)) || !existsSync(join(dir, 'manifest.json'))) continue;
				if (this.#records.get(rec.name)?.state === 'recording') continue;
				void this.#enqueue(dir);
				n++;
			}
		}
		return n;
	}

	get(tenantId: string, recordingId: string): RecordingRecord {
		const r = this.#records.get(recordingId);
		if (!r || r.tenantId !== tenantId) throw new EngineError('not_found', `recording ${recordingId} not found`);
		return { ...r };
	}

	list(tenantId: string): RecordingRecord[] {
		return [...this.#records.values()]
			.filter((r) => r.tenantId === tenantId)
			.sort((a, b) => b.startedAt - a.startedAt)
			.map((r) => ({ ...r }));
	}

	/** Resolves when the recording's processing has ended (done or failed). */
	whenProcessed(recordingId: string): Promise<RecordingRecord> {
		const p = this.#done.get(recordingId);
		if (!p) throw new EngineError('not_found', `recording ${recordingId} is not being processed`);
		return p;
	}

	/** Recordings known since the start by state, and the processing queue's length (the host's metrics). */
	counts(): Record<RecordingState, number> & { queued: number } {
		const counts = { recording: 0, processing: 0, done: 0, failed: 0, queued: this.#queued };
		for (const r of this.#records.values()) counts[r.state]++;
		return counts;
	}

	close(): void {
		for (const off of this.#unsubscribe) off();
		this.#closing.abort();
	}

	#enqueue(dir: string): Promise<RecordingRecord> {
		const recordingId = basename(dir);
		const existing = this.#done.get(recordingId);
		if (existing !== undefined) return existing;
		const job = this.#queue.then(() => this.#process(dir));
		this.#queued++;
		void job.then(
			() => this.#queued--,
			() => this.#queued--,
		);
		// #process reports what fails inside; this catches what fails before (an unreadable manifest).
		this.#queue = job.catch((err: unknown) =>
			this.#log.error('recording.processing_failed', { recording: recordingId, error: messageOf(err) }),
		);
		this.#done.set(recordingId, job);
		return job;
	}

	async #process(dir: string): Promise<RecordingRecord> {
		const manifest: RecordingManifest = recordingManifestSchema.parse(JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')));
		const record: RecordingRecord = this.#records.get(manifest.recordingId) ?? {
			recordingId: manifest.recordingId,
			tenantId: manifest.tenantId,
			sessionId: manifest.sessionId,
			state: 'processing',
			startedAt: manifest.startedAt,
			endedAt: undefined,
			progress: undefined,
			itemId: undefined,
			error: undefined,
		};
		this.#records.set(manifest.recordingId, record);
		record.state = 'processing';
		record.endedAt = manifest.endedAt ?? undefined;
		record.progress = { phase: 'queued', fraction: 0 };
		const module = (activityModules as readonly string[]).includes(manifest.module ?? '')
			? (manifest.module as ActivityModule)
			: undefined;
		try {
			// Sessions are recorded only with a module (checked at start); a folder edited by hand is refused here.
			if (!module) throw new Error(`recording ${manifest.recordingId} has no module`);
			if (this.#closing.signal.aborted) throw new Error('the host is closing');
			// Nobody published (or nobody who may be recorded): no item, just the reason.
			if (manifest.parts.length === 0)
				throw new Error('nothing was recorded: nobody who may be recorded published a camera or microphone');
			const ref = join(dir, ITEM_REF_FILE);
			const known = existsSync(ref) ? (JSON.parse(await readFile(ref, 'utf8')) as { itemId?: unknown }).itemId : undefined;
			const item =
				typeof known === 'string'
					? { id: known }
					: await this.#library.createProcessing({
							tenantId: manifest.tenantId,
							title: manifest.title ?? `Opname ${new Date(manifest.startedAt).toLocaleDateString('nl-NL')}`,
							module,
							recordedAt: manifest.startedAt,
							sessionId: manifest.sessionId,
						});
			// Durable before post-processing starts: a restart finishes this item instead of listing a second one.
			if (typeof known !== 'string') await writeFileAtomic(ref, `${JSON.stringify({ itemId: item.id })}\n`);
			record.itemId = item.id;
			try {
				const out = join(dir, 'output');
				const result = await this.#postprocess(dir, out, {
					signal: this.#closing.signal,
					onProgress: (p) => {
						record.progress = { phase: p.phase, fraction: p.fraction };
					},
				});
				await this.#library.complete(manifest.tenantId, item.id, {
					sourceDir: out,
					media: ITEM_FILE,
					thumbnail: THUMBNAIL_FILE,
					durationSeconds: result.durationSeconds,
					...(result.flash.flagged ? { flash: { windows: result.flash.windows } } : {}),
				});
				await writeFileAtomic(join(dir, DONE_FILE), `${JSON.stringify({ itemId: item.id, at: Date.now() })}\n`);
				// The item holds what was recorded now; the raw segments go (data kept no longer than needed).
				for (const part of manifest.parts) await rm(join(dir, part.dir), { recursive: true, force: true });
				await rm(out, { recursive: true, force: true });
				record.state = 'done';
				record.progress = { phase: 'done', fraction: 1 };
				this.#log.info('recording.processed', {
					recording: manifest.recordingId,
					item: item.id,
					flagged: result.flash.flagged,
					seconds: result.durationSeconds,
				});
				this.#processed(manifest, {
					outcome: result.flash.flagged ? 'flagged' : 'ready',
					itemId: item.id,
					durationSeconds: result.durationSeconds,
					flashWindows: result.flash.windows.length,
					error: undefined,
				});
			} catch (err) {
				// Interrupted by the host closing: left as processing, finished at the next start.
				if (!this.#closing.signal.aborted) {
					await this.#library
						.markFailed(manifest.tenantId, item.id, String((err as Error).message ?? err))
						.catch((cause: unknown) =>
							this.#log.error('recording.mark_failed_failed', {
								recording: manifest.recordingId,
								item: item.id,
								error: messageOf(cause),
							}),
						);
				}
				throw err;
			}
		} catch (err) {
			record.state = 'failed';
			record.error = String((err as Error).message ?? err).slice(0, 500);
			this.#log.warn('recording.processing_failed', { recording: manifest.recordingId, error: record.error });
			// A host closing mid-processing finishes it at the next start: not a failure.
			if (!this.#closing.signal.aborted) {
				this.#processed(manifest, {
					outcome: 'failed',
					itemId: record.itemId,
					durationSeconds: undefined,
					flashWindows: undefined,
					error: record.error,
				});
			}
		}
		return { ...record };
	}

	/** Reports the outcome (webhooks listen for it). */
	#processed(
		manifest: RecordingManifest,
		r: Pick<EngineEvents['recording.processed'], 'outcome' | 'itemId' | 'durationSeconds' | 'flashWindows' | 'error'>,
	): void {
		this.#events.emit('recording.processed', {
			at: Date.now(),
			tenantId: manifest.tenantId,
			sessionId: manifest.sessionId,
			recordingId: manifest.recordingId,
			...r,
		});
	}
}

/** A logger over the old single callback: every level goes to it. */
function callbackLogger(log: (event: string, fields: Record<string, unknown>) => void): Logger {
	const at = (event: string, fields: Record<string, unknown> = {}) => log(event, fields);
	return { debug: at, info: at, warn: at, error: at };
}
