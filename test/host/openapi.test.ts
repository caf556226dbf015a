import { Validator } from '@seriousme/openapi-schema-validator';
import { AdminApiError, AdminClient, adminRoutes, operatorRoutes, type AdminRouteId } from '@luwte/sdk/admin';
import { activityModules, offerKinds } from '@luwte/engine';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHost, testOperatorKey, type TestHost } from '../helpers/host.ts';

describe('OpenAPI document and admin client', () => {
	let t: TestHost;
	let doc: any;
	const covered = new Set<string>();
	beforeAll(async () => {
		t = await startTestHost();
		doc = await (await fetch(`${t.host.url}/v1/openapi.json`)).json();
	});
	afterAll(() => t?.close());

	it('is a valid OpenAPI 3.1 document', async () => {
		const result = await new Validator().validate(doc);
		expect(result.errors ?? []).toEqual([]);
		expect(result.valid).toBe(true);
		expect(doc.openapi).toBe('3.1.0');
		expect(doc.servers[0].url).toBe(t.host.url);
	});

	it('documents the validation rules the host enforces (schemas come from the same source)', () => {
		const body = doc.paths['/v1/sessions'].post.requestBody.content['application/json'].schema;
		expect(body.required).toEqual(['title']);
		expect(body.properties.module.enum).toEqual(['communicatie', 'eigen-regie', 'fit-en-vitaal', 'vaardig-en-creatief', 'talent-en-ambitie']);
		// The engine keeps its own list (it cannot import the SDK); both must agree.
		expect(body.properties.module.enum).toEqual([...activityModules]);
		expect(body.properties.kind.enum).toEqual([...offerKinds]);
		expect(body.additionalProperties).toBe(false);
		const token = doc.paths['/v1/sessions/{sessionId}/tokens'].post.requestBody.content['application/json'].schema;
		expect(token.properties.role.enum).toEqual(['host', 'participant', 'location', 'viewer']);
		// A profile ID or an inline definition.
		const profile = token.properties.stimulusProfile.anyOf;
		expect(profile.map((o: { type: string }) => o.type)).toEqual(['string', 'object']);
		expect(profile[1].properties.maxSpatialLayer).toMatchObject({ type: 'integer', minimum: 0, maximum: 2 });
	});

	it('answers every documented operation through the typed client', async () => {
		const a = new AdminClient({ server: t.host.url, apiKey: t.tenants[0]!.apiKey });
		const use = (id: AdminRouteId) => covered.add(id);

		expect((await a.call('health')).workers).toBe(1);
		use('health');
		const s = await a.createSession({
			title: 'Tuinieren',
			module: 'vaardig-en-creatief',
			kind: 'blended',
			schedule: { startsAt: '2026-11-23T10:00:00+01:00', endsAt: '2026-11-23T11:00:00+01:00' },
		});
		use('createSession');
		expect(s).toMatchObject({ title: 'Tuinieren', module: 'vaardig-en-creatief', kind: 'blended', state: 'scheduled' });
		expect(s.schedule).toEqual({ startsAt: '2026-11-23T09:00:00.000Z', endsAt: '2026-11-23T10:00:00.000Z' });
		expect((await a.listSessions()).sessions.map((x) => x.id)).toContain(s.id);
		use('listSessions');
		expect((await a.getSession(s.id)).id).toBe(s.id);
		use('getSession');
		const tok = await a.createToken(s.id, { role: 'participant', participantId: 'client-3', stimulusProfile: 'calm' });
		use('createToken');
		expect(tok).toMatchObject({ participantId: 'client-3', role: 'participant', stimulusProfile: 'calm' });
		expect((await a.listParticipants(s.id)).participants).toEqual([]);
		use('listParticipants');
		expect((await a.endSession(s.id)).state).toBe('ended');
		use('endSession');

		// Operator routes (tenants), with the operator key.
		const op = (method: string, path: string, body?: unknown) =>
			fetch(`${t.host.url}${path}`, {
				method,
				headers: { authorization: `Bearer ${testOperatorKey}`, 'content-type': 'application/json' },
				...(body ? { body: JSON.stringify(body) } : {}),
			}).then(async (r) => ({ status: r.status, json: await r.json() }));
		const made = await op('POST', '/v1/tenants', { id: 'zorg-c', name: 'Zorggroep C', allowedOrigins: ['https://zorg-c.example'] });
		expect(made.status).toBe(201);
		expect(made.json.tenant).toEqual({ id: 'zorg-c', name: 'Zorggroep C', allowedOrigins: ['https://zorg-c.example'], stimulusProfiles: [], apiKeys: 1 });
		covered.add('createTenant');
		expect((await op('GET', '/v1/tenants')).json.tenants.map((x: { id: string }) => x.id)).toContain('zorg-c');
		covered.add('listTenants');
		expect((await op('POST', '/v1/tenants/zorg-c', { name: 'Zorggroep C-Oost' })).json.name).toBe('Zorggroep C-Oost');
		covered.add('updateTenant');
		const rotated = await op('POST', '/v1/tenants/zorg-c/keys');
		expect(rotated.json.tenant.apiKeys).toBe(2);
		covered.add('addTenantKey');
		// Both keys of the new tenant work, and see only its own (empty) sessions.
		for (const key of [made.json.apiKey, rotated.json.apiKey]) {
			expect((await new AdminClient({ server: t.host.url, apiKey: key }).listSessions()).sessions).toEqual([]);
		}

		const err = await a.createSession({ title: 'x', schedule: { startsAt: '2026-11-23T11:00:00Z', endsAt: '2026-11-23T10:00:00Z' } }).catch((e) => e);
		expect(err).toBeInstanceOf(AdminApiError);
		expect(err).toMatchObject({ status: 400, code: 'invalid_params' });
		expect(err.details.fields[0].field).toBe('schedule.endsAt');
	});

	it('has a test above for every operation in the document', () => {
		const documented = Object.values(doc.paths).flatMap((ops: any) => Object.values(ops).map((op: any) => op.operationId));
		expect(documented.sort()).toEqual([...Object.keys(adminRoutes), ...Object.keys(operatorRoutes)].sort());
		expect([...covered].sort()).toEqual(documented.sort());
	});
});
