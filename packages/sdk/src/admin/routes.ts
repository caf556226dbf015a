import {
	healthSchema,
	participantListSchema,
	sessionCreateSchema,
	sessionListQuerySchema,
	sessionListSchema,
	sessionSchema,
	sessionUpdateSchema,
	tokenCreateSchema,
	tokenSchema,
} from './schemas.ts';
import { attendanceExportRoutes } from './attendance-export-routes.ts';
import { attendanceRoutes } from './attendance-routes.ts';
import { keyRoutes } from './key-routes.ts';
import { libraryRoutes } from './library-routes.ts';
import { operatorRoutes } from './operator.ts';
import { recordingRoutes } from './recording-routes.ts';
import type { ApiRoute, RouteBody, RouteParams, RouteParsedBody, RouteParsedQuery, RouteQuery, RouteResponse } from './route-types.ts';
import { viewerRoutes } from './viewer-routes.ts';
import { webhookRoutes } from './webhook-routes.ts';

/** Sessions, participants and join tokens. */
export const sessionRoutes = {
	health: {
		method: 'get',
		path: '/healthz',
		auth: 'none',
		summary: 'Health of the host and its media workers',
		response: healthSchema,
		status: 200,
	},
	createSession: {
		method: 'post',
		path: '/v1/sessions',
		auth: 'tenant',
		summary: 'Plan a session (activity)',
		body: sessionCreateSchema,
		response: sessionSchema,
		status: 201,
	},
	listSessions: {
		method: 'get',
		path: '/v1/sessions',
		auth: 'tenant',
		summary: "The tenant's sessions, in order of when they take place (filters, cursor pagination)",
		query: sessionListQuerySchema,
		response: sessionListSchema,
		status: 200,
	},
	getSession: {
		method: 'get',
		path: '/v1/sessions/{sessionId}',
		auth: 'tenant',
		summary: 'One session',
		response: sessionSchema,
		status: 200,
	},
	updateSession: {
		method: 'patch',
		path: '/v1/sessions/{sessionId}',
		auth: 'tenant',
		summary: 'Retitle or reschedule a session, or change its lifecycle settings',
		body: sessionUpdateSchema,
		response: sessionSchema,
		status: 200,
	},
	cancelSession: {
		method: 'post',
		path: '/v1/sessions/{sessionId}/cancel',
		auth: 'tenant',
		summary: 'Cancel a session that has not taken place: its join tokens are refused from now on',
		response: sessionSchema,
		status: 200,
	},
	endSession: {
		method: 'post',
		path: '/v1/sessions/{sessionId}/end',
		auth: 'tenant',
		summary: 'End a session for everyone',
		response: sessionSchema,
		status: 200,
	},
	listParticipants: {
		method: 'get',
		path: '/v1/sessions/{sessionId}/participants',
		auth: 'tenant',
		summary: 'Participants connected to a live session',
		response: participantListSchema,
		status: 200,
	},
	createToken: {
		method: 'post',
		path: '/v1/sessions/{sessionId}/tokens',
		auth: 'tenant',
		summary: 'Issue a join token for one pseudonymous participant',
		body: tokenCreateSchema,
		response: tokenSchema,
		status: 201,
	},
} as const satisfies Record<string, ApiRoute>;

/** The routes a care organisation's backend calls with its tenant API key (and health): the AdminClient's. */
export const adminRoutes = {
	...sessionRoutes,
	...recordingRoutes,
	...libraryRoutes,
	...attendanceRoutes,
	...attendanceExportRoutes,
	...keyRoutes,
	...webhookRoutes,
} as const satisfies Record<string, ApiRoute>;

export type AdminRouteId = keyof typeof adminRoutes;
type RouteOf<R extends AdminRouteId> = (typeof adminRoutes)[R];
export type AdminBody<R extends AdminRouteId> = RouteBody<RouteOf<R>>;
/** A request body after validation (defaults applied), as the host's handlers see it. */
export type AdminParsedBody<R extends AdminRouteId> = RouteParsedBody<RouteOf<R>>;
export type AdminResponse<R extends AdminRouteId> = RouteResponse<RouteOf<R>>;
/** A query after validation, as the host's handlers see it. */
export type AdminParsedQuery<R extends AdminRouteId> = RouteParsedQuery<RouteOf<R>>;
export type AdminQuery<R extends AdminRouteId> = RouteQuery<RouteOf<R>>;
/** The path parameters a route takes, by name (`{sessionId}` → `{ sessionId: string }`). */
export type AdminPathParams<R extends AdminRouteId> = RouteParams<RouteOf<R>>;

/**
 * Every JSON operation of the HTTP API, whatever its credential: the admin routes (tenant key and
 * health), the operator's tenant routes and the library viewer's routes. The host mounts exactly
 * these with one loop (a missing handler is a type error) and the OpenAPI document lists them.
 */
export const apiRoutes = { ...adminRoutes, ...operatorRoutes, ...viewerRoutes } as const satisfies Record<string, ApiRoute>;
export type ApiRouteId = keyof typeof apiRoutes;
