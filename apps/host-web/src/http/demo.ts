import { randomBytes } from 'node:crypto';
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

const demoBody = sessionCreateSchema.pick({ title: true, module: true });
type DemoInput = { out: { json: z.output<typeof demoBody> } };

/**
 * The try-it pages. Only with the development tenant (no tenants configured): they create
 * sessions without an API key, which a real deployment must never allow.
 */
export function mountDemo(app: Hono<Env>, engine: Engine, demoTenant: Tenant | undefined): void {
	if (!demoTenant) {
		app.get('/', (c) =>
			c.html(
				page(
					'Luwte',
					'<h1>Luwte</h1><p>Deze Luwte-server draait.</p><p><a href="/embed/">Zo zet u een activiteit op uw eigen website</a></p>',
				),
			),
		);
		return;
	}
	app.get('/', (c) => c.html(demoPage()));
	app.get('/demo/join', (c) => c.html(demoJoinPage()));
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
