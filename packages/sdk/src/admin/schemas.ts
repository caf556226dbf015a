import * as z from 'zod';
import { roleSchema } from '../protocol/messages.ts';

// The admin REST API's request and response bodies. The host validates requests with these,
// the OpenAPI document is generated from them, and the AdminClient validates responses.

export const activityModuleSchema = z
	.enum(['communicatie', 'eigen-regie', 'fit-en-vitaal', 'vaardig-en-creatief', 'talent-en-ambitie'])
	.describe('Module of the day-activity offer');
export const offerKindSchema = z
	.enum(['blended', 'online', 'individual', 'broadcast'])
	.describe(
		'blended: group at a location plus clients at home; online: led live by a central team; individual: on demand; broadcast: one stage to a large audience',
	);

const isoDateTime = z.iso.datetime({ offset: true });

export const scheduleSchema = z
	.object({ startsAt: isoDateTime, endsAt: isoDateTime })
	.strict()
	.refine((s) => Date.parse(s.endsAt) > Date.parse(s.startsAt), { message: 'endsAt must be after startsAt', path: ['endsAt'] });

const seconds = (min: number, max: number) => z.number().int().min(min).max(max);

/** When a session may be joined and when it ends by itself (docs/sessions.md); absent fields: the tenant's, else the defaults. */
export const sessionLifecycleSchema = z
	.object({
		joinLeadSeconds: seconds(0, 86_400).optional().describe('The join window opens this long before the start (default 900)'),
		endGraceSeconds: seconds(0, 43_200)
			.optional()
			.describe('…and closes this long after the end; a session still live then ends (default 1800)'),
		idleEndSeconds: seconds(5, 86_400).optional().describe('A live session with nobody in it ends after this long (default 600)'),
		overdueNoticeSeconds: seconds(0, 3_600)
			.optional()
			.describe('Those still in an overdue session are told this long before it ends (default 300)'),
	})
	.strict();
export type SessionLifecycle = z.input<typeof sessionLifecycleSchema>;

export const sessionCreateSchema = z
	.object({
		title: z.string().trim().min(1).max(200),
		module: activityModuleSchema.optional(),
		kind: offerKindSchema.default('online'),
		schedule: scheduleSchema.optional(),
		participantsSeeEachOther: z
			.boolean()
			.default(true)
			.describe('Clients at home see and hear each other, not only the host and the room'),
		lifecycle: sessionLifecycleSchema.optional(),
	})
	.strict();
export type SessionCreate = z.input<typeof sessionCreateSchema>;

/** Retitle, reschedule or change the lifecycle settings; `null` removes a title, module or schedule. A live session may only move its end. */
export const sessionUpdateSchema = z
	.object({
		title: z.string().trim().min(1).max(200).nullable().optional(),
		module: activityModuleSchema.nullable().optional(),
		schedule: scheduleSchema.nullable().optional(),
		lifecycle: sessionLifecycleSchema.optional(),
	})
	.strict();
export type SessionUpdate = z.input<typeof sessionUpdateSchema>;

export const sessionStateSchema = z
	.enum(['scheduled', 'live', 'ended', 'cancelled'])
	.describe('scheduled → live (first join) → ended; scheduled → cancelled');

/** Filters and paging of the session list. */
export const sessionListQuerySchema = z
	.object({
		state: sessionStateSchema.optional(),
		module: activityModuleSchema.optional(),
		from: isoDateTime.optional().describe('Sessions taking place at or after (the scheduled start, else the creation)'),
		to: isoDateTime.optional().describe('…and before'),
		limit: z.coerce.number().int().min(1).max(500).default(100).describe('Sessions per page'),
		cursor: z.string().max(200).optional().describe("The previous page's nextCursor"),
	})
	.strict();
export type SessionListQuery = z.input<typeof sessionListQuerySchema>;

export const sessionParticipantSchema = z.object({
	participantId: z.string(),
	role: roleSchema,
	joinedAt: isoDateTime,
});

export const sessionSchema = z.object({
	id: z.string(),
	title: z.string().nullable(),
	module: activityModuleSchema.nullable(),
	kind: offerKindSchema,
	schedule: z.object({ startsAt: isoDateTime, endsAt: isoDateTime }).nullable(),
	state: sessionStateSchema,
	endReason: z.string().nullable().describe('Why it ended: ended, idle, overdue, cancelled, engine-closed'),
	joinWindow: z
		.object({ opensAt: isoDateTime, closesAt: isoDateTime })
		.nullable()
		.describe('When its tokens can join (scheduled sessions)'),
	lifecycle: sessionLifecycleSchema.required().describe('The rules in force: its own settings over the tenant’s over the defaults'),
	participantsSeeEachOther: z.boolean(),
	createdAt: isoDateTime,
	startedAt: isoDateTime.nullable(),
	endedAt: isoDateTime.nullable(),
	participants: z.array(sessionParticipantSchema),
});
export type SessionResource = z.output<typeof sessionSchema>;

