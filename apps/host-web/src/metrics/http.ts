import type { MiddlewareHandler } from 'hono';
import { matchedRoutes } from 'hono/route';
import type { HostMetrics } from './index.ts';

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/**
 * Counts and times every HTTP request by its route pattern (`/v1/sessions/:sessionId`), never the
 * raw path: IDs stay out of the labels and their number stays bounded. A request no route matched
 * is `unmatched`.
 */
export function httpMetrics(metrics: HostMetrics): MiddlewareHandler {
	return async (c, next) => {
		const started = performance.now();
		try {
			await next();
		} finally {
			const method = METHODS.has(c.req.method) ? c.req.method : 'OTHER';
			const route = routeOf(c);
			metrics.httpRequests.inc({ method, route, status: String(c.res.status) });
			metrics.httpDuration.observe({ method, route }, (performance.now() - started) / 1000);
		}
	};
}

/** The pattern of the last route (not middleware, which is registered for every method) that matched. */
function routeOf(c: Parameters<MiddlewareHandler>[0]): string {
	const routes = matchedRoutes(c);
	for (let i = routes.length - 1; i >= 0; i--) {
		const r = routes[i]!;
		if (r.method !== 'ALL') return r.path;
	}
	return 'unmatched';
}
