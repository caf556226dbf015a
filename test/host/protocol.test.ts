import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHost, type TestHost } from '../helpers/host.ts';
import { handMadeToken } from '../helpers/tokens.ts';
import { openSignal } from '../helpers/ws-client.ts';

// Every bad input gets a typed error on its own connection; nothing else is disturbed.
describe('signalling protocol: bad input', () => {
	let t: TestHost;
	let sessionA: string;
	let sessionB: string;

	beforeAll(async () => {
		t = await startTestHost();
		sessionA = await t.createSession(t.tenants[0]!, { title: 'Muziek luisteren' });
		sessionB = await t.createSession(t.tenants[0]!, { title: 'Bewegen op muziek' });
	});
	afterAll(() => t?.close());

	it('answers a non-JSON message with bad_request and keeps the connection', async () => {
		const s = await openSignal(t.host.url);
		const r = await s.sendRaw('{not json');
		expect(r).toMatchObject({ ok: false, id: null, error: { code: 'bad_request' } });
		const again = await s.request('createTransport', { direction: 'send' });
		expect(again.error.code).toBe('not_joined');
		s.close();
	});

	it('answers an unknown method with unknown_method', async () => {
		const s = await openSignal(t.host.url);
		const r = await s.request('deleteEverything', {});
		expect(r).toMatchObject({ id: 1, ok: false, error: { code: 'unknown_method' } });
		s.close();
	});

	it('answers invalid params with invalid_params naming the field', async () => {
		const s = await openSignal(t.host.url);
		const token = await t.token(t.tenants[0]!, sessionA, 'participant');
		expect((await s.request('join', { token })).ok).toBe(true);
		const r = await s.request('createTransport', { direction: 'sideways' });
		expect(r.ok).toBe(false);
		expect(r.error.code).toBe('invalid_params');
		expect(r.error.details.fields[0].field).toBe('direction');
		const r2 = await s.request('produce', { transportId: 'x', kind: 'video', rtpParameters: { codecs: [] }, source: 'camera' });
		expect(r2.error.code).toBe('invalid_params');
		// The connection still works for good requests.
		const ok = await s.request('createTransport', { direction: 'recv' });
		expect(ok.ok).toBe(true);
		s.close();
	});

	it('refuses a forged token, an expired token and garbage with unauthorized', async () => {
		const s = await openSignal(t.host.url);
		const forged = await handMadeToken({
			tenant: 'zorg-a',
			session: sessionA,
			role: 'host',
			participant: 'p_forged',
			secret: new TextEncoder().encode('not-the-tenant-secret-not-the-tenant-secret'),
		});
		expect((await s.request('join', { token: forged })).error.code).toBe('unauthorized');
		expect((await s.request('join', { token: 'garbage' })).error.code).toBe('unauthorized');

		const tenant = t.host.tenants.get('zorg-a')!;
		const expired = await handMadeToken({
			tenant: 'zorg-a',
			session: sessionA,
			role: 'participant',
			participant: 'p_late',
			secret: Buffer.from(tenant.tokenSecret, 'base64url'),
			exp: Math.floor(Date.now() / 1000) - 3600,
		});
		const r = await s.request('join', { token: expired });
		expect(r.error).toMatchObject({ code: 'unauthorized', message: expect.stringMatching(/expired/) });
		// Still usable: a valid token joins on the same connection.
		const ok = await s.request('join', { token: await t.token(t.tenants[0]!, sessionA, 'participant') });
		expect(ok.ok).toBe(true);
		s.close();
	});

	it('refuses a token used for another session than the one asked for', async () => {
		const s = await openSignal(t.host.url);
		const tokenForB = await t.token(t.tenants[0]!, sessionB, 'participant');
		const r = await s.request('join', { token: tokenForB, sessionId: sessionA });
		expect(r.error.code).toBe('forbidden');
		s.close();
	});

	it("does not let a tenant's token reach another tenant's session", async () => {
		const otherTenantSession = await t.createSession(t.tenants[1]!);
		// Tenant B's API key cannot mint a token for tenant A's session...
		const mint = await t.api(t.tenants[1]!, 'POST', `/v1/sessions/${sessionA}/tokens`, { role: 'host' });
		expect(mint.status).toBe(404);
		// ...and tenant A's key cannot see or end tenant B's session.
		expect((await t.api(t.tenants[0]!, 'GET', `/v1/sessions/${otherTenantSession}`)).status).toBe(404);
		expect((await t.api(t.tenants[0]!, 'POST', `/v1/sessions/${otherTenantSession}/end`)).status).toBe(404);
	});

	it("does not let a tenant's own signed token join another tenant's session", async () => {
		const otherTenantSession = await t.createSession(t.tenants[1]!);
		const tenantA = t.host.tenants.get('zorg-a')!;
		// Validly signed by tenant A, but naming tenant B's session.
		const token = await handMadeToken({
			tenant: 'zorg-a',
			session: otherTenantSession,
			role: 'host',
			participant: 'p_cross',
			secret: Buffer.from(tenantA.tokenSecret, 'base64url'),
		});
		const s = await openSignal(t.host.url);
		expect((await s.request('join', { token })).error.code).toBe('not_found');
		expect((await t.api(t.tenants[1]!, 'GET', `/v1/sessions/${otherTenantSession}`)).json.participants).toEqual([]);
		s.close();
	});

	it('answers an oversized frame with message_too_large and keeps serving', async () => {
		const s = await openSignal(t.host.url);
		const big = JSON.stringify({ id: 5, method: 'join', params: { token: 'x'.repeat(200_000) } });
		const r = await s.sendRaw(big);
		expect(r).toMatchObject({ ok: false, error: { code: 'message_too_large' } });
		expect((await s.request('leave', {})).error.code).toBe('not_joined');
		s.close();
	});

	it('keeps other connections and the host serving after all of the above', async () => {
		const good = await openSignal(t.host.url);
		const bad = await openSignal(t.host.url);
		bad.ws.send(Buffer.alloc(2 * 1024 * 1024)); // beyond the hard cap: ws closes only this socket
		expect(await bad.closed).toBe(1009);
		const r = await good.request('join', { token: await t.token(t.tenants[0]!, sessionA, 'host') });
		expect(r.ok).toBe(true);
		expect(r.result.role).toBe('host');
		const health = await fetch(`${t.host.url}/healthz`);
		expect(health.status).toBe(200);
		expect((await health.json()).workers).toBe(1);
		good.close();
	});

	it('answers a flood with rate_limited and keeps the connection usable afterwards', async () => {
		const s = await openSignal(t.host.url);
		const answers = await Promise.all(Array.from({ length: 150 }, () => s.request('leave', {})));
		const codes = answers.map((a) => a.error.code);
		expect(codes.filter((c) => c === 'not_joined').length).toBeGreaterThanOrEqual(50);
		expect(codes.filter((c) => c === 'rate_limited').length).toBeGreaterThan(0);
		await new Promise((r) => setTimeout(r, 1500)); // the bucket refills
		expect((await s.request('join', { token: await t.token(t.tenants[0]!, sessionA, 'participant') })).ok).toBe(true);
		s.close();
	});

	it('refuses joining twice on one connection with already_joined', async () => {
		const s = await openSignal(t.host.url);
		expect((await s.request('join', { token: await t.token(t.tenants[0]!, sessionA, 'participant') })).ok).toBe(true);
		const r = await s.request('join', { token: await t.token(t.tenants[0]!, sessionA, 'participant') });
		expect(r.error.code).toBe('already_joined');
		s.close();
	});

	it('refuses publishing for a viewer with forbidden', async () => {
		const s = await openSignal(t.host.url);
		expect((await s.request('join', { token: await t.token(t.tenants[0]!, sessionA, 'viewer') })).ok).toBe(true);
		const r = await s.request('createTransport', { direction: 'send' });
		expect(r.error.code).toBe('forbidden');
		s.close();
	});
});

