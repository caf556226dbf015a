import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startTestHost, type TestHost } from '../helpers/host.ts';

// Tenant A allows its own website; tenant B allows another one. A site may only use the
// sessions of a tenant that lists it; the host's own pages always may.
const siteA = 'https://zorg-a.example';
const siteB = 'https://zorg-b.example';

function wsWithOrigin(url: string, origin: string): Promise<{ ws?: WebSocket; status?: number | undefined }> {
	return new Promise((resolve) => {
		const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/v1/signal`, { origin });
		ws.once('open', () => resolve({ ws }));
		ws.once('unexpected-response', (_req, res) => resolve({ status: res.statusCode }));
	});
}

function request(ws: WebSocket, method: string, params: unknown): Promise<any> {
	return new Promise((resolve) => {
		ws.once('message', (d) => resolve(JSON.parse(String(d))));
		ws.send(JSON.stringify({ id: 1, method, params }));
	});
}

describe('allowed embedding origins', () => {
	let t: TestHost;
	let session: string;
	beforeAll(async () => {
		t = await startTestHost({ allowedOrigins: { a: [siteA], b: [siteB] } });
		session = await t.createSession(t.tenants[0]!);
	});
	afterAll(() => t?.close());

	it("lets the tenant's own site join", async () => {
		const { ws } = await wsWithOrigin(t.host.url, siteA);
		const r = await request(ws!, 'join', { token: await t.token(t.tenants[0]!, session, 'participant') });
		expect(r.ok).toBe(true);
		ws!.close();
	});

	it("refuses another tenant's site at join with origin_not_allowed", async () => {
		const { ws } = await wsWithOrigin(t.host.url, siteB);
		const r = await request(ws!, 'join', { token: await t.token(t.tenants[0]!, session, 'participant') });
		expect(r.error.code).toBe('origin_not_allowed');
		ws!.close();
	});

	it('refuses a site no tenant allows with origin_not_allowed', async () => {
		const { ws } = await wsWithOrigin(t.host.url, 'https://onbekend.example');
		const r = await request(ws!, 'join', { token: await t.token(t.tenants[0]!, session, 'participant') });
		expect(r.error.code).toBe('origin_not_allowed');
		ws!.close();
	});

	it('answers CORS preflights only for allowed sites, and checks the tenant on the request', async () => {
		const pre = (origin: string) =>
			fetch(`${t.host.url}/v1/sessions`, {
				method: 'OPTIONS',
				headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization' },
			});
		expect((await pre(siteA)).headers.get('access-control-allow-origin')).toBe(siteA);
		expect((await pre('https://onbekend.example')).headers.get('access-control-allow-origin')).toBeNull();
		const crossed = await fetch(`${t.host.url}/v1/sessions`, {
			headers: { origin: siteB, authorization: `Bearer ${t.tenants[0]!.apiKey}` },
		});
		expect(crossed.status).toBe(403);
		expect((await crossed.json()).error.code).toBe('origin_not_allowed');
		const own = await fetch(`${t.host.url}/v1/sessions`, {
			headers: { origin: siteA, authorization: `Bearer ${t.tenants[0]!.apiKey}` },
		});
		expect(own.status).toBe(200);
	});
});

// `Origin: null` is what a sandboxed iframe, a data: or file: page sends: any website can produce
// it, so it must not pass as "no origin" (a server). Tenant A allows only its site; tenant B
// opted in to opaque origins with the literal "null".
describe('opaque origins (Origin: null)', () => {
	let t: TestHost;
	let session: string;
	beforeAll(async () => {
		t = await startTestHost({ allowedOrigins: { a: [siteA], b: ['null'] } });
		session = await t.createSession(t.tenants[0]!);
	});
	afterAll(() => t?.close());

	it('refuses a join from Origin: null with origin_not_allowed, unless the tenant lists null', async () => {
		const { ws } = await wsWithOrigin(t.host.url, 'null');
		const r = await request(ws!, 'join', { token: await t.token(t.tenants[0]!, session, 'host') });
		expect(r.error.code).toBe('origin_not_allowed');
		ws!.close();
		const sessionB = await t.createSession(t.tenants[1]!);
		const opted = await wsWithOrigin(t.host.url, 'null');
		const ok = await request(opted.ws!, 'join', { token: await t.token(t.tenants[1]!, sessionB, 'participant') });
		expect(ok.ok).toBe(true);
		opted.ws!.close();
	});

	it('refuses the REST API to Origin: null, and a foreign opaque origin too', async () => {
		for (const origin of ['null', 'file://', 'chrome-extension://abc']) {
			const res = await fetch(`${t.host.url}/v1/sessions`, { headers: { origin, authorization: `Bearer ${t.tenants[0]!.apiKey}` } });
			expect([origin, res.status, (await res.json()).error.code]).toEqual([origin, 403, 'origin_not_allowed']);
		}
		const optedIn = await fetch(`${t.host.url}/v1/sessions`, {
			headers: { origin: 'null', authorization: `Bearer ${t.tenants[1]!.apiKey}` },
		});
		expect(optedIn.status).toBe(200);
		// Without an Origin header (a server) the key alone is enough.
		expect((await fetch(`${t.host.url}/v1/sessions`, { headers: { authorization: `Bearer ${t.tenants[0]!.apiKey}` } })).status).toBe(
			200,
		);
	});

	it('refuses the library viewer routes to Origin: null', async () => {
		const { json } = await t.api(t.tenants[0]!, 'POST', '/v1/library/tokens', { participantId: 'client-7' });
		const viewer = (origin?: string) =>
			fetch(`${t.host.url}/v1/library/viewer/modules`, {
				headers: { authorization: `Bearer ${json.token}`, ...(origin ? { origin } : {}) },
			});
		const refused = await viewer('null');
		expect(refused.status).toBe(403);
		expect((await refused.json()).error.code).toBe('origin_not_allowed');
		expect((await viewer(siteA)).status).toBe(200);
		expect((await viewer()).status).toBe(200);
	});
});

describe('CORS for Origin: null when no tenant allows it', () => {
	let t: TestHost;
	beforeAll(async () => {
		t = await startTestHost({ allowedOrigins: { a: ['*'] } });
	});
	afterAll(() => t?.close());

	it('answers no preflight for null even where a tenant allows every website (*)', async () => {
		const pre = await fetch(`${t.host.url}/v1/sessions`, {
			method: 'OPTIONS',
			headers: { origin: 'null', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization' },
		});
		expect(pre.headers.get('access-control-allow-origin')).toBeNull();
		const res = await fetch(`${t.host.url}/v1/sessions`, {
			headers: { origin: 'null', authorization: `Bearer ${t.tenants[0]!.apiKey}` },
		});
		expect(res.status).toBe(403);
		expect((await res.json()).error.code).toBe('origin_not_allowed');
	});
});
