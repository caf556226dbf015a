import type { Engine } from '@luwte/engine';
import type { Tenant, TenantRegistry } from '@luwte/engine/auth';
import type { Library } from '@luwte/engine/library';
import { openApiDocument } from '@luwte/sdk/admin';
import type { Hono } from 'hono';
import { type EmbedBundles, loadEmbedBundles } from '../embed/bundles.ts';
import { mountEmbedBundles } from '../embed/routes.ts';
import { embedGuidePage } from '../pages/embed-guide.ts';
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
		/** The browser scripts (`loadEmbedBundles()`). */
		embed?: Promise<EmbedBundles> | undefined;
	},
): void {
	// The SDK for browsers: the web components, and the bare client, served like a CDN serves files.
	// Built before the host listens (host.ts); an app made without them builds them in the background.
	const embed = deps.embed ?? loadEmbedBundles();
	embed.catch(() => {});
	mountEmbedBundles(app, embed);
	// Pages: how to embed, the demo (development tenant only), the attendance dashboard.
	app.get('/embed/', (c) => htmlPage(c, embedGuidePage(new URL(c.req.url).origin)));
	const elementScript = embed.then((b) => b.path('luwte.js'));
	elementScript.catch(() => {});
	mountDemo(app, deps.engine, deps.demoTenant, { anyAddress: deps.demoForAnyAddress ?? false, elementScript });
	mountDashboard(app);
	// The description of the API, generated from the route table: a document, not an operation.
	app.get('/v1/openapi.json', (c) => c.json(openApiDocument({ version: API_VERSION, serverUrl: new URL(c.req.url).origin })));
	// Signed links to a library item's video and thumbnail (byte streams with Range, for <video>/<img>).
	mountLibraryMedia(app, deps.library, deps.tenants);
}
