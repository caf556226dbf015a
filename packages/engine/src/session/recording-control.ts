import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { messageOf } from '@luwte/errors';
import { EngineError } from '../errors.ts';
import type { Logger } from '../log/logger.ts';
import { resolveFfmpeg } from '../recording/ffmpeg.ts';
import type { RecordingManifest } from '../recording/manifest.ts';
import { SessionRecorder } from '../recording/session-recorder.ts';
import type { ActivityModule } from './activity.ts';
import { assertNotEnded } from './guards.ts';
import type { Presence } from './presence.ts';
import type { SessionEvents } from './session-events.ts';
import type { SessionRouter } from './session-router.ts';
import type { SessionState } from './session-info.ts';

/** Recording consent of one participant, as last set. */
export interface ConsentRecord {
	consent: boolean;
	/** Milliseconds since the epoch. */
	at: number;
	/** Who set it: the participant themself, a host (their ID), or `api`. */
	by: string;
}

export interface RecordingStatus {
	active: boolean;
	recordingId: string | undefined;
	startedAt: number | undefined;
	/** Participants whose tracks are being written now. */
	recorded: string[];
	/** Every participant's consent as last set (hosts are recorded without it). */
	consent: ({ participantId: string } & ConsentRecord)[];
}

/** What recording needs to know of its session. */
export interface RecordedSession {
	readonly id: string;
	readonly tenantId: string;
	readonly title: string | undefined;
	readonly module: ActivityModule | undefined;
	readonly state: SessionState;
}

/**
 * A session's recording and everyone's consent to it: hosts' tracks are always recorded, others'
 * only with consent (kept per participant ID across reconnects for the whole session). Everyone is
 * told the recording state (`recordingChanged`) whenever it or what is recorded changes.
 * Who may start, stop or set consent is checked by the session before it asks this.
 */
export class RecordingControl {
	readonly #session: RecordedSession;
	readonly #dataDir: string | undefined;
	readonly #presence: Presence;
	readonly #router: SessionRouter;
	readonly #events: SessionEvents;
	readonly #log: Logger;
	readonly #consent = new Map<string, ConsentRecord>();
	#recorder: SessionRecorder | undefined;

	constructor(opts: {
		session: RecordedSession;
		dataDir: string | undefined;
		presence: Presence;
		router: SessionRouter;
		events: SessionEvents;
		log: Logger;
	}) {
		this.#session = opts.session;
		this.#dataDir = opts.dataDir;
		this.#presence = opts.presence;
		this.#router = opts.router;
		this.#events = opts.events;
		this.#log = opts.log;
	}

	get active(): boolean {
		return !!this.#recorder && !this.#recorder.stopped;
	}

	/** The running recorder (tests and diagnostics). */
	get recorder(): SessionRecorder | undefined {
		return this.#recorder;
	}

