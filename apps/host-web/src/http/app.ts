import { randomBytes } from 'node:crypto';
import type { Engine, LedgerStore, Library, RecordingService, SessionInfo, Tenant, TenantRegistry } from '@luwte/engine';
import { issueJoinToken, stimulusProfileId } from '@luwte/engine';
import { adminRoutes, honoPath, openApiDocument, type AdminRoute, type AdminRouteId, type SessionResource } from '@luwte/sdk/admin';
import { Hono, type Context } from 'hono';
import { HostError, statusOf, toErrorBody } from '../errors.ts';
import type { Logger } from '../log.ts';
import { parseOrThrow } from '../zod-error.ts';
import { sdkBundle } from './client-bundle.ts';
import { readJson } from './read-json.ts';
import { corsFor, type OriginPolicy } from './origins.ts';
import { embedGuidePage } from '../pages/embed-guide.ts';
import { mountDemo } from './demo.ts';
import { mountDashboard } from './dashboard.ts';
import { mountOperatorRoutes, type OperatorOptions } from './operator.ts';
import type { Handlers } from './handlers.ts';
import { libraryHandlers } from './library-handlers.ts';
import { mountLibraryViewer } from './library-viewer.ts';
import { recordingHandlers } from './recording-handlers.ts';
import { attendanceHandlers } from './attendance-handlers.ts';
import type { BillingConfig } from '../billing-config.ts';

const API_VERSION = '0.1.0';

export type Env = { Variables: { tenant: Tenant } };

export interface AppOptions extends Partial<OperatorOptions> {
	/** The development tenant: enables the demo pages at `/` and `/demo/…`. */
	demoTenant?: Tenant | undefined;
	/** The on-demand library (admin and viewer routes); without it those routes answer `unavailable`. */
	library?: Library | undefined;
	/** Turns stopped recordings into library items; without it recording routes answer `unavailable`. */
	recordings?: RecordingService | undefined;
	/** The attendance ledger and the tenants' contracts and indications (billing and reports). */
	attendance?: { store: LedgerStore; config: BillingConfig } | undefined;
}

