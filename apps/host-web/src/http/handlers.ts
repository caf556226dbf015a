import type { Tenant } from '@luwte/engine';
import type { AdminParsedBody, AdminParsedQuery, AdminResponse, AdminRouteId } from '@luwte/sdk/admin';

/** What a route handler gets: the authenticated tenant (public routes: none), path, body, query. */
export interface RouteInput<R extends AdminRouteId> {
	tenant: Tenant;
	params: Record<string, string>;
	body: AdminParsedBody<R>;
	query: AdminParsedQuery<R>;
}

/** A handler answers with the route's JSON body, or with a ready Response (e.g. a CSV export). */
export type Handler<R extends AdminRouteId> = (input: RouteInput<R>) => AdminResponse<R> | Response | Promise<AdminResponse<R> | Response>;

/** Handlers for a group of routes; the app joins the groups and the type checks none is missing. */
export type Handlers<Ids extends AdminRouteId = AdminRouteId> = { [R in Ids]: Handler<R> };
