import { z } from 'zod';
import type { ApiRoute } from './route-types.ts';
import { stimulusProfileDefinitionSchema } from './schemas.ts';

// Tenants (care organisations) are managed by the operator of a Luwte host, with the
// operator key, not with a tenant's own API key.

const originSchema = z
	.string()
	.refine(
		(o) => o === '*' || o === 'null' || /^https?:\/\/[^/\s]+$/.test(o),
		'an origin like https://zorg.example (scheme, host, optional port; no path), * (any website) or null (opaque origins: sandboxed frames, file: pages)',
	);

const profilesDescription = "Custom stimulus profiles the tenant's join tokens may name (at most 20, IDs unique)";
const stimulusProfilesSchema = z.array(stimulusProfileDefinitionSchema).max(20);

// Same bounds as the engine's (packages/engine/src/session/lifecycle.ts); docs/sessions.md tells what each does.
export const tenantLifecycleSchema = z
	.object({
		joinLeadSeconds: z
			.number()
			.int()
			.min(0)
			.max(86_400)
			.optional()
			.describe('The join window opens this long before the scheduled start'),
		endGraceSeconds: z
			.number()
			.int()
			.min(0)
			.max(43_200)
			.optional()
			.describe('…and closes this long after the scheduled end; a live session still running then ends'),
		idleEndSeconds: z.number().int().min(5).max(86_400).optional().describe('A live session with nobody in it ends after this long'),
		overdueNoticeSeconds: z
			.number()
			.int()
			.min(0)
			.max(3_600)
			.optional()
			.describe('Those still in an overdue session are told this long before it ends'),
	})
	.strict()
	.describe("Defaults for the tenant's sessions (seconds); a session may override each");

export const tenantQuotasSchema = z
	.object({
		sessionsPerDay: z.number().int().min(1).max(1_000_000).optional().describe('Sessions the tenant may create per rolling 24 hours'),
		liveSessions: z.number().int().min(1).max(100_000).optional().describe('Sessions of the tenant live at the same time'),
		tokensPerMinute: z.number().int().min(1).max(1_000_000).optional().describe('Join tokens the tenant may issue per rolling minute'),
	})
	.strict()
	.describe("The tenant's limits; absent ones take the host's defaults");

export const tenantIdSchema = z.string().regex(/^[a-z0-9][a-z0-9-]{1,62}$/, 'lowercase letters, digits and dashes');

export const tenantCreateSchema = z
	.object({
		id: tenantIdSchema,
		name: z.string().trim().min(1).max(200),
		allowedOrigins: z.array(originSchema).max(50).default([]).describe("Websites that may embed this tenant's sessions"),
		stimulusProfiles: stimulusProfilesSchema.default([]).describe(profilesDescription),
		lifecycle: tenantLifecycleSchema.default({}),
		quotas: tenantQuotasSchema.default({}),
	})
	.strict();

export const tenantUpdateSchema = z
	.object({
		name: z.string().trim().min(1).max(200).optional(),
		allowedOrigins: z.array(originSchema).max(50).optional(),
		stimulusProfiles: stimulusProfilesSchema.optional().describe(`${profilesDescription}; replaces the whole list`),
		lifecycle: tenantLifecycleSchema.optional().describe('Replaces all session defaults (an absent field: the host default)'),
		quotas: tenantQuotasSchema.optional().describe('Replaces all limits (an absent field: the host default)'),
	})
	.strict();

export const tenantSchema = z.object({
	id: z.string(),
	name: z.string(),
	allowedOrigins: z.array(z.string()),
	stimulusProfiles: z.array(stimulusProfileDefinitionSchema),
	lifecycle: tenantLifecycleSchema,
	quotas: tenantQuotasSchema,
	apiKeys: z.number().int().describe('How many API keys are valid'),
	keyIds: z.array(z.string()).describe('Their IDs (the start of each key hash), to revoke one'),
});

export const tenantWithKeySchema = z.object({
	tenant: tenantSchema,
	apiKey: z.string().describe("Shown once: store it in the care organisation's backend"),
	keyId: z.string().describe('Its ID'),
});

export const tenantListSchema = z.object({ tenants: z.array(tenantSchema) });

export const operatorRoutes = {
	listTenants: {
		method: 'get',
		path: '/v1/tenants',
		auth: 'operator',
		summary: 'All tenants (operator key)',
		response: tenantListSchema,
		status: 200,
	},
	createTenant: {
		method: 'post',
		path: '/v1/tenants',
		auth: 'operator',
		summary: 'Add a care organisation (operator key); answers its first API key once',
		body: tenantCreateSchema,
		response: tenantWithKeySchema,
		status: 201,
	},
	updateTenant: {
		method: 'post',
		path: '/v1/tenants/{tenantId}',
		auth: 'operator',
		summary: "Change a tenant's name, allowed websites, stimulus profiles, session defaults or limits (operator key)",
		body: tenantUpdateSchema,
		response: tenantSchema,
		status: 200,
	},
	addTenantKey: {
		method: 'post',
		path: '/v1/tenants/{tenantId}/keys',
		auth: 'operator',
		summary: 'Issue an extra API key for a tenant, e.g. to rotate keys (operator key)',
		response: tenantWithKeySchema,
		status: 201,
	},
	revokeTenantKey: {
		method: 'delete',
		path: '/v1/tenants/{tenantId}/keys/{keyId}',
		auth: 'operator',
		summary: "Revoke one of a tenant's API keys at once, by its ID (operator key); the last key cannot be revoked",
		response: tenantSchema,
		status: 200,
	},
} as const satisfies Record<string, ApiRoute>;

export type OperatorRouteId = keyof typeof operatorRoutes;
