import { z } from 'zod';
import type { ApiRoute } from './route-types.ts';
import { stimulusProfileDefinitionSchema } from './schemas.ts';

// Tenants (care organisations) are managed by the operator of a Luwte host, with the
// operator key, not with a tenant's own API key.

const originSchema = z
	.string()
	.refine(
		(o) => o === '*' || /^https?:\/\/[^/\s]+$/.test(o),
		'an origin like https://zorg.example (scheme, host, optional port; no path) or *',
	);

const profilesDescription = "Custom stimulus profiles the tenant's join tokens may name (at most 20, IDs unique)";
const stimulusProfilesSchema = z.array(stimulusProfileDefinitionSchema).max(20);

export const tenantIdSchema = z.string().regex(/^[a-z0-9][a-z0-9-]{1,62}$/, 'lowercase letters, digits and dashes');

export const tenantCreateSchema = z
	.object({
		id: tenantIdSchema,
		name: z.string().trim().min(1).max(200),
		allowedOrigins: z.array(originSchema).max(50).default([]).describe("Websites that may embed this tenant's sessions"),
		stimulusProfiles: stimulusProfilesSchema.default([]).describe(profilesDescription),
	})
	.strict();

export const tenantUpdateSchema = z
	.object({
		name: z.string().trim().min(1).max(200).optional(),
		allowedOrigins: z.array(originSchema).max(50).optional(),
		stimulusProfiles: stimulusProfilesSchema.optional().describe(`${profilesDescription}; replaces the whole list`),
	})
	.strict();

export const tenantSchema = z.object({
	id: z.string(),
	name: z.string(),
	allowedOrigins: z.array(z.string()),
	stimulusProfiles: z.array(stimulusProfileDefinitionSchema),
	apiKeys: z.number().int().describe('How many API keys are valid'),
});

export const tenantWithKeySchema = z.object({
	tenant: tenantSchema,
	apiKey: z.string().describe("Shown once: store it in the care organisation's backend"),
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
		summary: "Change a tenant's name, allowed websites or stimulus profiles (operator key)",
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
} as const satisfies Record<string, ApiRoute>;

export type OperatorRouteId = keyof typeof operatorRoutes;
