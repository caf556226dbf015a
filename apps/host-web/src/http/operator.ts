import { createHash, timingSafeEqual } from 'node:crypto';
import { hashApiKey, newApiKey, newTokenSecret, type Tenant, type TenantRegistry } from '@luwte/engine';
import { honoPath, operatorRoutes, type AdminRoute, type OperatorRouteId } from '@luwte/sdk/admin';
import type { Context, Hono } from 'hono';
import { HostError } from '../errors.ts';
import { parseOrThrow } from '../zod-error.ts';
import type { Env } from './app.ts';
import { readJson } from './read-json.ts';

export interface OperatorOptions {
	/** The operator key; without it the tenant routes answer 404. */
	operatorKey: string | undefined;
	/** Called after every change, to persist the tenants (the tenants file). */
	onTenantsChanged?: (() => Promise<void>) | undefined;
}

function publicTenant(t: Tenant) {
	return { id: t.id, name: t.name, allowedOrigins: t.allowedOrigins, stimulusProfiles: t.stimulusProfiles, apiKeys: t.apiKeyHashes.length };
}

/** The operator's tenant routes (`/v1/tenants…`), from the SDK's route table. */
export function mountOperatorRoutes(app: Hono<Env>, tenants: TenantRegistry, opts: OperatorOptions): void {
	const keyHash = opts.operatorKey ? createHash('sha256').update(opts.operatorKey).digest() : undefined;
	const authenticate = (c: Context) => {
		if (!keyHash) throw new HostError('not_found', 'tenant management is not enabled on this host');
		const m = /^Bearer\s+(\S+)$/i.exec(c.req.header('authorization') ?? '');
		const given = createHash('sha256').update(m?.[1] ?? '').digest();
		if (!timingSafeEqual(given, keyHash)) throw new HostError('unauthorized', 'the operator key is required (Authorization: Bearer <operator key>)');
	};
	const changed = async () => opts.onTenantsChanged?.();

	const handlers: Record<OperatorRouteId, (params: Record<string, string>, body: any) => Promise<unknown>> = {
		listTenants: async () => ({ tenants: tenants.list().map(publicTenant) }),
		createTenant: async (_p, body) => {
			if (tenants.get(body.id)) throw new HostError('conflict', `tenant ${body.id} exists`);
			const apiKey = newApiKey();
			// The engine checks what the SDK schema cannot (merged profiles, unique IDs): a 400 then.
			const tenant = tenants.add({ ...body, apiKeyHashes: [hashApiKey(apiKey)], tokenSecret: newTokenSecret() }, 'invalid_argument');
			await changed();
			return { tenant: publicTenant(tenant), apiKey };
		},
		updateTenant: async (p, body) => {
			const tenant = tenants.update(p.tenantId!, body);
			await changed();
			return publicTenant(tenant);
		},
		addTenantKey: async (p) => {
			const current = tenants.get(p.tenantId!);
			if (!current) throw new HostError('not_found', `tenant ${p.tenantId} not found`);
			const apiKey = newApiKey();
			const tenant = tenants.update(current.id, { apiKeyHashes: [...current.apiKeyHashes, hashApiKey(apiKey)] });
			await changed();
			return { tenant: publicTenant(tenant), apiKey };
		},
	};

	for (const [id, route] of Object.entries(operatorRoutes) as [OperatorRouteId, AdminRoute][]) {
		app.on(route.method.toUpperCase(), honoPath(route.path), async (c) => {
			authenticate(c);
			const body = route.body ? parseOrThrow(route.body, await readJson(c), 'request body') : undefined;
			return c.json((await handlers[id](c.req.param() as Record<string, string>, body)) as object, route.status);
		});
	}
}
