import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startHost, type Host } from '@luwte/host-web';
import { apiRoutes } from '@luwte/sdk/admin';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHost, type TestHost } from '../helpers/host.ts';
import { freePortRange } from '../helpers/ports.ts';

const API_CSP = "default-src 'none'; frame-ancestors 'none'";

/** What every answer must carry, whatever the route and status. */
function expectBaseHeaders(what: string, res: Response): void {
	expect(res.headers.get('x-content-type-options'), what).toBe('nosniff');
	expect(res.headers.get('referrer-policy'), what).toBe('no-referrer');
	expect(res.headers.get('x-frame-options'), what).toBe('DENY');
	expect(res.headers.get('content-security-policy') ?? '', what).toContain("frame-ancestors 'none'");
}

/** A page's policy: its own inline code by hash, nothing inline otherwise, nothing from elsewhere. */
function expectPageCsp(what: string, res: Response): void {
	const csp = res.headers.get('content-security-policy') ?? '';
	expect(csp, what).toMatch(/^default-src 'none'; /);
	expect(csp, what).not.toContain('unsafe-inline');
	expect(csp, what).not.toContain('*');
	expect(csp, what).toMatch(/style-src 'sha256-/);
}

describe('security headers on every route', () => {
	let t: TestHost;
	beforeAll(async () => {
		t = await startTestHost({ allowedOrigins: { a: ['https://zorg-a.example'] } });
	});
	afterAll(() => t?.close());

	it('answers every operation of the route table with them (refusals, not-found and successes alike)', async () => {
		for (const [id, route] of Object.entries(apiRoutes)) {
			const path = route.path.replace(/\{\w+\}/g, 'x');
			const res = await fetch(`${t.host.url}${path}`, { method: route.method.toUpperCase() });
			expectBaseHeaders(id, res);
			expect(res.headers.get('content-security-policy'), id).toBe(API_CSP);
			await res.arrayBuffer();
		}
		// With a credential too: the handler's own answer.
		const ok = await fetch(`${t.host.url}/v1/sessions`, { headers: { authorization: `Bearer ${t.tenants[0]!.apiKey}` } });
		expect(ok.status).toBe(200);
		expectBaseHeaders('listSessions', ok);
		expect(ok.headers.get('content-security-policy')).toBe(API_CSP);
	});

	it('answers the routes outside the route table with them', async () => {
		const nonApi: [string, RequestInit?][] = [
			['/v1/openapi.json'],
			['/v1/library/media/zorg-a/item/media?exp=1&sig=x'],
			['/no-such-route'],
			['/v1/sessions', { method: 'OPTIONS', headers: { origin: 'https://zorg-a.example', 'access-control-request-method': 'GET' } }],
		];
		for (const [path, init] of nonApi) {
			const res = await fetch(`${t.host.url}${path}`, init);
			expectBaseHeaders(path, res);
			expect(res.headers.get('content-security-policy'), path).toBe(API_CSP);
			await res.arrayBuffer();
		}
		for (const path of ['/', '/embed/', '/dashboard']) {
			const res = await fetch(`${t.host.url}${path}`);
			expect(res.status, path).toBe(200);
			expectBaseHeaders(path, res);
			expectPageCsp(path, res);
			await res.arrayBuffer();
		}
	});

	it('keeps the embed scripts loadable by any website', async () => {
		for (const path of ['/embed/luwte.js', '/embed/luwte-client.js']) {
			const res = await fetch(`${t.host.url}${path}`, { headers: { origin: 'https://zorg-a.example' } });
			expect(res.status, path).toBe(200);
			expect(res.headers.get('access-control-allow-origin'), path).toBe('*');
			expect(res.headers.get('cross-origin-resource-policy'), path).toBe('cross-origin');
			expect(res.headers.get('x-content-type-options'), path).toBe('nosniff');
			expect(res.headers.get('content-type'), path).toContain('javascript');
			await res.arrayBuffer();
		}
	});

	it('takes JSON bodies only when they say so: 415 unsupported_media_type otherwise', async () => {
		const post = (headers: Record<string, string>, body?: string) =>
			fetch(`${t.host.url}/v1/sessions`, {
				method: 'POST',
				headers: { authorization: `Bearer ${t.tenants[0]!.apiKey}`, ...headers },
				...(body !== undefined ? { body } : {}),
			});
		const body = JSON.stringify({ title: 'Samen zingen' });
		for (const type of [undefined, 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) {
			const res = await post(type ? { 'content-type': type } : {}, body);
			expect([type, res.status, (await res.json()).error.code]).toEqual([type, 415, 'unsupported_media_type']);
		}
		expect((await t.host.engine.listSessions('zorg-a')).sessions).toEqual([]);
		expect((await post({ 'content-type': 'application/json; charset=utf-8' }, body)).status).toBe(201);
		// A route whose body is optional takes an empty one without a type.
		const id = await t.createSession(t.tenants[0]!);
		expect(
			(
				await fetch(`${t.host.url}/v1/sessions/${id}/end`, {
					method: 'POST',
					headers: { authorization: `Bearer ${t.tenants[0]!.apiKey}` },
				})
			).status,
		).toBe(200);
	});

	it('refuses report dates that do not exist', async () => {
		const get = (date: string) => t.api(t.tenants[0]!, 'GET', `/v1/reports/active-accounts?date=${date}`);
		for (const bad of ['2024-02-30', '2023-02-29', '2024-04-31', '2024-13-01']) {
			const r = await get(bad);
			expect([bad, r.status, r.json.error.code]).toEqual([bad, 400, 'invalid_params']);
			expect(r.json.error.details.fields[0].field).toBe('date');
		}
		expect((await get('2024-02-29')).status).toBe(200);
	});
});

describe('security headers on the demo pages of a development host', () => {
	let host: Host;
	let dataDir: string;
	beforeAll(async () => {
		dataDir = await mkdtemp(join(tmpdir(), 'luwte-headers-'));
		host = await startHost({
			port: 0,
			hostname: '127.0.0.1',
			dataDir,
			logLevel: 'silent',
			engine: { workerCount: 1, webRtc: { listenIp: '127.0.0.1', portRange: await freePortRange(3), enableTcp: false } },
		});
	});
	afterAll(async () => {
		await host?.close();
		await rm(dataDir, { recursive: true, force: true });
	});

	it('sends a page policy on / and /demo/join (no framing), the API policy on /demo/sessions', async () => {
		for (const path of ['/', '/demo/join']) {
			const res = await fetch(`${host.url}${path}`);
			expect(res.status, path).toBe(200);
			expectBaseHeaders(path, res);
			expectPageCsp(path, res);
			await res.arrayBuffer();
		}
		// The join page imports the host's own element script, nothing else.
		expect((await fetch(`${host.url}/demo/join`)).headers.get('content-security-policy')).toMatch(/script-src 'self' 'sha256-/);
		const made = await fetch(`${host.url}/demo/sessions`, {
			method: 'POST',
			headers: { origin: host.url, 'content-type': 'application/json' },
			body: JSON.stringify({ title: 'Quiz' }),
		});
		expect(made.status).toBe(200);
		expectBaseHeaders('/demo/sessions', made);
		expect(made.headers.get('content-security-policy')).toBe(API_CSP);
	});
});
