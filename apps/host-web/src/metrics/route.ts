import { createHash, timingSafeEqual } from 'node:crypto';
import type { Hono, MiddlewareHandler } from 'hono';
import { HostError } from '../errors.ts';
import type { Env } from '../http/env.ts';
import { httpMetrics } from './http.ts';
import type { HostMetrics } from './index.ts';

export const METRICS_PATH = '/metrics';

/**
 * Counts every request of the app (registered first, so it wraps all other middleware) and
 * serves `/metrics` to the operator: `Authorization: Bearer <operator key>`. Without an operator
 * key on this host the route is not there (404); a separate metrics address needs no key.
 */
export function mountMetrics(app: Hono<Env>, metrics: HostMetrics, operatorKey: string | undefined): void {
	app.use('*', httpMetrics(metrics));
	app.get(METRICS_PATH, operatorOnly(operatorKey), async (c) => {
		const { body, contentType } = await metrics.scrape();
		c.header('content-type', contentType);
		c.header('cache-control', 'no-store');
		return c.body(body);
	});
}

function operatorOnly(operatorKey: string | undefined): MiddlewareHandler {
	// Compared as hashes: equal lengths for timingSafeEqual, and nothing learnt from timing.
	const want = operatorKey ? createHash('sha256').update(operatorKey).digest() : undefined;
	return async (c, next) => {
		if (!want) throw new HostError('not_found', 'metrics need an operator key on this host');
		const m = /^Bearer\s+(\S+)$/i.exec(c.req.header('authorization') ?? '');
		if (!m || !timingSafeEqual(createHash('sha256').update(m[1]!).digest(), want)) {
			c.header('www-authenticate', 'Bearer realm="luwte metrics"');
			throw new HostError('unauthorized', 'the operator key is required (Authorization: Bearer <operator key>)');
		}
		await next();
	};
}
