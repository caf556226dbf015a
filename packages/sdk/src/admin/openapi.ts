import { z } from 'zod';
import { operatorRoutes } from './operator.ts';
import { adminRoutes, type AdminRoute } from './routes.ts';
import { errorResponseSchema } from './schemas.ts';

const errorResponses: Record<string, string> = {
	'400': 'Invalid input (code invalid_params or bad_request; details.fields names each bad field)',
	'401': 'Missing or unknown tenant API key',
	'404': 'No such session (or library item) for this tenant',
	'410': 'The session has ended',
	'413': 'Body too large',
};

/** The OpenAPI 3.1 document of the admin API, generated from the same schemas that validate it. */
export function openApiDocument(opts: { version: string; serverUrl?: string }): Record<string, unknown> {
	const paths: Record<string, Record<string, unknown>> = {};
	const errorSchema = z.toJSONSchema(errorResponseSchema, { io: 'output' });
	const all: [string, AdminRoute, 'tenant' | 'operator'][] = [
		...(Object.entries(adminRoutes) as [string, AdminRoute][]).map(([id, r]) => [id, r, 'tenant'] as [string, AdminRoute, 'tenant']),
		...(Object.entries(operatorRoutes) as [string, AdminRoute][]).map(([id, r]) => [id, r, 'operator'] as [string, AdminRoute, 'operator']),
	];
	for (const [id, route, auth] of all) {
		const params: Record<string, unknown>[] = [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => ({
			name: m[1],
			in: 'path',
			required: true,
			schema: { type: 'string' },
		}));
		if (route.query) {
			const q = z.toJSONSchema(route.query, { io: 'input' }) as { properties?: Record<string, unknown>; required?: string[] };
			for (const [name, schema] of Object.entries(q.properties ?? {})) params.push({ name, in: 'query', required: q.required?.includes(name) ?? false, schema });
		}
		const responses: Record<string, unknown> = {
			[String(route.status)]: {
				description: route.summary,
				content: { 'application/json': { schema: z.toJSONSchema(route.response, { io: 'output' }) } },
			},
		};
		for (const [code, description] of Object.entries(errorResponses)) {
			if (route.public && code !== '400') continue;
			if (!route.path.includes('{') && (code === '404' || code === '410')) continue;
			if (auth === 'operator' && code === '410') continue;
			if (!route.body && code === '413') continue;
			responses[code] = { description, content: { 'application/json': { schema: errorSchema } } };
		}
		paths[route.path] ??= {};
		paths[route.path]![route.method] = {
			operationId: id,
			summary: route.summary,
			...(route.public ? { security: [] } : auth === 'operator' ? { security: [{ operatorKey: [] }] } : {}),
			...(params.length ? { parameters: params } : {}),
			...(route.body
				? { requestBody: { required: true, content: { 'application/json': { schema: z.toJSONSchema(route.body, { io: 'input' }) } } } }
				: {}),
			responses,
		};
	}
	return {
		openapi: '3.1.0',
		info: {
			title: 'Luwte admin API',
			version: opts.version,
			description: 'Sessions and join tokens for calm live day activities. Authenticate with a tenant API key: Authorization: Bearer <key>.',
		},
		...(opts.serverUrl ? { servers: [{ url: opts.serverUrl }] } : {}),
		components: {
			securitySchemes: {
				tenantKey: { type: 'http', scheme: 'bearer', description: 'Tenant API key (lwk_…)' },
				operatorKey: { type: 'http', scheme: 'bearer', description: 'Operator key of this Luwte host (lwo_…), for managing tenants' },
			},
		},
		security: [{ tenantKey: [] }],
		paths,
	};
}
