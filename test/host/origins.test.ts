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
