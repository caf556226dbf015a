import * as z from 'zod';
import { dtlsParametersSchema, rtpCapabilitiesSchema, rtpParametersSchema } from './media-schemas.ts';

/** Signalling protocol version; a client speaking another major version is refused at join. */
export const PROTOCOL_VERSION = 1;

/** Messages above this size get a `message_too_large` error (the socket stays open). */
export const MAX_MESSAGE_BYTES = 64 * 1024;

export const roleSchema = z.enum(['host', 'participant', 'location', 'viewer']);
export type Role = z.infer<typeof roleSchema>;
export const mediaSourceSchema = z.enum(['camera', 'microphone', 'screen']);
export type MediaSource = z.infer<typeof mediaSourceSchema>;
const id = z.string().min(1).max(128);

/** Parameters of each request method, validated on the server and typed on the client. */
export const requestParams = {
	join: z.object({ token: z.string().min(1).max(4096), sessionId: id.optional(), protocol: z.number().int().optional() }).strict(),
	createTransport: z.object({ direction: z.enum(['send', 'recv']) }).strict(),
	connectTransport: z.object({ transportId: id, dtlsParameters: dtlsParametersSchema }).strict(),
	ready: z.object({ rtpCapabilities: rtpCapabilitiesSchema }).strict(),
	produce: z
		.object({
			transportId: id,
			kind: z.enum(['audio', 'video']),
			rtpParameters: rtpParametersSchema,
			source: mediaSourceSchema,
			paused: z.boolean().default(false),
		})
		.strict(),
	pauseProducer: z.object({ producerId: id }).strict(),
	resumeProducer: z.object({ producerId: id }).strict(),
	closeProducer: z.object({ producerId: id }).strict(),
	resumeConsumer: z.object({ consumerId: id }).strict(),
	leave: z.object({}).strict(),
	// Host only:
	muteParticipant: z.object({ participantId: id, source: z.enum(['microphone', 'camera']) }).strict(),
	spotlight: z.object({ participantId: id.nullable() }).strict(),
	endSession: z.object({}).strict(),
	startRecording: z.object({}).strict(),
	stopRecording: z.object({}).strict(),
	// Anyone for themselves (participantId left out); a host for anyone.
	setRecordingConsent: z.object({ participantId: id.optional(), consent: z.boolean() }).strict(),
} as const;

export type Method = keyof typeof requestParams;
export const methods = Object.keys(requestParams) as Method[];
export type RequestParams<M extends Method> = z.input<(typeof requestParams)[M]>;

const transportInfoSchema = z.object({
	id: z.string(),
	direction: z.enum(['send', 'recv']),
	iceParameters: z.object({ usernameFragment: z.string(), password: z.string(), iceLite: z.boolean().optional() }).passthrough(),
	iceCandidates: z.array(z.object({}).passthrough()),
	dtlsParameters: dtlsParametersSchema,
});

const peerSchema = z.object({ participantId: z.string(), role: roleSchema });

/** Results of each method, validated on the client. */
export const responseResults = {
	join: z.object({
		sessionId: z.string(),
		participantId: z.string(),
		role: roleSchema,
		routerRtpCapabilities: rtpCapabilitiesSchema,
		peers: z.array(peerSchema),
		spotlight: z.string().nullable(),
		/** TURN servers with time-limited credentials, when the host has TURN (clients behind firewalls). */
		iceServers: z.array(z.object({ urls: z.array(z.string()), username: z.string(), credential: z.string() })).optional(),
	}),
	createTransport: transportInfoSchema,
	connectTransport: z.object({}),
	ready: z.object({}),
	produce: z.object({ producerId: z.string() }),
	pauseProducer: z.object({}),
	resumeProducer: z.object({}),
	closeProducer: z.object({}),
	resumeConsumer: z.object({}),
	leave: z.object({}),
	muteParticipant: z.object({}),
	spotlight: z.object({}),
	endSession: z.object({}),
	startRecording: z.object({ recordingId: z.string() }),
	stopRecording: z.object({ recordingId: z.string() }),
	setRecordingConsent: z.object({ participantId: z.string(), consent: z.boolean(), at: z.string() }),
} as const satisfies Record<Method, z.ZodType>;

export type ResponseResult<M extends Method> = z.output<(typeof responseResults)[M]>;

