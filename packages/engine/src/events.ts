import { EventEmitter } from 'node:events';
import { messageOf } from '@luwte/errors';
import { defaultLogger, type Logger } from './log/logger.ts';
import type { ActivityModule, Schedule } from './session/activity.ts';
import type { MediaSource, Role } from './session/roles.ts';

interface EventBase {
	/** Milliseconds since the epoch, server clock. */
	at: number;
}
interface SessionScoped extends EventBase {
	tenantId: string;
	sessionId: string;
}

/** Everything the engine reports; attendance and recording consume these. */
export interface EngineEvents {
	'session.created': SessionScoped & { title: string | undefined; module: ActivityModule | undefined; schedule: Schedule | undefined };
	/** The first participant joined: the session is live. */
	/** Retitled, moved to another module or rescheduled (`revision`: the stored record's, increasing). */
	'session.updated': SessionScoped & { module: ActivityModule | undefined; schedule: Schedule | undefined; revision: number };
	/** Loaded from the session store at start (scheduled or live, nobody connected yet). */
	'session.restored': SessionScoped & { module: ActivityModule | undefined; state: 'scheduled' | 'live' };
	'session.started': SessionScoped & { module: ActivityModule | undefined };
	'session.ended': SessionScoped & { reason: SessionEndReason };
	'participant.joined': SessionScoped & { participantId: string; role: Role; connectionId: string };
	/** A join token was issued for this participant: they are expected (no-shows are counted against it). */
	'participant.invited': SessionScoped & { participantId: string; role: Role };
	'participant.left': SessionScoped & {
		participantId: string;
		role: Role;
		connectionId: string;
		reason: LeaveReason;
	};
	'producer.added': SessionScoped & {
		participantId: string;
		role: Role;
		producerId: string;
		kind: 'audio' | 'video';
		source: MediaSource;
	};
	'producer.removed': SessionScoped & { participantId: string; producerId: string };
	'producer.paused': SessionScoped & { participantId: string; producerId: string };
	'producer.resumed': SessionScoped & { participantId: string; producerId: string };
	'recording.started': SessionScoped & { recordingId: string; by: string | undefined };
	/** The recording's folder is complete (manifest endedAt set): post-processing may begin. */
	'recording.stopped': SessionScoped & { recordingId: string; dir: string; parts: number; reason: 'stopped' | 'session-ended' };
	/**
	 * Post-processing of a stopped recording ended: its library item is `ready` (published),
	 * `flagged` (flashes found: held back until a person approves it) or processing `failed`.
	 */
	'recording.processed': SessionScoped & {
		recordingId: string;
		outcome: 'ready' | 'flagged' | 'failed';
		itemId: string | undefined;
		durationSeconds: number | undefined;
		flashWindows: number | undefined;
		error: string | undefined;
	};
	/** A part of a recording started, ended, or its ffmpeg ended on its own (pseudonymous IDs only). */
	'recording.part': SessionScoped & { recordingId: string; what: string; participantId: string | undefined; detail: string | undefined };
	/** Recording consent of one participant changed (logged with time: who changed it, and to what). */
	'recording.consent': SessionScoped & { participantId: string; consent: boolean; by: string };
	'worker.died': EventBase & { workerIndex: number; pid: number; error: string };
	'worker.replaced': EventBase & { workerIndex: number; pid: number };
}

/** `idle`: empty longer than the idle period; `overdue`: past its end plus grace; `cancelled`: before it took place. */
export type SessionEndReason = 'ended' | 'engine-closed' | 'idle' | 'overdue' | 'cancelled';
/** `host-restart`: the host drained for a restart; the session stays live for the reconnect. */
export type LeaveReason = 'left' | 'disconnected' | 'replaced' | 'session-ended' | 'media-failure' | 'host-restart';

export type EngineEventName = keyof EngineEvents;

/**
 * A small typed wrapper over EventEmitter: listeners get the exact payload of their event. Emitting
 * is safe (like mediasoup's `safeEmit`): a listener that throws, or whose promise rejects, is logged
 * and the other listeners still run; the emitter and whoever emitted never see its error.
 */
export class TypedEmitter<Events extends object> {
	readonly #emitter = new EventEmitter();
	readonly #log: Logger;

	/** `log`: where failing listeners are reported (the engine passes its logger). */
	constructor(log: Logger = defaultLogger()) {
		this.#emitter.setMaxListeners(100);
		this.#log = log;
	}

	on<K extends keyof Events & string>(event: K, listener: (payload: Events[K]) => void): () => void {
		this.#emitter.on(event, listener);
		return () => this.#emitter.off(event, listener);
	}

	once<K extends keyof Events & string>(event: K, listener: (payload: Events[K]) => void): void {
		this.#emitter.once(event, listener);
	}

	off<K extends keyof Events & string>(event: K, listener: (payload: Events[K]) => void): void {
		this.#emitter.off(event, listener);
	}

	emit<K extends keyof Events & string>(event: K, payload: Events[K]): void {
		// Raw listeners: a `once` listener's wrapper removes itself when called.
		for (const listener of this.#emitter.rawListeners(event) as ((payload: Events[K]) => unknown)[]) {
			try {
				const result = listener(payload);
				if (result instanceof Promise) result.catch((err: unknown) => this.#failed(event, err));
			} catch (err) {
				this.#failed(event, err);
			}
		}
	}

	removeAllListeners(): void {
		this.#emitter.removeAllListeners();
	}

	#failed(event: string, err: unknown): void {
		this.#log.error('events.listener_failed', { event, error: messageOf(err) });
	}
}
