import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { types } from 'mediasoup';
import type { Logger } from '../log/logger.ts';
import type { Role } from '../session/roles.ts';
import type { FfmpegTools } from './ffmpeg.ts';
import { writeFileAtomic } from './library/durable-fs.ts';
import type { RecordingManifest } from './manifest.ts';
import { PartWriter, type RecordSource } from './part-writer.ts';

/** What the recorder needs from its session. */
export interface RecorderSource {
	router(): types.Router | undefined;
	/** Everyone who publishes now, with what they publish. */
	senders(): { participantId: string; role: Role; sources: RecordSource[] }[];
	/** Whether this participant's tracks may be recorded (hosts: always; others: consent). */
	recordable(participantId: string, role: Role): boolean;
}

export type RecorderLog = (
	event: 'recording.part_started' | 'recording.part_ended' | 'recording.ffmpeg_exit' | 'recording.part_failed',
	fields: Record<string, unknown>,
) => void;

/** New tracks of one person usually come in twos (microphone, then camera): one part for both. */
const SETTLE_MS = 300;
/** A crashing ffmpeg is restarted, but not in a loop. */
const MAX_RESTARTS_PER_MINUTE = 5;

/**
 * The recording of one session: which participants are recorded, one PartWriter per recorded
 * participant, and the manifest on disk. `sync` is called whenever a participant's tracks or
 * consent change; a track that may no longer be recorded is cut at once, new ones start after a
 * short settle so a camera and microphone published together land in one part.
 */
export class SessionRecorder {
	readonly manifest: RecordingManifest;
	readonly dir: string;
	readonly #source: RecorderSource;
	readonly #tools: FfmpegTools;
	readonly #log: RecorderLog;
	readonly #logger: Logger | undefined;
	readonly #onChange: () => void;
	readonly #writers = new Map<string, PartWriter>();
	readonly #pending = new Map<string, ReturnType<typeof setTimeout>>();
	/** Per participant, one change at a time. */
	readonly #chains = new Map<string, Promise<void>>();
	readonly #restarts = new Map<string, number[]>();
	#manifestWrite: Promise<void> = Promise.resolve();
	#stopped = false;
	/**
	 * The next part's number, taken when a part starts (not when it is in the manifest): parts of
	 * several participants start at once, and two with one folder would share one SDP file.
	 */
	#nextPart: number | undefined;

	constructor(opts: {
		manifest: RecordingManifest;
		dir: string;
		source: RecorderSource;
		tools: FfmpegTools;
		log: RecorderLog;
		/** The engine's logger, for failures that are not parts of the recording (a refused key frame request). */
		logger?: Logger | undefined;
		onChange: () => void;
	}) {
		this.manifest = opts.manifest;
		this.dir = opts.dir;
		this.#source = opts.source;
		this.#tools = opts.tools;
		this.#log = opts.log;
		this.#logger = opts.logger;
		this.#onChange = opts.onChange;
	}

