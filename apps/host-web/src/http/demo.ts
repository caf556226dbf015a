import { randomBytes } from 'node:crypto';
import { getConnInfo } from '@hono/node-server/conninfo';
import type { Engine } from '@luwte/engine';
import type { Tenant } from '@luwte/engine/auth';
import { issueJoinToken } from '@luwte/engine/auth';
import { sessionCreateSchema } from '@luwte/sdk/admin';
import type { z } from 'zod';
import type { Context, Hono, MiddlewareHandler } from 'hono';
import { HostError } from '../errors.ts';
import { demoJoinPage, demoPage } from '../pages/demo.ts';
import { page } from '../pages/html.ts';
import type { Env } from './env.ts';
import { limitBody } from './middleware/body-limit/index.ts';
import { validJson } from './middleware/validate/index.ts';
import { isSameOrigin } from './origins.ts';
import { htmlPage, pageCsp } from './security-headers.ts';

const demoBody = sessionCreateSchema.pick({ title: true, module: true });
type DemoInput = { out: { json: z.output<typeof demoBody> } };

const plainHtml = page(
	'Luwte',
	'<h1>Luwte</h1><p>Deze Luwte-server draait.</p><p><a href="/embed/">Zo zet u een activiteit op uw eigen website</a></p>',
);

/** 127.0.0.0/8 and ::1, also as IPv4-mapped IPv6 (`::ffff:127.0.0.1`, how a dual-stack socket reports them). */
export function isLoopbackAddress(address: string): boolean {
	const a = address.toLowerCase();
	return a === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(a) || /^::ffff:127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(a);
}

/**
 * Whether the request comes from this machine, by the socket's remote address (headers such as
 * `Host` or `Origin` are the sender's to choose). A request a proxy forwarded is not local even
 * when the proxy itself connects over loopback: it was made for someone elsewhere.
 */
export function fromLoopback(c: Context): boolean {
	if (c.req.header('forwarded') || c.req.header('x-forwarded-for') || c.req.header('x-real-ip')) return false;
	try {
		const address = getConnInfo(c).remote.address;
		return address !== undefined && isLoopbackAddress(address);
	} catch {
		// No socket (the app called without a server): nothing tells us it is local.
		return false;
	}
}

/**
 * The try-it pages. Only with the development tenant (no tenants configured, or `--dev`), and
 * only for requests from this machine unless `anyAddress` (`--demo`): they hand out host tokens
 * without an API key, which a reachable deployment must never allow.
 */
export function mountDemo(
	app: Hono<Env>,
	engine: Engine,
	demoTenant: Tenant | undefined,
	opts: { anyAddress: boolean /** The element's versioned path, once built. */; elementScript?: Promise<string> | undefined },
): void {
	if (!demoTenant) {
		app.get('/', (c) => htmlPage(c, plainHtml));
		return;
	}
	const demoHere = (c: Context) => opts.anyAddress || fromLoopback(c);
	const demoHtml = demoPage();
	const join = (opts.elementScript ?? Promise.resolve(undefined)).then((script) => {
		const html = demoJoinPage(script);
		return { html, csp: pageCsp(html, { scripts: 'self' }) };
	});
	// A failed build fails the host's start (host.ts); this copy of the rejection is not a second error.
	join.catch(() => {});
	app.get('/', (c) => htmlPage(c, demoHere(c) ? demoHtml : plainHtml));
	app.use('/demo/*', async (c, next) => {
		if (!demoHere(c))
			throw new HostError('not_found', 'the demo is only served to this machine (start with --demo to serve it to others)');
		await next();
	});
	app.get('/demo/join', async (c) => {
		const joinPage = await join;
		return htmlPage(c, joinPage.html, joinPage.csp);
	});
	const onlyDemoPage: MiddlewareHandler = async (c, next) => {
		// Only this host's own demo page may create sessions here.
		const origin = c.req.header('origin');
		if (!origin || !isSameOrigin(origin, c.req.header('host'))) throw new HostError('forbidden', 'only the demo page may do this');
		await next();
	};
	// The same body limit and validation as the API: the demo must not accept unbounded bodies either.
	const checks = [onlyDemoPage, limitBody(), validJson(demoBody.strict(), 'demo session')] as const;
	app.post('/demo/sessions', ...checks, async (c: Context<Env, string, DemoInput>) => {
		const body = c.req.valid('json');
		const session = await engine.createSession({
			tenantId: demoTenant.id,
			title: body.title,
			...(body.module ? { module: body.module } : {}),
			kind: 'online',
		});
		const token = (role: 'host' | 'participant', participantId: string) =>
			issueJoinToken(demoTenant, { sessionId: session.id, participantId, role, ttlSeconds: 4 * 3600 }).then((t) => t.token);
		return c.json({
			sessionId: session.id,
			title: body.title,
			hostToken: await token('host', `begeleider-${randomBytes(4).toString('hex')}`),
			participantToken: await token('participant', `p_${randomBytes(6).toString('base64url')}`),
		});
	});
}