	/**
	 * Starts recording into `<dataDir>/recordings/<tenant>/<recordingId>/`. Fails at once (not at
	 * the end) when ffmpeg or the data directory is missing. `by`: the host's ID (undefined: the API).
	 */
	async start(by: string | undefined): Promise<RecordingStatus> {
		const session = this.#session;
		assertNotEnded(session.state);
		if (this.active) throw new EngineError('conflict', 'this session is already being recorded');
		if (!session.module)
			throw new EngineError('invalid_argument', 'a recording goes into one of the five modules: give the session a module first');
		const dataDir = this.#dataDir;
		if (!dataDir) throw new EngineError('unavailable', 'recording needs a data directory (engine config dataDir)');
		const tools = resolveFfmpeg();
		await this.#router.ensure();
		assertNotEnded(session.state);
		const recordingId = `rec_${randomBytes(9).toString('base64url')}`;
		const manifest: RecordingManifest = {
			version: 1,
			recordingId,
			tenantId: session.tenantId,
			sessionId: session.id,
			title: session.title ?? null,
			module: session.module ?? null,
			startedAt: Date.now(),
			endedAt: null,
			parts: [],
		};
		const recorder = new SessionRecorder({
			manifest,
			dir: join(dataDir, 'recordings', session.tenantId, recordingId),
			tools,
			source: {
				router: () => {
					const router = this.#router.current;
					return router && !router.closed ? router : undefined;
				},
				senders: () => this.#presence.all().map((p) => ({ participantId: p.id, role: p.role, sources: [...p.producers.values()] })),
				recordable: (participantId, role) => role === 'host' || this.#consent.get(participantId)?.consent === true,
			},
			log: (what, fields) =>
				this.#events.emit('recording.part', {
					recordingId,
					what,
					participantId: typeof fields.participantId === 'string' ? fields.participantId : undefined,
					detail: typeof fields.detail === 'string' ? fields.detail : typeof fields.error === 'string' ? fields.error : undefined,
				}),
			logger: this.#log,
			onChange: () => this.notify(),
		});
		this.#recorder = recorder;
		await recorder.start();
		this.#events.emit('recording.started', { recordingId, by });
		this.notify();
		return this.status();
	}

	/** Stops the recording; resolves once every file is complete (post-processing may begin). */
	async stop(): Promise<{ recordingId: string; dir: string; manifest: RecordingManifest }> {
		if (!this.active) throw new EngineError('conflict', 'this session is not being recorded');
		return this.#finish('stopped');
	}

	/** The session ends: a running recording is finished (its consumers close with the router). */
	finishAtEnd(): void {
		if (!this.active) return;
		void this.#finish('session-ended').catch((err: unknown) =>
			this.#log.error('recording.finish_failed', { recordingId: this.#recorder?.manifest.recordingId, error: messageOf(err) }),
		);
	}

	status(): RecordingStatus {
		const r = this.#recorder;
		const active = !!r && !r.stopped;
		return {
			active,
			recordingId: active ? r.manifest.recordingId : undefined,
			startedAt: active ? r.manifest.startedAt : undefined,
			recorded: active ? r.recordedParticipants() : [],
			consent: [...this.#consent].map(([participantId, c]) => ({ participantId, ...c })),
		};
	}

	/** Records consent with its time and who set it; a withdrawal cuts their tracks at once. */
	setConsent(participantId: string, consent: boolean, by: string, opts: { elsewhere?: boolean } = {}): ConsentRecord {
		const record: ConsentRecord = { consent, at: Date.now(), by };
		this.#consent.set(participantId, record);
		// Consent given on another host of the cluster was recorded in the ledger there.
		if (!opts.elsewhere) this.#events.emit('recording.consent', { at: record.at, participantId, consent, by: record.by });
		this.#recorder?.sync(participantId);
		this.notify();
		return record;
	}

	/** A participant's tracks changed, or they came or went: the recorder follows. */
	sync(participantId: string): void {
		this.#recorder?.sync(participantId);
	}

	/** Tells everyone the recording state; hosts also learn who is recorded. */
	notify(): void {
		const status = this.status();
		const recorded = new Set(status.recorded);
		const consented = status.consent.filter((c) => c.consent).map((c) => c.participantId);
		for (const p of this.#presence.values()) {
			p.notify({
				type: 'recordingChanged',
				active: status.active,
				you: recorded.has(p.id),
				consent: p.role === 'host' || this.#consent.get(p.id)?.consent === true,
				recorded: p.role === 'host' ? status.recorded : [],
				consented: p.role === 'host' ? consented : [],
			});
		}
	}

	async #finish(reason: 'stopped' | 'session-ended'): Promise<{ recordingId: string; dir: string; manifest: RecordingManifest }> {
		const recorder = this.#recorder!;
		const manifest = await recorder.stop();
		this.notify();
		this.#events.emit('recording.stopped', {
			recordingId: manifest.recordingId,
			dir: recorder.dir,
			parts: manifest.parts.length,
			reason,
		});
		return { recordingId: manifest.recordingId, dir: recorder.dir, manifest };
	}
}