describe('signalling protocol: host-only actions', () => {
	let t: TestHost;
	beforeAll(async () => {
		t = await startTestHost();
	});
	afterAll(() => t?.close());

	it('refuses mute, spotlight and end from anyone but a host, and changes nothing', async () => {
		const session = await t.createSession(t.tenants[0]!);
		const s = await openSignal(t.host.url);
		expect((await s.request('join', { token: await t.token(t.tenants[0]!, session, 'participant', 'client-40') })).ok).toBe(true);
		expect((await s.request('muteParticipant', { participantId: 'client-40', source: 'microphone' })).error.code).toBe('forbidden');
		expect((await s.request('spotlight', { participantId: 'client-40' })).error.code).toBe('forbidden');
		expect((await s.request('endSession', {})).error.code).toBe('forbidden');
		expect((await t.api(t.tenants[0]!, 'GET', `/v1/sessions/${session}`)).json.state).toBe('live');
		s.close();
	});

	it('lets a host spotlight someone present, not someone absent', async () => {
		const session = await t.createSession(t.tenants[0]!);
		const h = await openSignal(t.host.url);
		expect((await h.request('join', { token: await t.token(t.tenants[0]!, session, 'host', 'begeleider-40') })).ok).toBe(true);
		expect((await h.request('spotlight', { participantId: 'afwezig' })).error.code).toBe('not_found');
		expect((await h.request('spotlight', { participantId: null })).ok).toBe(true);
		h.close();
	});
});
