import { createHash, timingSafeEqual } from 'node:crypto';
import { verifyLibraryToken, type Tenant, type TenantRegistry } from '@luwte/engine/auth';
import type { RouteAuth } from '@luwte/sdk/admin';
import type { Context, MiddlewareHandler } from 'hono';
import { bearerAuth } from 'hono/bearer-auth';
import { HostError } from '../../../errors.ts';
import type { Env } from '../../env.ts';
import { jsonResponse } from '../../json-response.ts';
import type { OriginPolicy } from '../../origins.ts';

export interface AuthOptions {
	tenants: TenantRegistry;
	origins: OriginPolicy;
	/** The operator key; without it the operator's routes answer 404. */
	operatorKey: string | undefined;
}

/**
 * `Authorization: Bearer <credential>` through Hono's `bearerAuth`, the one place a bearer header
 * is read. Every refusal is 401 `unauthorized` in the API's error body with a `WWW-Authenticate:
 * Bearer` challenge (RFC 6750 §3); a malformed header too (the API has always answered 401 there,
 * where §3.1 would allow 400). `verify` may throw a typed error instead (e.g. a foreign website).
 */
function bearer(verify: (token: string, c: Context<Env>) => boolean | Promise<boolean>, required: string): MiddlewareHandler<Env> {
	const refuse = () => jsonResponse({ error: { code: 'unauthorized', message: required } }, 401);
	return bearerAuth<Env>({
		verifyToken: verify,
		realm: 'luwte',
		noAuthenticationHeader: { message: refuse },
		invalidAuthenticationHeader: { message: refuse },
		invalidToken: { message: refuse },
	});
}

/** A browser's page may only use a tenant's API from a website the tenant allows (requests without Origin come from servers). */
function checkOrigin(c: Context, origins: OriginPolicy, tenant: Tenant, refusal: (origin: string | undefined) => string): void {
	const origin = c.req.header('origin');
	// `Origin: null` is an origin too (sandboxed frames, file: pages): only a tenant that lists `null` allows it.
	if (!origins.allowedFor(tenant, origin, c.req.header('host'))) {
		throw new HostError('origin_not_allowed', refusal(origin));
	}
}

/**
 * The middleware that checks each kind of credential a route may ask for (`none`: nothing to
 * check). It puts the caller into the context: `tenant` (tenant key, library token) and `grant`
 * (library token).
 */
export function authMiddleware(opts: AuthOptions): Record<RouteAuth, MiddlewareHandler<Env> | undefined> {
	const { tenants, origins } = opts;
	const operatorKeyHash = opts.operatorKey ? createHash('sha256').update(opts.operatorKey).digest() : undefined;
	const checkOperatorKey = bearer((token) => {
		// Compared as hashes: equal lengths for timingSafeEqual, and nothing learnt from timing.
		return timingSafeEqual(createHash('sha256').update(token).digest(), operatorKeyHash!);
	}, 'the operator key is required (Authorization: Bearer <operator key>)');

	return {
		none: undefined,
		tenant: bearer((token, c) => {
			const tenant = tenants.authenticate(token);
			if (!tenant) return false;
			checkOrigin(c, origins, tenant, (origin) => `this tenant does not allow requests from ${origin}`);
			c.set('tenant', tenant);
			return true;
		}, 'a valid tenant API key is required (Authorization: Bearer <key>)'),
		operator: async (c, next) => {
			if (!operatorKeyHash) throw new HostError('not_found', 'tenant management is not enabled on this host');
			return checkOperatorKey(c, next);
		},
		viewer: bearer(async (token, c) => {
			// An invalid or expired token throws `unauthorized` with the reason.
			const grant = await verifyLibraryToken(tenants, token);
			const tenant = tenants.get(grant.tenantId);
			if (!tenant) return false;
			checkOrigin(c, origins, tenant, (origin) => `this care organisation does not allow its library on ${origin}`);
			c.set('tenant', tenant);
			c.set('grant', grant);
			return true;
		}, 'a library token is required (Authorization: Bearer <library token>)'),
	};
}
