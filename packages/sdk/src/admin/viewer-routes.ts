import {
	viewerItemDetailSchema,
	viewerItemListSchema,
	viewerListQuerySchema,
	viewerModuleListSchema,
	viewerWatchResultSchema,
	viewerWatchSchema,
} from './library-schemas.ts';
import type { ApiRoute } from './route-types.ts';

/**
 * The library for clients (library token): published items only, no staff fields. The media and
 * thumbnail files themselves come from signed links in these answers (`mediaUrl`, `thumbnailUrl`):
 * byte streams for `<video>`/`<img>`, which cannot send a header, so not operations of this table.
 */
export const viewerRoutes = {
	listViewerModules: {
		method: 'get',
		path: '/v1/library/viewer/modules',
		auth: 'viewer',
		summary: 'The five modules with their number of published items',
		response: viewerModuleListSchema,
		status: 200,
	},
	listViewerItems: {
		method: 'get',
		path: '/v1/library/viewer/items',
		auth: 'viewer',
		summary: 'Published items, newest recording first (filter by module)',
		query: viewerListQuerySchema,
		response: viewerItemListSchema,
		status: 200,
	},
	getViewerItem: {
		method: 'get',
		path: '/v1/library/viewer/items/{itemId}',
		auth: 'viewer',
		summary: 'One published item with a signed media link and where this client stopped last time',
		response: viewerItemDetailSchema,
		status: 200,
	},
	recordViewerWatch: {
		method: 'post',
		path: '/v1/library/viewer/items/{itemId}/watch',
		auth: 'viewer',
		summary: 'Report watching (started, progress, finished): attendance, and the place to resume from',
		body: viewerWatchSchema,
		response: viewerWatchResultSchema,
		status: 200,
	},
} as const satisfies Record<string, ApiRoute>;

export type ViewerRouteId = keyof typeof viewerRoutes;
