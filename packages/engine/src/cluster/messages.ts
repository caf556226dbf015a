import { z } from 'zod';

/**
 * What hosts of a cluster tell each other over Redis pub/sub (docs/scaling.md, "Across hosts").
 * Every message is checked against these schemas when it arrives: a host on another version, or
 * anything else publishing on our channels, cannot push malformed state into a session.
 */

const id = z.string().min(1).max(128);
const role = z.enum(['host', 'participant', 'location', 'viewer']);
const source = z.enum(['camera', 'microphone', 'screen']);

/** Who sent it: the host's ID and the run of that host (a restarted host is a new epoch). */
const from = { from: id, epoch: id };

export const producerInfoSchema = z.object({
	participantId: id,
	producerId: id,
	kind: z.enum(['audio', 'video']),
	source,
	paused: z.boolean(),
});
export type ProducerInfo = z.infer<typeof producerInfoSchema>;

/** Session channel: what happens in one session on one host, for the others holding it. */
export const sessionMessageSchema = z.discriminatedUnion('type', [
	/** A host started holding the session: the others answer with their `state` (on the session channel: idempotent for all). */
	z.object({ type: z.literal('hello'), ...from }),
	z.object({
		type: z.literal('state'),
		...from,
		participants: z.array(z.object({ participantId: id, role })).max(10_000),
		producers: z.array(producerInfoSchema).max(40_000),
		viewers: z.number().int().min(0),
		spotlight: id.nullable(),
	}),
	z.object({ type: z.literal('joined'), ...from, participantId: id, role }),
	z.object({ type: z.literal('left'), ...from, participantId: id }),
	z.object({ type: z.literal('audience'), ...from, viewers: z.number().int().min(0) }),
	z.object({ type: z.literal('producer'), ...from, producer: producerInfoSchema }),
	z.object({ type: z.literal('producerPaused'), ...from, producerId: id, paused: z.boolean() }),
	z.object({ type: z.literal('producerClosed'), ...from, producerId: id }),
	/** A host muted someone connected to another host: that host pauses the producers. */
	z.object({ type: z.literal('mute'), ...from, participantId: id, source: z.enum(['microphone', 'camera']) }),
	z.object({ type: z.literal('spotlight'), ...from, participantId: id.nullable() }),
	z.object({ type: z.literal('consent'), ...from, participantId: id, consent: z.boolean(), by: id }),
]);
export type SessionMessage = z.infer<typeof sessionMessageSchema>;

/** Cluster channel: what every host must know of every session. */
export const clusterMessageSchema = z.discriminatedUnion('type', [
	/** How many are connected to a host in a session (the idle end counts everyone, on every host). */
	z.object({ type: z.literal('count'), ...from, sessionId: id, participants: z.number().int().min(0) }),
	/** A session ended on one host: it ends on every host. */
	z.object({ type: z.literal('ended'), ...from, tenantId: id, sessionId: id, reason: z.string().max(64) }),
	/** A session's plan changed (PATCH, cancel): others reload it from the store. */
	z.object({ type: z.literal('changed'), ...from, tenantId: id, sessionId: id }),
]);
export type ClusterMessage = z.infer<typeof clusterMessageSchema>;

const tuple = z.object({ ip: z.string().min(1).max(64), port: z.number().int().min(1).max(65_535) });
const srtp = z.object({ cryptoSuite: z.string().min(1).max(64), keyBase64: z.string().min(1).max(256) }).optional();

/** Admin routes a host passes on to the session's origin host. */
export const forwardedRoutes = ['startRecording', 'stopRecording', 'getSessionRecording', 'setRecordingConsent'] as const;
export type ForwardedRoute = (typeof forwardedRoutes)[number];

/** Host channel: requests to one host, and answers to them. */
export const hostMessageSchema = z.discriminatedUnion('type', [
	/** Send this producer over the pipe between our two hosts for this session (made on first use). */
	z.object({ type: z.literal('pull'), ...from, requestId: id, sessionId: id, producerId: id, tuple, srtp }),
	z.object({
		type: z.literal('pulled'),
		...from,
		requestId: id,
		tuple,
		srtp,
		kind: z.enum(['audio', 'video']),
		rtpParameters: z.record(z.string(), z.unknown()),
		paused: z.boolean(),
	}),
	z.object({ type: z.literal('failed'), ...from, requestId: id, code: z.string().max(64), message: z.string().max(500) }),
	/**
	 * An admin call that only the session's origin can answer (its recording runs there), passed on
	 * by the host the load balancer gave it to; the answer is the route's JSON body.
	 */
	z.object({
		type: z.literal('forward'),
		...from,
		requestId: id,
		route: z.enum(forwardedRoutes),
		tenantId: id,
		params: z.record(z.string(), z.string().max(256)),
		body: z.unknown(),
	}),
	z.object({ type: z.literal('forwarded'), ...from, requestId: id, result: z.unknown() }),
]);
export type HostMessage = z.infer<typeof hostMessageSchema>;
