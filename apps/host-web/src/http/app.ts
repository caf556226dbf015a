import type { Engine, Tenant, TenantRegistry } from '@luwte/engine';
import { issueJoinToken, participantIdSchema, roles } from '@luwte/engine';
import { Hono, type Context } from 'hono';
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { HostError, statusOf, toErrorBody } from '../errors.ts';
import { clientBundle } from './client-bundle.ts';
import type { Logger } from '../log.ts';
import { parseOrThrow } from '../zod-error.ts';

/** Request bodies of the admin API. */
export const createSessionBody = z
	.object({
		title: z.string().min(1).max(200).optional(),
		participantsSeeEachOther: z.boolean().optional(),
	})
	.strict();

export const createTokenBody = z
	.object({
		role: z.enum(roles),
		/** Pseudonymous ID chosen by the care provider; a random one when absent. */
		participantId: participantIdSchema.optional(),
		/** Lifetime of the token (the join must happen within it). */
		ttlSeconds: z.number().int().min(30).max(7 * 24 * 3600).default(4 * 3600),
	})
	.strict();

const MAX_BODY_BYTES = 16 * 1024;

type Env = { Variables: { tenant: Tenant } };

export function createApp(engine: Engine, tenants: TenantRegistry, log: Logger): Hono<Env> {
	const app = new Hono<Env>();

	app.onError((err, c) => {
		const body = toErrorBody(err);
		if (body.code === 'internal') log.error('http.error', { path: c.req.path, error: String(err) });
		return c.json({ error: body }, statusOf(body.code));
	});
	app.notFound((c) => c.json({ error: { code: 'not_found', message: 'no such route' } }, 404));

	app.get('/healthz', (c) => {
		const h = engine.health();
		return c.json({ status: h.workers > 0 ? 'ok' : 'degraded', workers: h.workers, sessions: h.sessions }, h.workers > 0 ? 200 : 503);
	});

	// The SDK client for browsers. Public code: any site may load it.
	app.get('/embed/luwte-client.js', async (c) => {
		c.header('content-type', 'text/javascript; charset=utf-8');
		c.header('access-control-allow-origin', '*');
		c.header('cache-control', 'public, max-age=300');
		return c.body(await clientBundle());
	});

	// Everything under /v1 except signalling needs a tenant API key.
	app.use('/v1/*', async (c, next) => {
		const auth = c.req.header('authorization') ?? '';
		const m = /^Bearer\s+(\S+)$/i.exec(auth);
		const tenant = m?.[1] ? tenants.authenticate(m[1]) : undefined;
		if (!tenant) throw new HostError('unauthorized', 'a valid tenant API key is required (Authorization: Bearer <key>)');
		c.set('tenant', tenant);
		await next();
	});

	app.post('/v1/sessions', async (c) => {
		const body = parseOrThrow(createSessionBody, await readJson(c), 'session');
		const info = engine.createSession({ tenantId: c.get('tenant').id, ...body });
		return c.json(publicSession(info), 201);
	});

	app.get('/v1/sessions', (c) => c.json({ sessions: engine.listSessions(c.get('tenant').id).map(publicSession) }));

	app.get('/v1/sessions/:id', (c) => c.json(publicSession(engine.session(c.get('tenant').id, c.req.param('id')).info())));

	app.post('/v1/sessions/:id/tokens', async (c) => {
		const tenant = c.get('tenant');
		const body = parseOrThrow(createTokenBody, await readJson(c), 'token request');
		const session = engine.session(tenant.id, c.req.param('id'));
		if (session.state === 'ended') throw new HostError('session_ended', 'this session has ended');
		const participantId = body.participantId ?? `p_${randomBytes(8).toString('base64url')}`;
		const { token, expiresAt } = await issueJoinToken(tenant, {
			sessionId: session.id,
			participantId,
			role: body.role,
			ttlSeconds: body.ttlSeconds,
		});
		return c.json({ token, sessionId: session.id, participantId, role: body.role, expiresAt: new Date(expiresAt).toISOString() }, 201);
	});

	app.post('/v1/sessions/:id/end', (c) => c.json(publicSession(engine.endSession(c.get('tenant').id, c.req.param('id')))));

	return app;
}

async function readJson(c: Context): Promise<unknown> {
	const length = Number(c.req.header('content-length') ?? '0');
	if (length > MAX_BODY_BYTES) throw new HostError('message_too_large', `request bodies are limited to ${MAX_BODY_BYTES} bytes`);
	const text = await c.req.text();
	if (Buffer.byteLength(text) > MAX_BODY_BYTES) throw new HostError('message_too_large', `request bodies are limited to ${MAX_BODY_BYTES} bytes`);
	if (text.trim() === '') return {};
	try {
		return JSON.parse(text);
	} catch {
		throw new HostError('bad_request', 'the request body must be JSON');
	}
}

function publicSession(info: ReturnType<Engine['listSessions']>[number]) {
	return {
		id: info.id,
		title: info.title ?? null,
		state: info.state,
		participantsSeeEachOther: info.policy.participantsSeeEachOther,
		createdAt: new Date(info.createdAt).toISOString(),
		startedAt: info.startedAt ? new Date(info.startedAt).toISOString() : null,
		endedAt: info.endedAt ? new Date(info.endedAt).toISOString() : null,
		participants: info.participants.map((p) => ({ participantId: p.participantId, role: p.role, joinedAt: new Date(p.joinedAt).toISOString() })),
	};
}
