import { EventEmitter } from 'node:events';
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
	'session.created': SessionScoped & { title: string | undefined };
	'session.ended': SessionScoped & { reason: SessionEndReason };
	'participant.joined': SessionScoped & { participantId: string; role: Role; connectionId: string };
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
	'worker.died': EventBase & { workerIndex: number; pid: number; error: string };
	'worker.replaced': EventBase & { workerIndex: number; pid: number };
}

export type SessionEndReason = 'ended' | 'engine-closed';
export type LeaveReason = 'left' | 'disconnected' | 'replaced' | 'session-ended' | 'media-failure';

export type EngineEventName = keyof EngineEvents;

/** A small typed wrapper over EventEmitter: listeners get the exact payload of their event. */
export class TypedEmitter<Events extends object> {
	readonly #emitter = new EventEmitter();

	constructor() {
		this.#emitter.setMaxListeners(100);
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
		this.#emitter.emit(event, payload);
	}

	removeAllListeners(): void {
		this.#emitter.removeAllListeners();
	}
}
