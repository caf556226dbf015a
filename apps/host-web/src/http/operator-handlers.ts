import { hashApiKey, newApiKey, newTokenSecret, TenantDirectory, type Tenant, type TenantRegistry } from '@luwte/engine/auth';
import type { OperatorRouteId } from '@luwte/sdk/admin';
import { HostError } from '../errors.ts';
import type { Handlers } from './handlers.ts';
import { addKey, apiKeyId, keyList, removeKey } from './key-handlers.ts';

export interface OperatorOptions {
	/** The operator key; without it the tenant routes answer 404. */
	operatorKey: string | undefined;
	/**
	 * Where tenant changes are written (tenants file or Redis) before they reach the registry;
	 * without it they live in memory only.
	 */
	tenantDirectory?: TenantDirectory | undefined;
}

function publicTenant(t: Tenant) {
	return {
		id: t.id,
		name: t.name,
		allowedOrigins: t.allowedOrigins,
		stimulusProfiles: t.stimulusProfiles,
		lifecycle: t.lifecycle,
		quotas: t.quotas,
		// Working keys only: one past its grace period is no key any more.
		apiKeys: keyList(t).length,
		keyIds: keyList(t).map((k) => k.id),
	};
}

/** The operator's tenant routes (`/v1/tenants…`, operator key). Each change is durable before it is answered. */
export function operatorHandlers(tenants: TenantRegistry, directory = new TenantDirectory(tenants)): Handlers<OperatorRouteId> {
	return {
		listTenants: () => ({ tenants: tenants.list().map(publicTenant) }),
		createTenant: async ({ body }) => {
			if (tenants.get(body.id)) throw new HostError('conflict', `tenant ${body.id} exists`);
			const apiKey = newApiKey();
			// The engine checks what the SDK schema cannot (merged profiles, unique IDs): a 400 then.
			const tenant = await directory.add(
				{ ...body, apiKeyHashes: [hashApiKey(apiKey)], tokenSecret: newTokenSecret() },
				'invalid_argument',
			);
			return { tenant: publicTenant(tenant), apiKey, keyId: apiKeyId(hashApiKey(apiKey)) };
		},
		updateTenant: async ({ params, body }) => {
			const tenant = await directory.update(params.tenantId, () => ({
				...(body.name !== undefined ? { name: body.name } : {}),
				...(body.allowedOrigins !== undefined ? { allowedOrigins: body.allowedOrigins } : {}),
				...(body.stimulusProfiles !== undefined ? { stimulusProfiles: body.stimulusProfiles } : {}),
				...(body.lifecycle !== undefined ? { lifecycle: body.lifecycle } : {}),
				...(body.quotas !== undefined ? { quotas: body.quotas } : {}),
			}));
			return publicTenant(tenant);
		},
		addTenantKey: async ({ params }) => {
			const apiKey = newApiKey();
			// Added to the stored key list, so a key another host added meanwhile is kept.
			const tenant = await directory.update(params.tenantId, addKey(apiKey));
			return { tenant: publicTenant(tenant), apiKey, keyId: apiKeyId(hashApiKey(apiKey)) };
		},
		revokeTenantKey: async ({ params }) => publicTenant(await directory.update(params.tenantId, removeKey(params.keyId))),
	};
}