	async start(): Promise<void> {
		await mkdir(this.dir, { recursive: true });
		await this.#writeManifest();
		for (const s of this.#source.senders()) this.sync(s.participantId);
	}

	get stopped(): boolean {
		return this.#stopped;
	}

	/** Participants whose tracks are being written now, by ID. */
	recordedParticipants(): string[] {
		// Sorted: the writers start in whatever order their tracks arrive, and a host's list should not reshuffle.
		return [...this.#writers.entries()]
			.filter(([, w]) => w.running)
			.map(([id]) => id)
			.sort();
	}

	/** The running part of a participant (tests: to kill its ffmpeg). */
	writerOf(participantId: string): PartWriter | undefined {
		return this.#writers.get(participantId);
	}

	/** Brings one participant's part in line with what may and should be recorded now. */
	sync(participantId: string): void {
		if (this.#stopped) return;
		const wanted = this.#wanted(participantId);
		const writer = this.#writers.get(participantId);
		// Anything no longer allowed stops now, not after the settle (and everyone is told now).
		if (writer?.producerIds.some((id) => !wanted.some((s) => s.producer.id === id))) {
			void writer.stop();
			this.#onChange();
			this.#enqueue(participantId, () => this.#end(participantId));
		}
		clearTimeout(this.#pending.get(participantId));
		this.#pending.set(
			participantId,
			setTimeout(() => {
				this.#pending.delete(participantId);
				this.#enqueue(participantId, () => this.#reconcile(participantId));
			}, SETTLE_MS),
		);
	}

	async stop(): Promise<RecordingManifest> {
		if (this.#stopped) return this.manifest;
		this.#stopped = true;
		for (const t of this.#pending.values()) clearTimeout(t);
		this.#pending.clear();
		await Promise.all([...this.#chains.values()]);
		await Promise.all([...this.#writers.keys()].map((id) => this.#end(id)));
		this.manifest.endedAt = Date.now();
		await this.#writeManifest();
		this.#onChange();
		return this.manifest;
	}

	#wanted(participantId: string): RecordSource[] {
		const sender = this.#source.senders().find((s) => s.participantId === participantId);
		if (!sender || !this.#source.recordable(participantId, sender.role)) return [];
		return sender.sources.filter((s) => !s.producer.closed);
	}

	#enqueue(participantId: string, job: () => Promise<void>): void {
		const prev = this.#chains.get(participantId) ?? Promise.resolve();
		const next = prev.then(job).catch((err: unknown) => this.#log('recording.part_failed', { participantId, error: String(err) }));
		this.#chains.set(participantId, next);
	}

	async #reconcile(participantId: string): Promise<void> {
		if (this.#stopped) return;
		const wanted = this.#wanted(participantId);
		const writer = this.#writers.get(participantId);
		const same =
			writer?.running &&
			writer.producerIds.length === wanted.length &&
			wanted.every((s) => writer.producerIds.includes(s.producer.id));
		if (same) return;
		if (writer) await this.#end(participantId);
		if (wanted.length === 0) return;
		const router = this.#source.router();
		const sender = this.#source.senders().find((s) => s.participantId === participantId);
		if (!router || !sender) return;
		this.#nextPart ??= this.manifest.parts.length;
		const dirName = `part-${String(this.#nextPart++).padStart(3, '0')}`;
		const next = await PartWriter.start({
			router,
			tools: this.#tools,
			recordingDir: this.dir,
			dirName,
			participantId,
			role: sender.role,
			sources: wanted,
			onUnexpectedExit: (w, detail) => this.#crashed(participantId, w, detail),
			log: this.#logger,
		});
		if (this.#stopped) {
			await next.stop();
			return;
		}
		this.#writers.set(participantId, next);
		this.manifest.parts.push(next.part);
		this.#log('recording.part_started', { participantId, part: dirName, streams: next.part.streams.map((s) => s.source) });
		await this.#writeManifest();
		this.#onChange();
	}

	async #end(participantId: string): Promise<void> {
		const writer = this.#writers.get(participantId);
		if (!writer) return;
		this.#writers.delete(participantId);
		await writer.stop();
		this.#log('recording.part_ended', { participantId, part: writer.part.dir });
		await this.#writeManifest();
		this.#onChange();
	}

	#crashed(participantId: string, writer: PartWriter, detail: string): void {
		writer.markCrashed();
		writer.part.endedAt = Date.now();
		if (this.#writers.get(participantId) === writer) this.#writers.delete(participantId);
		this.#log('recording.ffmpeg_exit', { participantId, part: writer.part.dir, detail });
		void this.#writeManifest().then(() => this.#onChange());
		const now = Date.now();
		const recent = (this.#restarts.get(participantId) ?? []).filter((t) => now - t < 60_000);
		if (recent.length >= MAX_RESTARTS_PER_MINUTE) return;
		recent.push(now);
		this.#restarts.set(participantId, recent);
		// Go on recording in a new part on fresh ports; what the old one wrote stays.
		this.sync(participantId);
	}

	/**
	 * Rewrites the manifest atomically and durably (temp file, fsync, rename, fsync of the folder),
	 * one write at a time: after a power cut it is the previous manifest or this one, never empty.
	 */
	#writeManifest(): Promise<void> {
		this.#manifestWrite = this.#manifestWrite.then(() =>
			writeFileAtomic(join(this.dir, 'manifest.json'), `${JSON.stringify(this.manifest, null, 1)}\n`),
		);
		return this.#manifestWrite;
	}
}