export const sessionListSchema = z.object({
	sessions: z.array(sessionSchema),
	nextCursor: z.string().nullable().describe('Pass as cursor for the next page; null on the last'),
});
export const participantListSchema = z.object({ participants: z.array(sessionParticipantSchema) });

/** Pseudonymous participant IDs: no names or e-mail addresses in tokens, logs or records. */
export const participantIdSchema = z
	.string()
	.regex(/^[A-Za-z0-9_-]{3,64}$/, '3-64 characters: letters, digits, _ and - (a pseudonymous ID, never a name)');

export const stimulusProfileIdSchema = z.string().regex(/^[a-z0-9-]{1,40}$/);

const layer = z.number().int().min(0).max(2);
const ms = (max: number) => z.number().int().min(0).max(max);

/**
 * A custom stimulus profile: a base with some fields changed. The engine keeps the same shape
 * (neither package imports the other; test/host/stimulus-profiles.test.ts checks both agree) and
 * also checks the merged result, e.g. that the start layer is not above the cap.
 */
export const stimulusProfileDefinitionSchema = z
	.object({
		maxSpatialLayer: layer
			.optional()
			.describe("Highest resolution: 0 quarter, 1 half, 2 full (the camera's own), counted from the top of the camera's layers"),
		maxTemporalLayer: layer.optional().describe('Highest frame rate: 0 quarter, 1 half, 2 full'),
		startSpatialLayer: layer.optional().describe('Resolution to start on (at most maxSpatialLayer; inherited: lowered to it)'),
		startHeadroom: z
			.number()
			.min(0.2)
			.max(1)
			.optional()
			.describe('With a known path: start on the best layer needing at most this share of its estimate'),
		sustainWindowMs: ms(600_000).optional().describe('Resolution follows what the path sustained over this window'),
		sustainQuantile: z.number().min(0).max(0.5).optional().describe('Low quantile of the window that counts as sustained'),
		downGraceMs: ms(10_000).optional().describe('framerate-first: how long a dip is ridden out before the resolution goes down'),
		minSwitchIntervalMs: ms(600_000).optional().describe('Least time between two visible switches, except to avoid a freeze'),
		upHoldMs: ms(600_000).optional().describe('How long a better estimate must hold before going up in resolution'),
		returnHoldMs: ms(600_000)
			.optional()
			.describe('After congestion forced the resolution down, how long the path must carry it again before returning'),
		temporalUpHoldMs: ms(600_000).optional().describe('How long the estimate must carry a higher frame rate before going up to it'),
		headroom: z
			.number()
			.min(0.5)
			.max(1)
			.optional()
			.describe('Go up in resolution only to a layer needing at most this share of the estimate'),
		congestion: z
			.enum(['framerate-first', 'resolution-first'])
			.optional()
			.describe('On congestion, give up frame rate or resolution first'),
		holdLayers: z
			.boolean()
			.optional()
			.describe("Forward the chosen layer through dips of the server's own estimate (congestion read from loss)"),
		id: stimulusProfileIdSchema.describe('Not a built-in ID (calm, standard, greedy)'),
		base: z.enum(['calm', 'standard']).default('calm').describe('Built-in profile the other fields change'),
	})
	.strict();
export type StimulusProfileDefinition = z.input<typeof stimulusProfileDefinitionSchema>;

/** A profile ID, or an inline definition (for one participant). */
export const stimulusProfileRefSchema = z.union([stimulusProfileIdSchema, stimulusProfileDefinitionSchema]);

export const tokenCreateSchema = z
	.object({
		role: roleSchema,
		participantId: participantIdSchema.optional().describe('Pseudonymous ID chosen by the care provider; random when absent'),
		ttlSeconds: z
			.number()
			.int()
			.min(30)
			.max(7 * 24 * 3600)
			.optional()
			.describe(
				'How long the token can be used to join; never past the join window. Default: until the window closes (4 hours for an unscheduled session)',
			),
		stimulusProfile: stimulusProfileRefSchema
			.default('calm')
			.describe(
				"Stimulus profile for this participant: an ID (calm, standard, or one of the tenant's profiles) or an inline definition",
			),
	})
	.strict();
export type TokenCreate = z.input<typeof tokenCreateSchema>;

export const tokenSchema = z.object({
	token: z.string(),
	sessionId: z.string(),
	participantId: z.string(),
	role: roleSchema,
	stimulusProfile: z.string().describe('The profile ID (for an inline definition: its id)'),
	expiresAt: isoDateTime,
});
export type TokenResource = z.output<typeof tokenSchema>;

export const healthSchema = z.object({
	status: z.enum(['ok', 'degraded']),
	workers: z.number().int(),
	sessions: z.object({ live: z.number().int(), scheduled: z.number().int() }),
});

export const errorResponseSchema = z.object({
	error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() }),
});
