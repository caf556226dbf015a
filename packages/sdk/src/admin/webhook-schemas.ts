import { z } from 'zod';
import { roleSchema } from '../protocol/messages.ts';
import { activityModuleSchema } from './schemas.ts';

const isoDateTime = z.iso.datetime({ offset: true });

/** Every webhook event type (the engine keeps the same list: packages/engine/src/webhooks/catalogue.ts). */
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
export const webhookEventTypeSchema = z.enum(webhookEventTypes);
export type WebhookEventType = (typeof webhookEventTypes)[number];

// ── Endpoints ────────────────────────────────────────────────────────────────────────────────

const urlSchema = z.string().max(2048).describe('Where events are POSTed: https://, or http:// only to localhost/127.0.0.1 (development)');
const eventsSchema = z
	.array(webhookEventTypeSchema)
	.min(1)
	.describe('The event types this endpoint gets (see the webhooks section of this document)');

export const webhookEndpointIdSchema = z.string().regex(/^whk_[0-9a-f]{16}$/, 'a webhook endpoint ID (whk_…)');

export const webhookEndpointCreateSchema = z
	.object({
		url: urlSchema,
		events: eventsSchema,
		description: z.string().max(200).optional().describe('A note for the care organisation (not sent)'),
		enabled: z.boolean().default(true).describe('false: registered, but nothing is sent until enabled'),
	})
	.strict();
export type WebhookEndpointCreate = z.input<typeof webhookEndpointCreateSchema>;

export const webhookEndpointUpdateSchema = z
	.object({
		url: urlSchema.optional(),
		events: eventsSchema.optional(),
		description: z.string().max(200).optional(),
		enabled: z.boolean().optional().describe('false: new events are not queued for it and waiting deliveries pause; true: they go on'),
	})
	.strict();
export type WebhookEndpointUpdate = z.input<typeof webhookEndpointUpdateSchema>;

export const webhookEndpointSchema = z.object({
	id: z.string().describe('The endpoint ID (whk_…)'),
	url: z.string(),
	events: z.array(webhookEventTypeSchema),
	enabled: z.boolean(),
	description: z.string().nullable(),
	createdAt: isoDateTime,
	updatedAt: isoDateTime,
	previousSecretUntil: isoDateTime
		.nullable()
		.describe('After a rotation with a grace period: until then deliveries carry a signature with the old secret too'),
	pending: z.number().int().describe('Deliveries waiting to be sent to it'),
});
export type WebhookEndpointResource = z.output<typeof webhookEndpointSchema>;

export const webhookEndpointListSchema = z.object({ endpoints: z.array(webhookEndpointSchema) });

export const webhookSecretSchema = z.object({
	endpoint: webhookEndpointSchema,
	secret: z.string().describe('The signing secret (whsec_…), shown once: keep it with the receiver'),
});

export const webhookSecretRotateSchema = z
	.object({
		graceSeconds: z
			.number()
			.int()
			.min(0)
			.max(7 * 86_400)
			.default(0)
			.describe('Keep signing with the old secret too for this long (0: the new secret only, at once)'),
	})
	.strict();

// ── Deliveries ───────────────────────────────────────────────────────────────────────────────

export const webhookDeliveryStateSchema = z
	.enum(['pending', 'delivered', 'failed'])
	.describe('pending: waiting or being retried; delivered: the receiver answered 2xx; failed: retries gave up');

export const webhookDeliverySchema = z.object({
	id: z.string().describe('The delivery ID (dlv_…), the same on every attempt (header Luwte-Delivery-Id)'),
	eventId: z.string().describe('The event ID (evt_…): receivers de-duplicate by it'),
	type: webhookEventTypeSchema,
	sessionId: z.string().nullable(),
	state: webhookDeliveryStateSchema,
	attempts: z.number().int().describe('Attempts so far (since the last manual redelivery)'),
	createdAt: isoDateTime,
	lastAttemptAt: isoDateTime.nullable(),
	lastStatus: z.number().int().nullable().describe("The receiver's HTTP status at the last attempt (null: no answer)"),
	lastError: z.string().nullable(),
	nextAttemptAt: isoDateTime.nullable(),
	deliveredAt: isoDateTime.nullable(),
});
export type WebhookDeliveryResource = z.output<typeof webhookDeliverySchema>;

