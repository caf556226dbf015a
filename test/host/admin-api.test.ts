import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHost, type TestHost } from '../helpers/host.ts';

describe('admin API', () => {
	let t: TestHost;
	beforeAll(async () => {
		t = await startTestHost();
	});
	afterAll(() => t?.close());

	it('serves /healthz without a key, with the worker count', async () => {
		const r = await fetch(`${t.host.url}/healthz`);
		expect(r.status).toBe(200);
		expect(await r.json()).toMatchObject({ status: 'ok', workers: 1 });
	});

	it('refuses every /v1 route without a valid tenant key', async () => {
		for (const [method, path] of [
			['POST', '/v1/sessions'],
			['GET', '/v1/sessions'],
			['POST', '/v1/sessions/x/tokens'],
		] as const) {
			const none = await fetch(`${t.host.url}${path}`, { method });
			expect(none.status).toBe(401);
			expect((await none.json()).error.code).toBe('unauthorized');
			const wrong = await fetch(`${t.host.url}${path}`, { method, headers: { authorization: 'Bearer lwk_wrong' } });
			expect(wrong.status).toBe(401);
		}
	});

	it('creates, lists, reads and ends sessions of the calling tenant only', async () => {
		const [a, b] = t.tenants as [(typeof t.tenants)[0], (typeof t.tenants)[0]];
		const created = await t.api(a, 'POST', '/v1/sessions', { title: 'Wandelen in de buurt', participantsSeeEachOther: false });
		expect(created.status).toBe(201);
		expect(created.json).toMatchObject({
			title: 'Wandelen in de buurt',
			state: 'scheduled',
			participantsSeeEachOther: false,
			participants: [],
		});
		const id = created.json.id as string;
		expect((await t.api(a, 'GET', '/v1/sessions')).json.sessions.map((s: { id: string }) => s.id)).toContain(id);
		expect((await t.api(b, 'GET', '/v1/sessions')).json.sessions.map((s: { id: string }) => s.id)).not.toContain(id);
		expect((await t.api(a, 'GET', `/v1/sessions/${id}`)).json.id).toBe(id);
		const ended = await t.api(a, 'POST', `/v1/sessions/${id}/end`);
		expect(ended.json.state).toBe('ended');
		const late = await t.api(a, 'POST', `/v1/sessions/${id}/tokens`, { role: 'participant' });
		expect(late.status).toBe(410);
		expect(late.json.error.code).toBe('session_ended');
	});

	it('issues join tokens with a pseudonymous participant ID and a role', async () => {
		const a = t.tenants[0]!;
		const id = await t.createSession(a);
		const r = await t.api(a, 'POST', `/v1/sessions/${id}/tokens`, {
			role: 'location',
			participantId: 'locatie-noord',
			ttlSeconds: 600,
		});
		expect(r.status).toBe(201);
		expect(r.json).toMatchObject({ sessionId: id, participantId: 'locatie-noord', role: 'location' });
		const expiresIn = Date.parse(r.json.expiresAt) - Date.now();
		expect(expiresIn).toBeGreaterThan(500_000);
		expect(expiresIn).toBeLessThanOrEqual(600_000);
		const generated = await t.api(a, 'POST', `/v1/sessions/${id}/tokens`, { role: 'participant' });
		expect(generated.json.participantId).toMatch(/^p_[A-Za-z0-9_-]+$/);
	});

	it('rejects bad bodies with the field named, and changes nothing', async () => {
		const a = t.tenants[0]!;
		const before = (await t.api(a, 'GET', '/v1/sessions')).json.sessions.length;
		const bad = await t.api(a, 'POST', '/v1/sessions', { title: '', colour: 'red' });
		expect(bad.status).toBe(400);
		expect(bad.json.error.code).toBe('invalid_params');
		const id = await t.createSession(a);
		const role = await t.api(a, 'POST', `/v1/sessions/${id}/tokens`, { role: 'admin' });
		expect(role.status).toBe(400);
		expect(role.json.error.details.fields[0].field).toBe('role');
		const name = await t.api(a, 'POST', `/v1/sessions/${id}/tokens`, { role: 'participant', participantId: 'Jan de Vries' });
		expect(name.status).toBe(400);
		expect(name.json.error.details.fields[0].field).toBe('participantId');
		const notJson = await fetch(`${t.host.url}/v1/sessions`, {
			method: 'POST',
			headers: { authorization: `Bearer ${a.apiKey}`, 'content-type': 'application/json' },
			body: '{"title":',
		});
		expect(notJson.status).toBe(400);
		const huge = await t.api(a, 'POST', '/v1/sessions', { title: 'x'.repeat(100_000) });
		expect(huge.status).toBe(413);
		expect((await t.api(a, 'GET', '/v1/sessions')).json.sessions.length).toBe(before + 1);
	});
});
