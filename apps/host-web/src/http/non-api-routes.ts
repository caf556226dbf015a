import type { Engine } from '@luwte/engine';
import type { Tenant, TenantRegistry } from '@luwte/engine/auth';
import type { Library } from '@luwte/engine/library';
import { openApiDocument } from '@luwte/sdk/admin';
import type { Hono } from 'hono';
import { embedGuidePage } from '../pages/embed-guide.ts';
import { sdkBundle } from './client-bundle.ts';
import { mountDashboard } from './dashboard.ts';
import { mountDemo } from './demo.ts';
import type { Env } from './env.ts';
import { mountLibraryMedia } from './library-media.ts';
import { htmlPage } from './security-headers.ts';

const API_VERSION = '0.1.0';

/**
 * Every route that is not an operation of the JSON API, in one place: scripts, pages, the API's
 * own description and signed media files. The JSON API is mounted from the SDK's route table
 * (`api.ts`); test/host/routes.test.ts fails on a /v1 route that is in neither.
 */
export function mountNonApiRoutes(
	app: Hono<Env>,
	deps: {
		engine: Engine;
		tenants: TenantRegistry;
		library: Library | undefined;
		demoTenant: Tenant | undefined;
		/** Serve the demo to every address, not only loopback (`--demo`). */
		demoForAnyAddress?: boolean | undefined;
	},
): void {
	// The SDK for browsers: the web components, and the bare client. Public code: any site may load it.
	const bundles = { '/embed/luwte.js': '@luwte/sdk/elements', '/embed/luwte-client.js': '@luwte/sdk/client' } as const;
	for (const [path, specifier] of Object.entries(bundles)) {
		app.get(path, async (c) => {
			c.header('content-type', 'text/javascript; charset=utf-8');
			c.header('access-control-allow-origin', '*');
			// A classic <script src> from another site is a no-cors load: allowed past the same-origin default.
			c.header('cross-origin-resource-policy', 'cross-origin');
			c.header('cache-control', 'public, max-age=300');
			return c.body(await sdkBundle(specifier));
		});
	}
	// Pages: how to embed, the demo (development tenant only), the attendance dashboard.
	app.get('/embed/', (c) => htmlPage(c, embedGuidePage(new URL(c.req.url).origin)));
	mountDemo(app, deps.engine, deps.demoTenant, { anyAddress: deps.demoForAnyAddress ?? false });
	mountDashboard(app);
	// The description of the API, generated from the route table: a document, not an operation.
	app.get('/v1/openapi.json', (c) => c.json(openApiDocument({ version: API_VERSION, serverUrl: new URL(c.req.url).origin })));
	// Signed links to a library item's video and thumbnail (byte streams with Range, for <video>/<img>).
	mountLibraryMedia(app, deps.library, deps.tenants);
}
