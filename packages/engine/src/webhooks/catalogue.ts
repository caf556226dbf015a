import type { EngineEvents } from '../events.ts';

/**
 * The events a care organisation's backend can subscribe to, and how each is made from the
 * engine's own events. Pure: no I/O, no clock but the event's own `at`.
 *
 * Payloads carry pseudonymous IDs only (participant IDs as the tenant issued them, roles, session
 * and recording IDs): never names, addresses or media. The SDK keeps the same list with schemas
 * (packages/sdk/src/admin/webhook-schemas.ts) for the OpenAPI document; a test checks both agree.
 */
export const webhookEventTypes = [
	'session.scheduled',
	'session.started',
	'session.ended',
	'session.cancelled',
	'participant.joined',
	'participant.left',
	'recording.started',
	'recording.stopped',
	'recording.ready',
	'recording.flagged',
	'recording.failed',
	'library.item.published',
] as const;
export type WebhookEventType = (typeof webhookEventTypes)[number];

export function isWebhookEventType(type: string): type is WebhookEventType {
	return (webhookEventTypes as readonly string[]).includes(type);
}

/** One event as it is about to be delivered (before it gets its ID). */
export interface WebhookEventDraft {
	type: WebhookEventType;
	tenantId: string;
	/** When it happened (ms since the epoch, server clock). */
	at: number;
	/**
	 * Deliveries with the same key go to an endpoint one after another, in this order: the
	 * session's ID (or the library item's for items without a session).
	 */
	orderKey: string;
	data: Record<string, unknown>;
	/**
	 * For events more than one host of a cluster sees (a session's start and end: every host
	 * holding the session ends its copy): the event's ID is derived from this key, so the copies
	 * are one event to a receiver that de-duplicates by ID. Absent: a random ID.
	 */
	key?: string;
}

/** The body a receiver gets (JSON), the same for every endpoint and every retry. */
export interface WebhookEvent {
	/** Stable across retries and endpoints: receivers de-duplicate by it. */
	id: string;
	type: WebhookEventType;
	/** ISO 8601, when it happened. */
	createdAt: string;
	tenantId: string;
	data: Record<string, unknown>;
}

/** The post-processing outcome of a recording (RecordingService reports it as `recording.processed`). */
type Processed = EngineEvents['recording.processed'];

/** The engine events the catalogue reads, and the webhook events each becomes (none, or one). */
export const webhookSources = {
	'session.created': (e: EngineEvents['session.created']): WebhookEventDraft =>
		draft('session.scheduled', e, e.sessionId, {
			sessionId: e.sessionId,
			module: e.module ?? null,
			schedule: e.schedule ? scheduleOf(e.schedule) : null,
		}),
	'session.started': (e: EngineEvents['session.started']): WebhookEventDraft => ({
		...draft('session.started', e, e.sessionId, { sessionId: e.sessionId, module: e.module ?? null }),
		key: `${e.sessionId}.started`,
	}),
	'session.ended': (e: EngineEvents['session.ended']): WebhookEventDraft | undefined => {
		// A host closing is not the session's end: it stays live for its participants' reconnect.
		if (e.reason === 'engine-closed') return undefined;
		if (e.reason === 'cancelled')
			return { ...draft('session.cancelled', e, e.sessionId, { sessionId: e.sessionId }), key: `${e.sessionId}.cancelled` };
		return { ...draft('session.ended', e, e.sessionId, { sessionId: e.sessionId, reason: e.reason }), key: `${e.sessionId}.ended` };
	},
	'participant.joined': (e: EngineEvents['participant.joined']): WebhookEventDraft =>
		draft('participant.joined', e, e.sessionId, { sessionId: e.sessionId, participantId: e.participantId, role: e.role }),
	'participant.left': (e: EngineEvents['participant.left']): WebhookEventDraft | undefined => {
		// A second connection of the same participant took over: they never left.
		if (e.reason === 'replaced') return undefined;
		return draft('participant.left', e, e.sessionId, {
			sessionId: e.sessionId,
			participantId: e.participantId,
			role: e.role,
			reason: e.reason,
		});
	},
	'recording.started': (e: EngineEvents['recording.started']): WebhookEventDraft =>
		draft('recording.started', e, e.sessionId, { sessionId: e.sessionId, recordingId: e.recordingId, startedBy: e.by ?? null }),
	'recording.stopped': (e: EngineEvents['recording.stopped']): WebhookEventDraft =>
		draft('recording.stopped', e, e.sessionId, {
			sessionId: e.sessionId,
			recordingId: e.recordingId,
			reason: e.reason,
			parts: e.parts,
		}),
	'recording.processed': (e: Processed): WebhookEventDraft => {
		const base = { sessionId: e.sessionId, recordingId: e.recordingId, itemId: e.itemId ?? null };
		if (e.outcome === 'failed')
			return draft('recording.failed', e, e.sessionId, { ...base, error: e.error ?? 'post-processing failed' });
		if (e.outcome === 'flagged') return draft('recording.flagged', e, e.sessionId, { ...base, flashWindows: e.flashWindows ?? 0 });
		return draft('recording.ready', e, e.sessionId, { ...base, durationSeconds: e.durationSeconds ?? null });
	},
} as const;

export type WebhookSourceName = keyof typeof webhookSources;

/** A library item became visible to clients (at completion, or published or approved by staff). */
export function itemPublished(item: {
	id: string;
	tenantId: string;
	module: string;
	sessionId?: string | undefined;
	publishedAt?: number | undefined;
}): WebhookEventDraft {
	return {
		type: 'library.item.published',
		tenantId: item.tenantId,
		at: item.publishedAt ?? Date.now(),
		orderKey: item.sessionId ?? `item:${item.id}`,
		data: { itemId: item.id, module: item.module, sessionId: item.sessionId ?? null },
	};
}

/** The JSON body for a draft with its ID. */
export function webhookEvent(id: string, d: WebhookEventDraft): WebhookEvent {
	return { id, type: d.type, createdAt: new Date(d.at).toISOString(), tenantId: d.tenantId, data: d.data };
}

function draft(
	type: WebhookEventType,
	e: { tenantId: string; at: number },
	orderKey: string,
	data: Record<string, unknown>,
): WebhookEventDraft {
	return { type, tenantId: e.tenantId, at: e.at, orderKey, data };
}

function scheduleOf(s: { startsAt: number; endsAt: number }): { startsAt: string; endsAt: string } {
	return { startsAt: new Date(s.startsAt).toISOString(), endsAt: new Date(s.endsAt).toISOString() };
}
