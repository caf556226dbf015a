import { apiRoutes, honoPath, type ApiRoute, type ApiRouteId, type RouteAuth } from '@luwte/sdk/admin';
import type { Context, Hono, MiddlewareHandler } from 'hono';
import type { Env } from './env.ts';
import type { Handlers } from './handlers.ts';
import { limitBody } from './middleware/body-limit/index.ts';
import { validJson, validQuery } from './middleware/validate/index.ts';

type AnyHandler = (input: { tenant?: unknown; grant?: unknown; params: Record<string, string>; body: unknown; query: unknown }) => unknown;
type Validated = { out: { json: unknown; query: unknown } };

/**
 * Mounts every operation of the SDK's route table, and only those: the credential check for the
 * route's kind, the tenant's rate limit, then for a body the route's size limit and its schema, for a query its schema, then the
 * handler. Its JSON answer goes out with the route's status; a handler may answer a Response.
 */
export function mountApi(
	app: Hono<Env>,
	handlers: Handlers,
	auth: Record<RouteAuth, MiddlewareHandler<Env> | undefined>,
	rateLimit?: MiddlewareHandler<Env>,
): void {
	for (const [id, route] of Object.entries(apiRoutes) as [ApiRouteId, ApiRoute][]) {
		const handler = handlers[id] as AnyHandler;
		const checks: MiddlewareHandler<Env>[] = [];
		const credential = auth[route.auth];
		if (credential) checks.push(credential);
		// Per tenant key and operator key; viewer tokens are per client, bounded by the connection limits.
		if (rateLimit && (route.auth === 'tenant' || route.auth === 'operator')) checks.push(rateLimit);
		if (route.body) checks.push(limitBody(route.maxBodyBytes), validJson(route.body));
		if (route.query) checks.push(validQuery(route.query));
		const answer = async (c: Context<Env, string, Validated>) => {
			const result = await handler({
				tenant: c.get('tenant'),
				grant: c.get('grant'),
				params: c.req.param() as Record<string, string>,
				body: route.body ? c.req.valid('json') : undefined,
				query: route.query ? c.req.valid('query') : undefined,
			});
			return result instanceof Response ? result : c.json(result as object, route.status);
		};
		// One registration per step, in order, as Hono itself registers `app.on(method, path, ...handlers)`.
		for (const step of [...checks, answer]) app.on(route.method.toUpperCase(), honoPath(route.path), step as MiddlewareHandler<Env>);
	}
}
