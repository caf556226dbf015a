import type { IncomingHttpHeaders } from 'node:http';
import type { Tenant, TenantRegistry } from '@luwte/engine/auth';
import type { MiddlewareHandler } from 'hono';
import { cors } from 'hono/cors';

/**
 * Which websites may use a tenant's sessions. A browser tells us the page's origin (`Origin`);
 * requests without one come from servers and apps, which authenticate by key or token alone.
 * The host's own pages (same origin) are always allowed. `*` in a tenant's list allows any site
 * (the development tenant uses it).
 */
export class OriginPolicy {
	readonly #tenants: TenantRegistry;

	constructor(tenants: TenantRegistry) {
		this.#tenants = tenants;
	}

	allowedFor(tenant: Tenant, origin: string | undefined, hostHeader: string | undefined): boolean {
		if (origin === undefined || isSameOrigin(origin, hostHeader)) return true;
		return tenant.allowedOrigins.includes('*') || tenant.allowedOrigins.includes(origin);
	}

	/** Allowed by at least one tenant: worth talking to before we know which tenant it is. */
	allowedForAny(origin: string | undefined, hostHeader: string | undefined): boolean {
		if (origin === undefined || isSameOrigin(origin, hostHeader)) return true;
		return this.#tenants.list().some((t) => t.allowedOrigins.includes('*') || t.allowedOrigins.includes(origin));
	}
}

export function isSameOrigin(origin: string, hostHeader: string | undefined): boolean {
	try {
		return hostHeader !== undefined && new URL(origin).host === hostHeader;
	} catch {
		return false;
	}
}

export function originOf(headers: IncomingHttpHeaders): string | undefined {
	const o = headers.origin;
	return typeof o === 'string' && o !== 'null' ? o : undefined;
}

/** CORS for the API: preflights pass for origins some tenant allows; the tenant check follows at authentication. */
export function corsFor(policy: OriginPolicy): MiddlewareHandler {
	return cors({
		origin: (origin, c) => (policy.allowedForAny(origin, c.req.header('host')) ? origin : null),
		allowMethods: ['GET', 'POST', 'DELETE'],
		allowHeaders: ['authorization', 'content-type'],
		maxAge: 600,
	});
}
