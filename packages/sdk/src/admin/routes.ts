import { z } from 'zod';
import {
	healthSchema,
	participantListSchema,
	sessionCreateSchema,
	sessionListSchema,
	sessionSchema,
	tokenCreateSchema,
	tokenSchema,
} from './schemas.ts';
import { attendanceRoutes } from './attendance-routes.ts';
import { libraryRoutes } from './library-routes.ts';
import { recordingRoutes } from './recording-routes.ts';

export interface AdminRoute {
	method: 'get' | 'post' | 'delete';
	/** OpenAPI path syntax: `{name}` for parameters. */
	path: string;
	summary: string;
	/** Request body schema, for routes that take one. */
	body?: z.ZodType;
	/** Query string schema (an object of strings in, typed values out), for routes that take one. */
	query?: z.ZodType;
	response: z.ZodType;
	status: 200 | 201;
	/** Routes without a tenant API key. */
	public?: boolean;
}

/** Sessions, participants and join tokens. */
export const sessionRoutes = {
	health: { method: 'get', path: '/healthz', summary: 'Health of the host and its media workers', response: healthSchema, status: 200, public: true },
	createSession: { method: 'post', path: '/v1/sessions', summary: 'Plan a session (activity)', body: sessionCreateSchema, response: sessionSchema, status: 201 },
	listSessions: { method: 'get', path: '/v1/sessions', summary: "The tenant's sessions", response: sessionListSchema, status: 200 },
	getSession: { method: 'get', path: '/v1/sessions/{sessionId}', summary: 'One session', response: sessionSchema, status: 200 },
	endSession: { method: 'post', path: '/v1/sessions/{sessionId}/end', summary: 'End a session for everyone', response: sessionSchema, status: 200 },
	listParticipants: {
		method: 'get',
		path: '/v1/sessions/{sessionId}/participants',
		summary: 'Participants connected to a live session',
		response: participantListSchema,
		status: 200,
	},
	createToken: {
		method: 'post',
		path: '/v1/sessions/{sessionId}/tokens',
		summary: 'Issue a join token for one pseudonymous participant',
		body: tokenCreateSchema,
		response: tokenSchema,
		status: 201,
	},
} as const satisfies Record<string, AdminRoute>;

/**
 * Every route of the admin API, once. The host implements exactly these (a missing handler is a
 * type error), the OpenAPI document is generated from them, and the AdminClient calls them.
 */
export const adminRoutes = { ...sessionRoutes, ...recordingRoutes, ...libraryRoutes, ...attendanceRoutes } as const satisfies Record<string, AdminRoute>;

export type AdminRouteId = keyof typeof adminRoutes;
type RouteOf<R extends AdminRouteId> = (typeof adminRoutes)[R];
export type AdminBody<R extends AdminRouteId> = RouteOf<R> extends { body: z.ZodType } ? z.input<RouteOf<R>['body']> : undefined;
/** A request body after validation (defaults applied), as the host's handlers see it. */
export type AdminParsedBody<R extends AdminRouteId> = RouteOf<R> extends { body: z.ZodType } ? z.output<RouteOf<R>['body']> : undefined;
export type AdminResponse<R extends AdminRouteId> = z.output<RouteOf<R>['response']>;
/** A query after validation, as the host's handlers see it. */
export type AdminParsedQuery<R extends AdminRouteId> = RouteOf<R> extends { query: z.ZodType } ? z.output<RouteOf<R>['query']> : undefined;
export type AdminQuery<R extends AdminRouteId> = RouteOf<R> extends { query: z.ZodType } ? z.input<RouteOf<R>['query']> : undefined;
type ParamNames<P extends string> = P extends `${string}{${infer N}}${infer Rest}` ? N | ParamNames<Rest> : never;
/** The path parameters a route takes, by name (`{sessionId}` → `{ sessionId: string }`). */
export type AdminPathParams<R extends AdminRouteId> = [ParamNames<RouteOf<R>['path']>] extends [never] ? Record<string, never> : { [K in ParamNames<RouteOf<R>['path']>]: string };

/** `/v1/sessions/{sessionId}` → `/v1/sessions/:sessionId` (Hono's syntax). */
export function honoPath(path: string): string {
	return path.replace(/\{(\w+)\}/g, ':$1');
}
