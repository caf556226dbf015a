import type { Engine } from '@luwte/engine';
import { TenantRegistry } from '@luwte/engine/auth';
import { createApp, createLogger, OriginPolicy } from '@luwte/host-web';
import { apiRoutes, honoPath, openApiDocument } from '@luwte/sdk/admin';
import { describe, expect, it } from 'vitest';

/**
 * `/v1` routes that are not operations of the JSON API, each with the reason. Adding one here is
 * a decision a reviewer sees: a JSON operation belongs in the SDK's route table instead, which puts
 * it in the OpenAPI document and the typed clients. (The signalling WebSocket, `/v1/signal`, is an
 * upgrade on the HTTP server, not a route of the app.)
 */
const nonApiV1Routes: Record<string, string> = {
	'ALL /v1/*': 'CORS for every /v1 route: middleware, not a route',
	'GET /v1/openapi.json': 'the OpenAPI document itself',
	'GET /v1/library/media/:tenantId/:itemId/:file': 'signed links to video and thumbnail files: byte streams for <video>/<img>',
};

describe('every HTTP route comes from the route table', () => {
	// No media is needed to list routes: the engine is never called while mounting.
	const tenants = new TenantRegistry([]);
	const app = createApp({} as Engine, tenants, createLogger('silent'), new OriginPolicy(tenants), { operatorKey: 'lwo_routes-test' });
	const mounted = new Set(app.routes.map((r) => `${r.method} ${r.path}`));
	const table = new Map(Object.entries(apiRoutes).map(([id, r]) => [`${r.method.toUpperCase()} ${honoPath(r.path)}`, id]));

	it('mounts no /v1 route outside the route table but the listed non-API ones', () => {
		const stray = [...mounted].filter((key) => key.split(' ')[1]!.startsWith('/v1') && !table.has(key) && !(key in nonApiV1Routes));
		expect(stray).toEqual([]);
		// The list stays honest: each entry is still mounted.
		expect(Object.keys(nonApiV1Routes).filter((key) => !mounted.has(key))).toEqual([]);
	});

	it('asks every operation but health for its credential before anything else', async () => {
		for (const [id, route] of Object.entries(apiRoutes)) {
			if (route.auth === 'none') continue;
			const path = route.path.replace(/\{\w+\}/g, 'x');
			const res = await app.request(path, { method: route.method.toUpperCase(), ...(route.method === 'get' ? {} : { body: '{}' }) });
			expect([id, res.status, (await res.json()).error.code]).toEqual([id, 401, 'unauthorized']);
			expect(res.headers.get('www-authenticate'), id).toMatch(/^Bearer /);
		}
	});

	it('mounts every operation of the route table, and the OpenAPI document lists each', () => {
		expect([...table.keys()].filter((key) => !mounted.has(key))).toEqual([]);
		const doc = openApiDocument({ version: 'test' }) as { paths: Record<string, Record<string, { operationId: string }>> };
		const documented = Object.values(doc.paths).flatMap((ops) => Object.values(ops).map((op) => op.operationId));
		expect(documented.sort()).toEqual(Object.keys(apiRoutes).sort());
	});
});
