import type { LibraryGrant, Tenant } from '@luwte/engine/auth';
import type { apiRoutes, ApiRouteId, RouteAuth, RouteParams, RouteParsedBody, RouteParsedQuery, RouteResponse } from '@luwte/sdk/admin';

type RouteOf<R extends ApiRouteId> = (typeof apiRoutes)[R];

/** Who called, by the route's kind of credential (the auth middleware established it). */
interface Callers {
	tenant: { tenant: Tenant };
	viewer: { tenant: Tenant; grant: LibraryGrant };
	operator: object;
	none: object;
}

/** What a route handler gets: the caller, the path parameters, and the validated body and query. */
export type RouteInput<R extends ApiRouteId> = Callers[RouteOf<R>['auth'] & RouteAuth] & {
	params: RouteParams<RouteOf<R>>;
	body: RouteParsedBody<RouteOf<R>>;
	query: RouteParsedQuery<RouteOf<R>>;
};

/** A handler answers with the route's JSON body, or with a ready Response (e.g. a CSV export, a 503 health). */
export type Handler<R extends ApiRouteId> = (
	input: RouteInput<R>,
) => RouteResponse<RouteOf<R>> | Response | Promise<RouteResponse<RouteOf<R>> | Response>;

/** Handlers for a group of routes; the app joins the groups and the type checks none is missing. */
export type Handlers<Ids extends ApiRouteId = ApiRouteId> = { [R in Ids]: Handler<R> };
