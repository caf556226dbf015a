import { hashApiKey, newApiKey, newTokenSecret, type Tenant, type TenantRegistry } from '@luwte/engine/auth';
import type { OperatorRouteId } from '@luwte/sdk/admin';
import { HostError } from '../errors.ts';
import type { Handlers } from './handlers.ts';

export interface OperatorOptions {
	/** The operator key; without it the tenant routes answer 404. */
	operatorKey: string | undefined;
	/** Called after every change, to persist the tenants (the tenants file). */
	onTenantsChanged?: (() => Promise<void>) | undefined;
}

function publicTenant(t: Tenant) {
	return {
		id: t.id,
		name: t.name,
		allowedOrigins: t.allowedOrigins,
		stimulusProfiles: t.stimulusProfiles,
		apiKeys: t.apiKeyHashes.length,
	};
}

/** The operator's tenant routes (`/v1/tenants…`, operator key). */
export function operatorHandlers(tenants: TenantRegistry, onTenantsChanged: (() => Promise<void>) | undefined): Handlers<OperatorRouteId> {
	const changed = async () => onTenantsChanged?.();
	return {
		listTenants: () => ({ tenants: tenants.list().map(publicTenant) }),
		createTenant: async ({ body }) => {
			if (tenants.get(body.id)) throw new HostError('conflict', `tenant ${body.id} exists`);
			const apiKey = newApiKey();
			// The engine checks what the SDK schema cannot (merged profiles, unique IDs): a 400 then.
			const tenant = tenants.add({ ...body, apiKeyHashes: [hashApiKey(apiKey)], tokenSecret: newTokenSecret() }, 'invalid_argument');
			await changed();
			return { tenant: publicTenant(tenant), apiKey };
		},
		updateTenant: async ({ params, body }) => {
			const tenant = tenants.update(params.tenantId, {
				...(body.name !== undefined ? { name: body.name } : {}),
				...(body.allowedOrigins !== undefined ? { allowedOrigins: body.allowedOrigins } : {}),
				...(body.stimulusProfiles !== undefined ? { stimulusProfiles: body.stimulusProfiles } : {}),
			});
			await changed();
			return publicTenant(tenant);
		},
		addTenantKey: async ({ params }) => {
			const current = tenants.get(params.tenantId);
			if (!current) throw new HostError('not_found', `tenant ${params.tenantId} not found`);
			const apiKey = newApiKey();
			const tenant = tenants.update(current.id, { apiKeyHashes: [...current.apiKeyHashes, hashApiKey(apiKey)] });
			await changed();
			return { tenant: publicTenant(tenant), apiKey };
		},
	};
}
