import { buildComponents, nameRouteSchemas } from './openapi-components.ts';
import { webhooksSection } from './webhook-openapi.ts';
import { apiRoutes } from './routes.ts';
import type { ApiRoute, RouteAuth } from './route-types.ts';
import { errorResponseSchema } from './schemas.ts';

/** The security scheme of each kind of credential (`none`: no scheme). */
const securityOf: Record<RouteAuth, Record<string, string[]>[] | undefined> = {
	tenant: undefined, // the document's default
	operator: [{ operatorKey: [] }],
	viewer: [{ libraryToken: [] }],
	none: [],
};

const unauthorized: Record<Exclude<RouteAuth, 'none'>, string> = {
	tenant: 'Missing or unknown tenant API key',
	operator: 'Missing or wrong operator key',
	viewer: 'Missing, expired or unknown library token',
};

/** The error answers a route can give, by what it takes and how it is called. */
function errorResponses(route: ApiRoute): Record<string, string> {
	const out: Record<string, string> = {
		'400': 'Invalid input (code invalid_params or bad_request; details.fields names each bad field)',
	};
	if (route.auth !== 'none') out['401'] = unauthorized[route.auth];
	if (route.auth === 'tenant' || route.auth === 'viewer') out['403'] = 'Sent from a website this care organisation does not allow';
	if (route.path.includes('{')) out['404'] = route.auth === 'operator' ? 'No such tenant' : 'No such session or item for this tenant';
	if (route.auth === 'tenant' && route.path.includes('{')) out['410'] = 'The session has ended';
	if (route.body) out['413'] = 'Body too large';
	return out;
}

/** The OpenAPI 3.1 document of the HTTP API, generated from the same schemas that validate it. */
export function openApiDocument(opts: { version: string; serverUrl?: string }): Record<string, unknown> {
	const paths: Record<string, Record<string, unknown>> = {};
	// Every schema is a named component (openapi-components.ts); paths refer to them.
	nameRouteSchemas(apiRoutes);
	const components = buildComponents();
	const errorSchema = components.output(errorResponseSchema);
	for (const [id, route] of Object.entries(apiRoutes) as [string, ApiRoute][]) {
		const params: Record<string, unknown>[] = [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => ({
			name: m[1],
			in: 'path',
			required: true,
			schema: { type: 'string' },
		}));
		if (route.query) {
			const q = components.inputSchema(route.query) as { properties?: Record<string, unknown>; required?: string[] };
			for (const [name, schema] of Object.entries(q.properties ?? {}))
				params.push({ name, in: 'query', required: q.required?.includes(name) ?? false, schema });
		}
		const responses: Record<string, unknown> = {
			[String(route.status)]: {
				description: route.summary,
				content: { [route.contentType ?? 'application/json']: { schema: components.output(route.response) } },
			},
		};
		for (const [code, description] of Object.entries(errorResponses(route))) {
			responses[code] = { description, content: { 'application/json': { schema: errorSchema } } };
		}
		const security = securityOf[route.auth];
		paths[route.path] ??= {};
		paths[route.path]![route.method] = {
			operationId: id,
			summary: route.summary,
			...(security ? { security } : {}),
			...(params.length ? { parameters: params } : {}),
			...(route.body
				? {
						requestBody: {
							required: true,
							content: { 'application/json': { schema: components.input(route.body) } },
						},
					}
				: {}),
			responses,
		};
	}
	const webhooks = webhooksSection(components);
	return {
		openapi: '3.1.0',
		info: {
			title: 'Luwte HTTP API',
			version: opts.version,
			description:
				'Sessions and join tokens for calm live day activities, the on-demand library and attendance. ' +
				"Authenticate with Authorization: Bearer <credential>: a tenant API key (the care organisation's backend, the default), " +
				"the host's operator key (tenants) or a library token (one client watching the library).",
		},
		...(opts.serverUrl ? { servers: [{ url: opts.serverUrl }] } : {}),
		components: {
			schemas: components.finish(JSON.stringify({ paths, webhooks })),
			securitySchemes: {
				tenantKey: { type: 'http', scheme: 'bearer', description: 'Tenant API key (lwk_…)' },
				operatorKey: {
					type: 'http',
					scheme: 'bearer',
					description: 'Operator key of this Luwte host (lwo_…), for managing tenants',
				},
				libraryToken: {
					type: 'http',
					scheme: 'bearer',
					bearerFormat: 'JWT',
					description: 'Library token for one pseudonymous client (POST /v1/library/tokens)',
				},
			},
		},
		security: [{ tenantKey: [] }],
		paths,
		// What Luwte sends to a tenant's receivers (docs/webhooks.md).
		webhooks,
	};
}