export function createApp(engine: Engine, tenants: TenantRegistry, log: Logger, origins: OriginPolicy, opts: AppOptions = {}): Hono<Env> {
	const app = new Hono<Env>();

	app.onError((err, c) => {
		const body = toErrorBody(err);
		if (body.code === 'internal') log.error('http.error', { path: c.req.path, error: String(err) });
		return c.json({ error: body }, statusOf(body.code));
	});
	app.notFound((c) => c.json({ error: { code: 'not_found', message: 'no such route' } }, 404));

	app.use('/v1/*', corsFor(origins));

	// The SDK for browsers: the web components, and the bare client. Public code: any site may load it.
	const bundles = { '/embed/luwte.js': '@luwte/sdk/elements', '/embed/luwte-client.js': '@luwte/sdk/client' } as const;
	for (const [path, specifier] of Object.entries(bundles)) {
		app.get(path, async (c) => {
			c.header('content-type', 'text/javascript; charset=utf-8');
			c.header('access-control-allow-origin', '*');
			c.header('cache-control', 'public, max-age=300');
			return c.body(await sdkBundle(specifier));
		});
	}

	app.get('/embed/', (c) => c.html(embedGuidePage(new URL(c.req.url).origin)));
	mountDemo(app, engine, opts.demoTenant);
	mountDashboard(app);

	app.get('/v1/openapi.json', (c) => c.json(openApiDocument({ version: API_VERSION, serverUrl: new URL(c.req.url).origin })));

	const handlers: Handlers = {
		...recordingHandlers(engine, opts.recordings),
		...attendanceHandlers(opts.attendance),
		...libraryHandlers(opts.library),
		health: () => {
			const h = engine.health();
			return { status: h.workers > 0 ? 'ok' : 'degraded', workers: h.workers, sessions: h.sessions };
		},
		createSession: ({ tenant, body }) => publicSession(engine.createSession({ tenantId: tenant.id, ...body })),
		listSessions: ({ tenant }) => ({ sessions: engine.listSessions(tenant.id).map(publicSession) }),
		getSession: ({ tenant, params }) => publicSession(engine.session(tenant.id, params.sessionId!).info()),
		endSession: ({ tenant, params }) => publicSession(engine.endSession(tenant.id, params.sessionId!)),
		listParticipants: ({ tenant, params }) => ({
			participants: publicSession(engine.session(tenant.id, params.sessionId!).info()).participants,
		}),
		createToken: async ({ tenant, params, body }) => {
			const session = engine.session(tenant.id, params.sessionId!);
			if (session.state === 'ended') throw new HostError('session_ended', 'this session has ended');
			const participantId = body.participantId ?? `p_${randomBytes(8).toString('base64url')}`;
			const { token, expiresAt } = await issueJoinToken(tenant, {
				sessionId: session.id,
				participantId,
				role: body.role,
				stimulusProfile: body.stimulusProfile,
				ttlSeconds: body.ttlSeconds,
			});
			session.noteInvitation(participantId, body.role);
			return {
				token,
				sessionId: session.id,
				participantId,
				role: body.role,
				stimulusProfile: stimulusProfileId(body.stimulusProfile),
				expiresAt: new Date(expiresAt).toISOString(),
			};
		},
	};

	// Operator routes first: `/v1/tenants` must not be taken for a tenant route.
	mountOperatorRoutes(app, tenants, { operatorKey: opts.operatorKey, onTenantsChanged: opts.onTenantsChanged });
	// Library viewer routes authenticate by library token, not by tenant key.
	mountLibraryViewer(app, opts.library, tenants, origins);

	for (const [id, route] of Object.entries(adminRoutes) as [AdminRouteId, AdminRoute][]) {
		const handler = handlers[id] as (input: { tenant: Tenant | undefined; params: Record<string, string>; body: unknown; query: unknown }) => unknown;
		app.on(route.method.toUpperCase(), honoPath(route.path), async (c) => {
			const tenant = route.public ? undefined : authenticate(c, tenants, origins);
			const body = route.body ? parseOrThrow(route.body, await readJson(c), 'request body') : undefined;
			const query = route.query ? parseOrThrow(route.query, c.req.query(), 'query') : undefined;
			const result = await handler({ tenant, params: c.req.param() as Record<string, string>, body, query });
			if (result instanceof Response) return result;
			const status = route.status === 200 && id === 'health' && (result as { status: string }).status !== 'ok' ? 503 : route.status;
			return c.json(result as object, status);
		});
	}

	return app;
}

function authenticate(c: Context, tenants: TenantRegistry, origins: OriginPolicy): Tenant {
	const m = /^Bearer\s+(\S+)$/i.exec(c.req.header('authorization') ?? '');
	const tenant = m?.[1] ? tenants.authenticate(m[1]) : undefined;
	if (!tenant) throw new HostError('unauthorized', 'a valid tenant API key is required (Authorization: Bearer <key>)');
	const origin = c.req.header('origin');
	if (!origins.allowedFor(tenant, origin === 'null' ? undefined : origin, c.req.header('host'))) {
		throw new HostError('origin_not_allowed', `this tenant does not allow requests from ${origin}`);
	}
	return tenant;
}

const iso = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString());

function publicSession(info: SessionInfo): SessionResource {
	return {
		id: info.id,
		title: info.title ?? null,
		module: info.module ?? null,
		kind: info.kind,
		schedule: info.schedule ? { startsAt: iso(info.schedule.startsAt)!, endsAt: iso(info.schedule.endsAt)! } : null,
		state: info.state,
		participantsSeeEachOther: info.policy.participantsSeeEachOther,
		createdAt: iso(info.createdAt)!,
		startedAt: iso(info.startedAt),
		endedAt: iso(info.endedAt),
		participants: info.participants.map((p) => ({ participantId: p.participantId, role: p.role, joinedAt: iso(p.joinedAt)! })),
	};
}