export const errorCodes = [
	'bad_request',
	'message_too_large',
	/** HTTP only: a request body without `Content-Type: application/json` (415). */
	'unsupported_media_type',
	'rate_limited',
	'unknown_method',
	'invalid_params',
	'unauthorized',
	'forbidden',
	'origin_not_allowed',
	'not_joined',
	'already_joined',
	'not_found',
	'conflict',
	'session_ended',
	/** The join window has not opened yet; `details`: `{ startsAt, opensAt }` (ISO 8601). */
	'not_started',
	/** The session was cancelled before it took place. */
	'session_cancelled',
	/** A per-tenant quota was reached; `details`: `{ quota, limit, retryAfterSeconds? }`. */
	'quota_exceeded',
	'unavailable',
	'internal',
] as const;
export type ErrorCode = (typeof errorCodes)[number];

export const errorSchema = z.object({
	code: z.enum(errorCodes),
	message: z.string(),
	details: z.unknown().optional(),
});
export type ProtocolErrorBody = z.infer<typeof errorSchema>;

/** A request from the client. `id` is chosen by the client and echoed in the response. */
export const requestEnvelopeSchema = z
	.object({
		id: z.union([z.number().int().nonnegative(), z.string().min(1).max(64)]),
		method: z.string().min(1).max(64),
		params: z.unknown().optional(),
	})
	.strict();
export type RequestEnvelope = z.infer<typeof requestEnvelopeSchema>;

export const responseEnvelopeSchema = z.union([
	z.object({ id: z.union([z.number(), z.string()]), ok: z.literal(true), result: z.unknown() }),
	z.object({ id: z.union([z.number(), z.string(), z.null()]), ok: z.literal(false), error: errorSchema }),
]);
export type ResponseEnvelope = z.infer<typeof responseEnvelopeSchema>;

/** Server-initiated messages, validated on the client. */
export const notificationSchemas = {
	newConsumer: z.object({
		consumerId: z.string(),
		producerId: z.string(),
		kind: z.enum(['audio', 'video']),
		rtpParameters: rtpParametersSchema,
		participantId: z.string(),
		role: roleSchema,
		source: mediaSourceSchema,
		producerPaused: z.boolean(),
	}),
	consumerClosed: z.object({ consumerId: z.string() }),
	consumerPaused: z.object({ consumerId: z.string() }),
	consumerResumed: z.object({ consumerId: z.string() }),
	participantJoined: peerSchema,
	participantLeft: peerSchema,
	/**
	 * Hosts only: how many viewers watch now. Viewers are never announced one by one (no
	 * `participantJoined`, not in `peers`); a host gets the count right after joining and then when it
	 * changes, at most once a second.
	 */
	audienceChanged: z.object({ viewers: z.number().int().nonnegative() }),
	/** `reason`: `ended` (by a host or the API), `idle` (empty too long), `overdue` (past its end), `cancelled`, `engine-closed`. */
	sessionEnded: z.object({ reason: z.string() }),
	/**
	 * The connection was closed by the server: `replaced` (the same participant joined elsewhere),
	 * `media-failure` (a media worker died) or `host-restart` (the host is restarting: reconnect
	 * with the same token; the session carries on).
	 */
	disconnected: z.object({ reason: z.enum(['replaced', 'media-failure', 'host-restart']) }),
	/** A quiet notice: the session will end at `endsAt` (ISO 8601) because it is past its planned end. */
	sessionEnding: z.object({ endsAt: z.string(), reason: z.enum(['overdue']) }),
	mutedByHost: z.object({ source: z.enum(['microphone', 'camera']) }),
	spotlightChanged: z.object({ participantId: z.string().nullable() }),
	/**
	 * Recording state: `active` (the session is recorded), `you` (your own tracks are written now),
	 * `consent` (yours), `recorded` and `consented` (hosts only: who is written now, who has
	 * consented; empty for others).
	 */
	recordingChanged: z.object({
		active: z.boolean(),
		you: z.boolean(),
		consent: z.boolean(),
		recorded: z.array(z.string()),
		consented: z.array(z.string()),
	}),
} as const;
export type NotificationName = keyof typeof notificationSchemas;
export type NotificationData<N extends NotificationName> = z.output<(typeof notificationSchemas)[N]>;

export const notificationEnvelopeSchema = z.object({
	notification: z.enum(Object.keys(notificationSchemas) as [NotificationName, ...NotificationName[]]),
	data: z.unknown(),
});
export type NotificationEnvelope = { [N in NotificationName]: { notification: N; data: NotificationData<N> } }[NotificationName];
