import { operatorRoutes } from './operator.ts';
import { RouteClient } from './route-client.ts';
import type { RouteBody } from './route-types.ts';

export interface OperatorClientOptions {
	/** Base URL of the Luwte host. */
	server: string;
	/** The host's operator key (`lwo_…`): only for the operator's own tools. */
	operatorKey: string;
	fetch?: typeof fetch;
}

type Body<R extends keyof typeof operatorRoutes> = RouteBody<(typeof operatorRoutes)[R]>;

/** Typed client of the operator's tenant routes (operator key). */
export class OperatorClient extends RouteClient<typeof operatorRoutes> {
	constructor(opts: OperatorClientOptions) {
		super(operatorRoutes, { server: opts.server, bearer: opts.operatorKey, ...(opts.fetch ? { fetch: opts.fetch } : {}) });
	}

	listTenants() {
		return this.call('listTenants');
	}
	createTenant(body: Body<'createTenant'>) {
		return this.call('createTenant', { body });
	}
	updateTenant(tenantId: string, body: Body<'updateTenant'>) {
		return this.call('updateTenant', { params: { tenantId }, body });
	}
	/** A further API key for the tenant (e.g. to rotate keys); the answer shows it once. */
	addTenantKey(tenantId: string) {
		return this.call('addTenantKey', { params: { tenantId } });
	}
	/** Revokes one of the tenant's keys by its ID (`tenant.keyIds`); refused for its last key. */
	revokeTenantKey(tenantId: string, keyId: string) {
		return this.call('revokeTenantKey', { params: { tenantId, keyId } });
	}
}