export const webhookDeliveryQuerySchema = z
	.object({
		state: webhookDeliveryStateSchema.optional(),
		limit: z.coerce.number().int().min(1).max(500).default(100),
	})
	.strict();

export const webhookDeliveryListSchema = z.object({
	deliveries: z.array(webhookDeliverySchema).describe('Newest first: pending ones and the last finished ones (the delivery log)'),
});

// ── Event payloads (what a receiver gets) ────────────────────────────────────────────────────

/** When a session takes place (UTC). */
export const webhookScheduleSchema = z.object({ startsAt: isoDateTime, endsAt: isoDateTime });
const sessionId = z.string().describe('The session ID');
const recording = { sessionId, recordingId: z.string() };

/** The `data` of each event type. */
export const webhookEventDataSchemas = {
	'session.scheduled': z.object({ sessionId, module: activityModuleSchema.nullable(), schedule: webhookScheduleSchema.nullable() }),
	'session.started': z.object({ sessionId, module: activityModuleSchema.nullable() }),
	'session.ended': z.object({
		sessionId,
		reason: z.enum(['ended', 'idle', 'overdue']).describe('ended: by a host or the API; idle: empty too long; overdue: past its end'),
	}),
	'session.cancelled': z.object({ sessionId }),
	'participant.joined': z.object({
		sessionId,
		participantId: z.string().describe('The pseudonymous ID the join token was issued for'),
		role: roleSchema,
	}),
	'participant.left': z.object({
		sessionId,
		participantId: z.string(),
		role: roleSchema,
		reason: z
			.enum(['left', 'disconnected', 'session-ended', 'media-failure', 'host-restart'])
			.describe('host-restart: the host restarted; the participant usually reconnects (a new participant.joined)'),
	}),
	'recording.started': z.object({ ...recording, startedBy: z.string().nullable() }),
	'recording.stopped': z.object({
		...recording,
		reason: z.enum(['stopped', 'session-ended']),
		parts: z.number().int(),
	}),
	'recording.ready': z.object({ ...recording, itemId: z.string().nullable(), durationSeconds: z.number().nullable() }),
	'recording.flagged': z.object({
		...recording,
		itemId: z.string().nullable(),
		flashWindows: z.number().int().describe('Moments with flashes: a person must approve the item before it is shown'),
	}),
	'recording.failed': z.object({ ...recording, itemId: z.string().nullable(), error: z.string() }),
	'library.item.published': z.object({
		itemId: z.string(),
		module: activityModuleSchema,
		sessionId: z.string().nullable(),
	}),
} as const satisfies Record<WebhookEventType, z.ZodType>;

/** What each event type means (the OpenAPI webhooks section's summaries). */
export const webhookEventSummaries: Record<WebhookEventType, string> = {
	'session.scheduled': 'A session was planned (created through the API)',
	'session.started': 'The first participant joined: the session is live',
	'session.ended': 'The session ended for everyone',
	'session.cancelled': 'The session was cancelled before it took place',
	'participant.joined': 'A participant joined the session',
	'participant.left': 'A participant left the session',
	'recording.started': 'Recording began',
	'recording.stopped': 'Recording stopped; post-processing into a library item begins',
	'recording.ready': 'Post-processing finished: the library item is published',
	'recording.flagged': 'Post-processing found flashes: the item waits for a person to approve it',
	'recording.failed': 'Post-processing failed (see error)',
	'library.item.published': 'A library item became visible to clients',
};

/** The JSON body of one delivery: an event of `type` with its `data`. */
function eventSchema<T extends WebhookEventType>(type: T) {
	return z.object({
		id: z.string().describe('The event ID (evt_…), the same on every retry and for every endpoint: de-duplicate by it'),
		type: z.literal(type),
		createdAt: isoDateTime.describe('When it happened'),
		tenantId: z.string(),
		data: webhookEventDataSchemas[type],
	});
}

/** The body a receiver gets, per event type. */
export const webhookEventSchemas = Object.fromEntries(webhookEventTypes.map((t) => [t, eventSchema(t)])) as {
	[T in WebhookEventType]: ReturnType<typeof eventSchema<T>>;
};

export type WebhookEvent = {
	[T in WebhookEventType]: {
		id: string;
		type: T;
		createdAt: string;
		tenantId: string;
		data: z.output<(typeof webhookEventDataSchemas)[T]>;
	};
}[WebhookEventType];
