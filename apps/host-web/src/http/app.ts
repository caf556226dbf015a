import type { Engine } from '@luwte/engine';
import type { LedgerStore } from '@luwte/engine/attendance';
import type { Tenant, TenantRegistry } from '@luwte/engine/auth';
import type { Library } from '@luwte/engine/library';
import type { Cluster } from '@luwte/engine/cluster';
import type { RecordingService } from '@luwte/engine/recording';
import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { BillingConfig } from '../billing-config.ts';
import type { EmbedBundles } from '../embed/bundles.ts';
import { statusOf, toErrorBody } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { HostMetrics } from '../metrics/index.ts';
import { mountMetrics } from '../metrics/route.ts';
import { mountApi } from './api.ts';
import { attendanceExportHandlers } from './attendance-export-handlers.ts';
import { attendanceHandlers } from './attendance-handlers.ts';
import type { Env } from './env.ts';
import { keyHandlers } from './key-handlers.ts';
import { libraryHandlers } from './library-handlers.ts';
import { authMiddleware } from './middleware/auth/index.ts';
import { apiRateLimit, type ApiRateLimit } from './middleware/rate-limit/index.ts';
import { mountNonApiRoutes } from './non-api-routes.ts';
import { operatorHandlers, type OperatorOptions } from './operator-handlers.ts';
import { corsFor, type OriginPolicy } from './origins.ts';
import { recordingHandlers } from './recording-handlers.ts';
import { securityHeaders } from './security-headers.ts';
import { sessionHandlers } from './session-handlers.ts';
import { viewerHandlers } from './viewer-handlers.ts';
import { webhookHandlers } from '../webhooks/handlers.ts';
import type { Webhooks } from '../webhooks/service.ts';

export type { Env } from './env.ts';

export interface AppOptions extends Partial<OperatorOptions> {
	/** The development tenant: enables the demo pages at `/` and `/demo/…`. */
	demoTenant?: Tenant | undefined;
	/** Serve the demo pages to every address, not only to this machine (`--demo`). */
	demoForAnyAddress?: boolean | undefined;
	/** The on-demand library (admin and viewer routes); without it those routes answer `unavailable`. */
	library?: Library | undefined;
	/** Turns stopped recordings into library items; without it recording routes answer `unavailable`. */
	recordings?: RecordingService | undefined;
	/** This host's cluster: recording calls go to the session's origin host (its recorder runs there). */
	cluster?: Cluster | undefined;
	/** The attendance ledger and the tenants' contracts and indications (billing and reports). */
	attendance?: { store: LedgerStore; config: BillingConfig } | undefined;
	/** Counts every request and serves `/metrics` to the operator key (docs/operations.md, "Metrics"). */
	metrics?: HostMetrics | undefined;
	/** Webhook endpoints and their deliveries; without it the webhook routes answer `unavailable`. */
	webhooks?: Webhooks | undefined;
	/** Requests per tenant key (and operator key) on the API; without it, unlimited. */
	apiRateLimit?: ApiRateLimit | undefined;
	/** The browser scripts under `/embed/`, built before the host listens; without it, built in the background. */
	embed?: Promise<EmbedBundles> | undefined;
}

export function createApp(engine: Engine, tenants: TenantRegistry, log: Logger, origins: OriginPolicy, opts: AppOptions = {}): Hono<Env> {
	const app = new Hono<Env>();

	app.onError((err, c) => {
		// Hono's own middleware answers with a ready response (bearerAuth: 401 with its challenge).
		if (err instanceof HTTPException) return err.getResponse();
		const body = toErrorBody(err);
		if (body.code === 'internal') log.error('http.error', { path: c.req.path, error: String(err) });
		return c.json({ error: body }, statusOf(body.code));
	});
	app.notFound((c) => c.json({ error: { code: 'not_found', message: 'no such route' } }, 404));
	// Outermost (it only adds headers, refuses nothing): every answer carries them, errors, 404s, preflights and /metrics too.
	app.use('*', securityHeaders());
	// Before any other middleware: every request is counted and timed, refused ones too.
	if (opts.metrics) mountMetrics(app, opts.metrics, opts.operatorKey);

	app.use('/v1/*', corsFor(origins));

	mountNonApiRoutes(app, {
		engine,
		tenants,
		library: opts.library,
		demoTenant: opts.demoTenant,
		demoForAnyAddress: opts.demoForAnyAddress,
		embed: opts.embed,
	});
	mountApi(
		app,
		{
			...sessionHandlers(engine),
			...recordingHandlers(engine, opts.recordings, opts.cluster, tenants),
			...libraryHandlers(opts.library),
			...viewerHandlers(opts.library),
			...attendanceHandlers(opts.attendance),
			...attendanceExportHandlers(engine, opts.attendance),
			...operatorHandlers(tenants, opts.tenantDirectory),
			...keyHandlers(tenants, opts.tenantDirectory),
			...webhookHandlers(opts.webhooks),
		},
		authMiddleware({ tenants, origins, operatorKey: opts.operatorKey }),
		opts.apiRateLimit
			? apiRateLimit({ onRefused: () => opts.metrics?.refused.inc({ door: 'api_rate' }), ...opts.apiRateLimit })
			: undefined,
	);
	return app;
}
