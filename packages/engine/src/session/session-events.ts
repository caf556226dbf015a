import type { EngineEvents, TypedEmitter } from '../events.ts';

type Scope = 'at' | 'tenantId' | 'sessionId';

/** The engine events that belong to one session: they carry its tenant and ID. */
export type SessionEventName = {
	[K in keyof EngineEvents]: EngineEvents[K] extends { tenantId: string; sessionId: string } ? K : never;
}[keyof EngineEvents];

/** An event's own fields; `at` only where the event records a moment already taken (a consent's). */
export type SessionEventPayload<K extends SessionEventName> = Omit<EngineEvents[K], Scope> & { at?: number };

/**
 * The one way a session's events leave it: every one gets the time and the session's tenant and
 * ID here, so no event of a session can lack them or carry another session's.
 */
export class SessionEvents {
	readonly #events: TypedEmitter<EngineEvents>;
	readonly #tenantId: string;
	readonly #sessionId: string;

	constructor(events: TypedEmitter<EngineEvents>, session: { tenantId: string; id: string }) {
		this.#events = events;
		this.#tenantId = session.tenantId;
		this.#sessionId = session.id;
	}

	emit<K extends SessionEventName>(event: K, payload: SessionEventPayload<K>): void {
		const { at, ...fields } = payload;
		this.#events.emit(event, {
			at: at ?? Date.now(),
			tenantId: this.#tenantId,
			sessionId: this.#sessionId,
			...fields,
		} as EngineEvents[K]);
	}
}
