import { z } from 'zod';
import { roleSchema } from '../protocol/messages.ts';

// The admin REST API's request and response bodies. The host validates requests with these,
// the OpenAPI document is generated from them, and the AdminClient validates responses.

export const activityModuleSchema = z
	.enum(['communicatie', 'eigen-regie', 'fit-en-vitaal', 'vaardig-en-creatief', 'talent-en-ambitie'])
	.describe('Module of the day-activity offer');
export const offerKindSchema = z
	.enum(['blended', 'online', 'individual'])
	.describe('blended: group at a location plus clients at home; online: led live by a central team; individual: on demand');

const isoDateTime = z.iso.datetime({ offset: true });

export const scheduleSchema = z
	.object({ startsAt: isoDateTime, endsAt: isoDateTime })
	.strict()
	.refine((s) => Date.parse(s.endsAt) > Date.parse(s.startsAt), { message: 'endsAt must be after startsAt', path: ['endsAt'] });

export const sessionCreateSchema = z
	.object({
		title: z.string().trim().min(1).max(200),
		module: activityModuleSchema.optional(),
		kind: offerKindSchema.default('online'),
		schedule: scheduleSchema.optional(),
		participantsSeeEachOther: z.boolean().default(true).describe('Clients at home see and hear each other, not only the host and the room'),
	})
	.strict();
export type SessionCreate = z.input<typeof sessionCreateSchema>;

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
	state: z.enum(['scheduled', 'live', 'ended']),
	participantsSeeEachOther: z.boolean(),
	createdAt: isoDateTime,
	startedAt: isoDateTime.nullable(),
	endedAt: isoDateTime.nullable(),
	participants: z.array(sessionParticipantSchema),
});
export type SessionResource = z.output<typeof sessionSchema>;

export const sessionListSchema = z.object({ sessions: z.array(sessionSchema) });
export const participantListSchema = z.object({ participants: z.array(sessionParticipantSchema) });

/** Pseudonymous participant IDs: no names or e-mail addresses in tokens, logs or records. */
export const participantIdSchema = z
	.string()
	.regex(/^[A-Za-z0-9_-]{3,64}$/, '3-64 characters: letters, digits, _ and - (a pseudonymous ID, never a name)');

export const tokenCreateSchema = z
	.object({
		role: roleSchema,
		participantId: participantIdSchema.optional().describe('Pseudonymous ID chosen by the care provider; random when absent'),
		ttlSeconds: z.number().int().min(30).max(7 * 24 * 3600).default(4 * 3600).describe('How long the token can be used to join'),
		stimulusProfile: z
			.string()
			.regex(/^[a-z0-9-]{1,40}$/)
			.default('calm')
			.describe('Stimulus profile for this participant (calm, standard, or a tenant profile)'),
	})
	.strict();
export type TokenCreate = z.input<typeof tokenCreateSchema>;

export const tokenSchema = z.object({
	token: z.string(),
	sessionId: z.string(),
	participantId: z.string(),
	role: roleSchema,
	stimulusProfile: z.string(),
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
