import type { ViewerWatch } from './library-schemas.ts';
import { RouteClient } from './route-client.ts';
import type { RouteQuery } from './route-types.ts';
import { viewerRoutes } from './viewer-routes.ts';

export interface ViewerClientOptions {
	/** Base URL of the Luwte host. */
	server: string;
	/** A library token from the care organisation's backend (`POST /v1/library/tokens`). */
	token: string;
	fetch?: typeof fetch;
}

/**
 * Typed client of the library viewer routes (library token), for browsers: `<luwte-library>` uses
 * it. Imports only the viewer table, so a bundle carries none of the admin routes.
 */
export class ViewerClient extends RouteClient<typeof viewerRoutes> {
	constructor(opts: ViewerClientOptions) {
		super(viewerRoutes, { server: opts.server, bearer: opts.token, ...(opts.fetch ? { fetch: opts.fetch } : {}) });
	}

	listModules() {
		return this.call('listViewerModules');
	}
	listItems(query: RouteQuery<(typeof viewerRoutes)['listViewerItems']> = {}) {
		return this.call('listViewerItems', { query });
	}
	getItem(itemId: string) {
		return this.call('getViewerItem', { params: { itemId } });
	}
	/** `keepalive`: also delivered while the page is being closed. */
	recordWatch(itemId: string, body: ViewerWatch, init: { keepalive?: boolean } = {}) {
		return this.call('recordViewerWatch', { params: { itemId }, body }, init);
	}
}
