import type { IncomingHttpHeaders } from 'node:http';
import type { Tenant, TenantRegistry } from '@luwte/engine/auth';
import type { MiddlewareHandler } from 'hono';
import { cors } from 'hono/cors';

/**
 * The literal a tenant lists to allow opaque origins. A browser sends `Origin: null` from a
 * sandboxed iframe, a `data:` or `file:` page or after a cross-site redirect: any site can make
 * one, so `null` says nothing about who is asking and is refused unless a tenant opts in.
 */
export const OPAQUE_ORIGIN = 'null';

/**
 * Which websites may use a tenant's sessions. A browser tells us the page's origin (`Origin`);
 * requests without one come from servers and apps, which authenticate by key or token alone.
 * The host's own pages (same origin) are always allowed. `*` in a tenant's list allows any
 * website (the development tenant uses it), but not an opaque origin: only the literal `null` does.
 */
export class OriginPolicy {
	readonly #tenants: TenantRegistry;

	constructor(tenants: TenantRegistry) {
		this.#tenants = tenants;
	}

	/** `origin`: the header as sent (`undefined` when absent; `null` and other opaque values as they are). */
	allowedFor(tenant: Tenant, origin: string | undefined, hostHeader: string | undefined): boolean {
		if (origin === undefined) return true;
		if (!isTupleOrigin(origin)) return tenant.allowedOrigins.includes(OPAQUE_ORIGIN);
		if (isSameOrigin(origin, hostHeader)) return true;
		return tenant.allowedOrigins.includes('*') || tenant.allowedOrigins.includes(origin);
	}

	/** Allowed by at least one tenant: worth talking to before we know which tenant it is. */
	allowedForAny(origin: string | undefined, hostHeader: string | undefined): boolean {
		if (origin === undefined) return true;
		if (isTupleOrigin(origin) && isSameOrigin(origin, hostHeader)) return true;
		return this.#tenants.list().some((t) => this.allowedFor(t, origin, hostHeader));
	}
}

/** A web origin with a scheme and host (`https://zorg.example[:port]`), not an opaque one (`null`, `file://`, junk). */
export function isTupleOrigin(origin: string): boolean {
	// URL.parse, not new URL: a thrown error costs more than the parse, and junk is what abuse sends.
	const url = URL.parse(origin);
	return url !== null && (url.protocol === 'https:' || url.protocol === 'http:') && url.origin === origin;
}

export function isSameOrigin(origin: string, hostHeader: string | undefined): boolean {
	return hostHeader !== undefined && URL.parse(origin)?.host === hostHeader;
}

/** The `Origin` header as sent; `null` stays `null` (an opaque origin, not an absent one). */
export function originOf(headers: IncomingHttpHeaders): string | undefined {
	const o = headers.origin;
	return typeof o === 'string' ? o : undefined;
}

/** CORS for the API: preflights pass for origins some tenant allows; the tenant check follows at authentication. */
export function corsFor(policy: OriginPolicy): MiddlewareHandler {
	return cors({
		// Hono passes '' when there is no Origin header (a server-side caller): nothing to allow.
		origin: (origin, c) => (origin !== '' && policy.allowedForAny(origin, c.req.header('host')) ? origin : null),
		allowMethods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
		allowHeaders: ['authorization', 'content-type'],
		maxAge: 600,
	});
}
