import type { z } from 'zod';

/**
 * Who may call a route, and with which credential in `Authorization: Bearer …`:
 * - `tenant`: a care organisation's API key (its backend);
 * - `operator`: the operator key of this Luwte host (managing tenants);
 * - `viewer`: a library token for one pseudonymous client (the `<luwte-library>` element);
 * - `none`: anyone (health).
 */
export type RouteAuth = 'tenant' | 'operator' | 'viewer' | 'none';

/** One JSON operation of the HTTP API. The host mounts it, the OpenAPI document shows it, the clients call it. */
export interface ApiRoute {
	method: 'get' | 'post' | 'put' | 'patch' | 'delete';
	/** OpenAPI path syntax: `{name}` for parameters. */
	path: string;
	summary: string;
	auth: RouteAuth;
	/** Request body schema, for routes that take one. */
	body?: z.ZodType;
	/** Query string schema (an object of strings in, typed values out), for routes that take one. */
	query?: z.ZodType;
	/** The largest request body the host reads for this route, in bytes (default 16 KiB); sized to the real work. */
	maxBodyBytes?: number;
	response: z.ZodType;
	/** The answer's media type when it is not JSON: `application/jsonl` (JSON Lines; `response` is one line). */
	contentType?: 'application/jsonl';
	status: 200 | 201;
}

/** The name the admin routes were first declared with; every route table uses the one shape. */
export type AdminRoute = ApiRoute;

export type RouteBody<T extends ApiRoute> = T extends { body: z.ZodType } ? z.input<T['body']> : undefined;
/** A request body after validation (defaults applied), as the host's handlers see it. */
export type RouteParsedBody<T extends ApiRoute> = T extends { body: z.ZodType } ? z.output<T['body']> : undefined;
export type RouteQuery<T extends ApiRoute> = T extends { query: z.ZodType } ? z.input<T['query']> : undefined;
/** A query after validation, as the host's handlers see it. */
export type RouteParsedQuery<T extends ApiRoute> = T extends { query: z.ZodType } ? z.output<T['query']> : undefined;
export type RouteResponse<T extends ApiRoute> = z.output<T['response']>;
type ParamNames<P extends string> = P extends `${string}{${infer N}}${infer Rest}` ? N | ParamNames<Rest> : never;
/** The path parameters a route takes, by name (`{sessionId}` → `{ sessionId: string }`). */
export type RouteParams<T extends ApiRoute> = [ParamNames<T['path']>] extends [never]
	? Record<string, never>
	: { [K in ParamNames<T['path']>]: string };

/** `/v1/sessions/{sessionId}` → `/v1/sessions/:sessionId` (Hono's syntax). */
export function honoPath(path: string): string {
	return path.replace(/\{(\w+)\}/g, ':$1');
}
