import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Validator } from '@seriousme/openapi-schema-validator';
import { AdminApiError, AdminClient, apiRoutes, OperatorClient, ViewerClient, type ApiRouteId } from '@luwte/sdk/admin';
import { activityModules, offerKinds } from '@luwte/engine/session';
import { localMonth } from '@luwte/engine/attendance';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHost, testOperatorKey, type TestHost } from '../helpers/host.ts';
import { waitFor } from '../helpers/wait.ts';

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

	/** The schema a `$ref` into `components.schemas` names (others as they are). */
	const deref = (schema: any): any => {
		const name = /^#\/components\/schemas\/(.+)$/.exec(schema?.$ref ?? '')?.[1];
		return name ? doc.components.schemas[name] : schema;
	};

	it('names every reused schema once as a component, and every reference resolves', () => {
		const schemas = doc.components.schemas;
		for (const name of ['Session', 'Recording', 'LibraryItem', 'Error', 'Billing', 'BillingLine', 'Tenant', 'ActivityModule', 'Role'])
			expect(schemas, name).toHaveProperty(name);
		const refs = [...JSON.stringify(doc).matchAll(/"\$ref":"([^"]+)"/g)].map((m) => m[1]!);
		expect(refs.length).toBeGreaterThan(100);
		for (const ref of new Set(refs)) expect(Object.hasOwn(schemas, ref.replace('#/components/schemas/', '')), ref).toBe(true);
		// Every component is referred to (no unused input or output form is listed).
		for (const name of Object.keys(schemas)) expect(refs, name).toContain(`#/components/schemas/${name}`);
		// Every body and answer is a named component, the errors too.
		for (const ops of Object.values(doc.paths) as any[])
			for (const op of Object.values(ops) as any[]) {
				const body = op.requestBody?.content['application/json'].schema;
				if (body) expect(body.$ref, op.operationId).toMatch(/^#\/components\/schemas\//);
				for (const answer of Object.values(op.responses) as any[])
					for (const media of Object.values(answer.content ?? {}) as any[])
						if (media.schema) expect(media.schema.$ref, op.operationId).toMatch(/^#\/components\/schemas\//);
			}
		// No anonymous type twice: every object with properties and every enum inline is one of a kind.
		const seen = new Map<string, number>();
		const walk = (v: any, top: boolean): void => {
			if (Array.isArray(v)) {
				for (const x of v) walk(x, false);
				return;
			}
			if (!v || typeof v !== 'object') return;
			if (!top && ((v.type === 'object' && v.properties) || (Array.isArray(v.enum) && v.enum.length > 1))) {
				const key = JSON.stringify(v);
				seen.set(key, (seen.get(key) ?? 0) + 1);
			}
			for (const x of Object.values(v)) walk(x, false);
		};
		for (const s of Object.values(schemas)) walk(s, true);
		walk(doc.paths, false);
		expect([...seen].filter(([, n]) => n > 1).map(([k]) => k)).toEqual([]);
	});

	it('documents the validation rules the host enforces (schemas come from the same source)', () => {
		const body = deref(doc.paths['/v1/sessions'].post.requestBody.content['application/json'].schema);
		expect(body.required).toEqual(['title']);
		const module = deref(body.properties.module);
		expect(module.enum).toEqual(['communicatie', 'eigen-regie', 'fit-en-vitaal', 'vaardig-en-creatief', 'talent-en-ambitie']);
		// The engine keeps its own list (it cannot import the SDK); both must agree.
		expect(module.enum).toEqual([...activityModules]);
		expect(deref(body.properties.kind).enum).toEqual([...offerKinds]);
		expect(body.additionalProperties).toBe(false);
		const token = deref(doc.paths['/v1/sessions/{sessionId}/tokens'].post.requestBody.content['application/json'].schema);
		expect(deref(token.properties.role).enum).toEqual(['host', 'participant', 'location', 'viewer']);
		// A profile ID or an inline definition (the request's form: `base` may be left out).
		const profile = deref(token.properties.stimulusProfile).anyOf.map(deref);
		expect(profile.map((o: { type: string }) => o.type)).toEqual(['string', 'object']);
		expect(profile[1].properties.maxSpatialLayer).toMatchObject({ type: 'integer', minimum: 0, maximum: 2 });
		expect(profile[1].required).toEqual(['id']);
	});

	it('answers every documented operation through the typed client', async () => {
		const a = new AdminClient({ server: t.host.url, apiKey: t.tenants[0]!.apiKey });
		const use = (id: ApiRouteId) => covered.add(id);

		expect((await a.call('health')).workers).toBe(1);
		use('health');
		// Tomorrow (or later), 10:00-11:00 in the Netherlands (UTC+01:00 in winter).
		const day = new Date(Date.now() + 2 * 86_400_000).toISOString().slice(0, 10);
		const s = await a.createSession({
			title: 'Tuinieren',
			module: 'vaardig-en-creatief',
			kind: 'blended',
			schedule: { startsAt: `${day}T10:00:00+01:00`, endsAt: `${day}T11:00:00+01:00` },
		});
		use('createSession');
		expect(s).toMatchObject({ title: 'Tuinieren', module: 'vaardig-en-creatief', kind: 'blended', state: 'scheduled' });
		expect(s.schedule).toEqual({ startsAt: `${day}T09:00:00.000Z`, endsAt: `${day}T10:00:00.000Z` });
		// The join window with the defaults: from 15 minutes before to 30 minutes after.
		expect(s.joinWindow).toEqual({ opensAt: `${day}T08:45:00.000Z`, closesAt: `${day}T10:30:00.000Z` });
		expect((await a.updateSession(s.id, { title: 'Tuinieren in de kas' })).title).toBe('Tuinieren in de kas');
		use('updateSession');
		const cancelled = await a.createSession({ title: 'Uitje', schedule: { startsAt: `${day}T13:00:00Z`, endsAt: `${day}T14:00:00Z` } });
		expect((await a.cancelSession(cancelled.id)).state).toBe('cancelled');
		use('cancelSession');
		expect((await a.listSessions()).sessions.map((x) => x.id)).toContain(s.id);
		use('listSessions');
		expect((await a.getSession(s.id)).id).toBe(s.id);
		use('getSession');
		const tok = await a.createToken(s.id, { role: 'participant', participantId: 'client-3', stimulusProfile: 'calm' });
		use('createToken');
		expect(tok).toMatchObject({ participantId: 'client-3', role: 'participant', stimulusProfile: 'calm' });
		expect((await a.listParticipants(s.id)).participants).toEqual([]);
		use('listParticipants');
		// Recording (nobody publishes here: the recording ends without an item, with the reason).
		const rs = await a.createSession({ title: 'Voorlezen', module: 'communicatie' });
		await a.createToken(rs.id, { role: 'host', participantId: 'begeleider-2' });
		const started = await a.startRecording(rs.id);
		use('startRecording');
		expect(started).toMatchObject({ sessionId: rs.id, state: 'recording', recorded: [] });
		await expect(a.startRecording(rs.id)).rejects.toMatchObject({ status: 409, code: 'conflict' });
		expect(await a.setRecordingConsent(rs.id, 'client-3', true)).toMatchObject({ participantId: 'client-3', consent: true, by: 'api' });
		use('setRecordingConsent');
		await expect(a.setRecordingConsent(rs.id, 'Jan de Vries', true)).rejects.toMatchObject({ status: 400, code: 'invalid_params' });
		expect(await a.getSessionRecording(rs.id)).toMatchObject({
			active: true,
			recording: { recordingId: started.recordingId },
			consent: [{ participantId: 'client-3', consent: true }],
		});
		use('getSessionRecording');
		expect(await a.stopRecording(rs.id)).toMatchObject({ recordingId: started.recordingId, state: 'processing' });
		use('stopRecording');
		const ended = await t.host.recordings.whenProcessed(started.recordingId);
		expect(ended.state).toBe('failed');
		expect(await a.getRecording(started.recordingId)).toMatchObject({
			state: 'failed',
			itemId: null,
			error: expect.stringMatching(/nothing was recorded/),
		});
		use('getRecording');
		expect((await a.listRecordings()).recordings.map((r) => r.recordingId)).toContain(started.recordingId);
		use('listRecordings');

		expect((await a.endSession(s.id)).state).toBe('ended');
		use('endSession');

		// The library (items come from post-processing; here straight from the engine).
		const lib = t.host.library;
		const sourceDir = await mkdtemp(join(tmpdir(), 'luwte-openapi-'));
		await writeFile(join(sourceDir, 'v.mp4'), 'video');
		const item = await lib.addItem({
			tenantId: t.tenants[0]!.id,
			title: 'Dansen',
			module: 'fit-en-vitaal',
			durationSeconds: 60,
			recordedAt: Date.now(),
			sourceDir,
			media: 'v.mp4',
			flash: { windows: [{ startSeconds: 1, endSeconds: 2, maxFlashesPerSecond: 4 }] },
		});
		await rm(sourceDir, { recursive: true, force: true });
		expect((await a.listLibraryModules()).modules).toHaveLength(5);
		use('listLibraryModules');
		expect((await a.listLibraryItems({ status: 'flagged' })).items.map((i) => i.id)).toEqual([item.id]);
		use('listLibraryItems');
		expect((await a.getLibraryItem(item.id)).status).toBe('flagged');
		use('getLibraryItem');
		expect((await a.updateLibraryItem(item.id, { description: 'Op muziek' })).description).toBe('Op muziek');
		use('updateLibraryItem');
		expect((await a.approveLibraryItem(item.id, 'medewerker-1')).status).toBe('published');
		use('approveLibraryItem');
		expect((await a.unpublishLibraryItem(item.id)).status).toBe('unpublished');
		use('unpublishLibraryItem');
		expect((await a.publishLibraryItem(item.id)).status).toBe('published');
		use('publishLibraryItem');
		const vtt = 'WEBVTT\n\n00:00:01.000 --> 00:00:03.000\nGoedemorgen.\n';
		expect(await a.putLibrarySubtitles(item.id, 'nl', { vtt })).toMatchObject({ lang: 'nl', label: 'Nederlands', cues: 1 });
		use('putLibrarySubtitles');
		expect((await a.listLibrarySubtitles(item.id)).subtitles.map((t) => t.lang)).toEqual(['nl']);
		use('listLibrarySubtitles');
		expect(doc.paths['/v1/library/items/{itemId}/subtitles/{lang}'].put.requestBody.content['application/json'].schema.$ref).toBe(
			'#/components/schemas/LibrarySubtitleUpload',
		);
		const libraryToken = await a.createLibraryToken({ participantId: 'client-3' });
		expect(libraryToken.participantId).toBe('client-3');
		use('createLibraryToken');
		expect(doc.paths['/v1/library/items'].get.parameters.map((p: { name: string; in: string }) => `${p.in}:${p.name}`)).toEqual([
			'query:module',
			'query:status',
		]);

		// Attendance: contracts, indications, billing, reports, forgetting a client.
		expect(
			await a.setContracts({
				version: 1,
				contracts: [{ financer: '0363', unit: 'dagdeel', productCode: '07A03', tariffCents: 3500 }],
			}),
		).toEqual({ saved: 1 });
		use('setContracts');
		expect((await a.getContracts()).contracts).toHaveLength(1);
		use('getContracts');
		expect(
			await a.setIndications({
				version: 1,
				indications: [{ clientId: 'client-3', financer: '0363', validFrom: '2026-01-01', validTo: '2026-12-31' }],
			}),
		).toEqual({ saved: 1 });
		use('setIndications');
		expect((await a.getIndications()).indications).toHaveLength(1);
		use('getIndications');
		expect(await a.getBilling({ from: '2026-11', to: '2026-11' })).toEqual({
			from: '2026-11',
			to: '2026-11',
			lines: [],
			exceptions: [],
		});
		use('getBilling');
		expect((await a.getActiveAccounts({ date: '2026-11-23' })).overall).toMatchObject({ clients: 1, active: 0 });
		use('getActiveAccounts');
		expect((await a.getNoShows({ from: '2026-11', to: '2026-11' })).sessions).toEqual(expect.any(Array));
		use('getNoShows');
		expect((await a.getModuleAttendance({ from: '2026-11', to: '2026-11' })).modules).toEqual(expect.any(Array));
		use('getModuleAttendance');
		// Attendance exports: nobody joined that session; the ledger of this month holds its schedule and end.
		expect(await a.getSessionAttendance(s.id)).toEqual({ sessionId: s.id, participants: [] });
		use('getSessionAttendance');
		const month = localMonth(Date.now());
		const exported: { type: string; sessionId?: unknown }[] = [];
		await waitFor(
			async () => {
				exported.length = 0;
				for await (const e of a.attendanceEvents({ from: month, to: month })) exported.push(e);
				return exported.some((e) => e.type === 'session.ended' && e.sessionId === s.id);
			},
			30_000,
			'the ended session in the ledger export',
		);
		expect(exported.some((e) => e.type === 'session.scheduled' && e.sessionId === s.id)).toBe(true);
		use('exportAttendanceEvents');

		// The viewer routes, with the library token (as <luwte-library> calls them).
		const v = new ViewerClient({ server: t.host.url, token: libraryToken.token });
		expect((await v.listModules()).modules.find((m) => m.module === 'fit-en-vitaal')).toMatchObject({ count: 1 });
		use('listViewerModules');
		expect((await v.listItems({ module: 'fit-en-vitaal' })).items.map((i) => i.id)).toEqual([item.id]);
		use('listViewerItems');
		expect(await v.getItem(item.id)).toMatchObject({
			id: item.id,
			flashWarning: true,
			resumeSeconds: null,
			mediaUrl: expect.stringMatching(/^\/v1\/library\/media\//),
		});
		expect((await v.getItem(item.id)).subtitles).toEqual([
			{ lang: 'nl', label: 'Nederlands', url: expect.stringMatching(/^\/v1\/library\/media\/.+\/subtitles\.nl\.vtt\?exp=/) },
		]);
		use('getViewerItem');
		const watched = await v.recordWatch(item.id, { event: 'progress', positionSeconds: 30, eventId: 'openapi-watch-1' });
		expect(watched).toEqual({ stored: true, resumeSeconds: 30 });
		use('recordViewerWatch');
		const stranger = new ViewerClient({ server: t.host.url, token: 'not-a-token' });
		await expect(stranger.listModules()).rejects.toMatchObject({ status: 401, code: 'unauthorized' });
		expect(doc.paths['/v1/library/viewer/items'].get.security).toEqual([{ libraryToken: [] }]);
		expect(await a.deleteLibrarySubtitles(item.id, 'nl')).toEqual({ lang: 'nl', deleted: true });
		use('deleteLibrarySubtitles');
		expect(await a.deleteLibraryItem(item.id)).toEqual({ id: item.id, deleted: true });
		use('deleteLibraryItem');
		expect(await a.forgetClient('client-3')).toMatchObject({ clientId: 'client-3' });
		use('forgetClient');

		// Operator routes (tenants), with the operator key.
		let lastStatus = 0;
		const op = new OperatorClient({
			server: t.host.url,
			operatorKey: testOperatorKey,
			fetch: async (input, init) => {
				const res = await fetch(input, init);
				lastStatus = res.status;
				return res;
			},
		});
		const made = await op.createTenant({ id: 'zorg-c', name: 'Zorggroep C', allowedOrigins: ['https://zorg-c.example'] });
		expect(lastStatus).toBe(201);
		expect(made.tenant).toEqual({
			id: 'zorg-c',
			name: 'Zorggroep C',
			allowedOrigins: ['https://zorg-c.example'],
			stimulusProfiles: [],
			lifecycle: {},
			quotas: {},
			apiKeys: 1,
			keyIds: [made.keyId],
		});
		use('createTenant');
		expect((await op.listTenants()).tenants.map((x) => x.id)).toContain('zorg-c');
		use('listTenants');
		expect((await op.updateTenant('zorg-c', { name: 'Zorggroep C-Oost' })).name).toBe('Zorggroep C-Oost');
		use('updateTenant');
		const rotated = await op.addTenantKey('zorg-c');
		expect(rotated.tenant.apiKeys).toBe(2);
		use('addTenantKey');
		// Both keys of the new tenant work, and see only its own (empty) sessions.
		for (const key of [made.apiKey, rotated.apiKey]) {
			expect((await new AdminClient({ server: t.host.url, apiKey: key }).listSessions()).sessions).toEqual([]);
		}
		// Keys: the tenant rotates and revokes its own; the operator revokes by ID.
		const asC = new AdminClient({ server: t.host.url, apiKey: made.apiKey });
		expect((await asC.listKeys()).keys.map((k) => k.id)).toEqual([made.keyId, rotated.keyId]);
		use('listKeys');
		const own = await asC.rotateKey();
		expect(own.keys.at(-1)!.id).toBe(own.keyId);
		use('rotateKey');
		expect((await asC.revokeKey(rotated.keyId)).keys.map((k) => k.id)).toEqual([made.keyId, own.keyId]);
		use('revokeKey');
		expect((await op.revokeTenantKey('zorg-c', made.keyId)).keyIds).toEqual([own.keyId]);
		use('revokeTenantKey');
		await expect(asC.listKeys()).rejects.toMatchObject({ status: 401 });
		expect((await new AdminClient({ server: t.host.url, apiKey: own.apiKey }).listKeys()).keys).toEqual([{ id: own.keyId }]);
		const tenantKeyAsOperator = new OperatorClient({ server: t.host.url, operatorKey: t.tenants[0]!.apiKey });
		await expect(tenantKeyAsOperator.listTenants()).rejects.toMatchObject({ status: 401 });

		// Webhooks (delivery itself: test/webhooks/delivery.test.ts).
		const hook = await a.createWebhook({ url: 'http://127.0.0.1:9/hook', events: ['session.started'], enabled: false });
		use('createWebhook');
		expect(hook.secret).toMatch(/^whsec_/);
		expect((await a.listWebhooks()).endpoints.map((e) => e.id)).toContain(hook.endpoint.id);
		use('listWebhooks');
		expect((await a.getWebhook(hook.endpoint.id)).events).toEqual(['session.started']);
		use('getWebhook');
		expect((await a.updateWebhook(hook.endpoint.id, { events: ['session.ended'] })).events).toEqual(['session.ended']);
		use('updateWebhook');
		expect((await a.rotateWebhookSecret(hook.endpoint.id)).secret).not.toBe(hook.secret);
		use('rotateWebhookSecret');
		expect((await a.listWebhookDeliveries(hook.endpoint.id)).deliveries).toEqual([]);
		use('listWebhookDeliveries');
		await expect(a.redeliverWebhook(hook.endpoint.id, 'dlv_unknown')).rejects.toMatchObject({ status: 404 });
		use('redeliverWebhook');
		expect((await a.deleteWebhook(hook.endpoint.id)).id).toBe(hook.endpoint.id);
		use('deleteWebhook');

		const err = await a
			.createSession({ title: 'x', schedule: { startsAt: '2026-11-23T11:00:00Z', endsAt: '2026-11-23T10:00:00Z' } })
			.catch((e) => e);
		expect(err).toBeInstanceOf(AdminApiError);
		expect(err).toMatchObject({ status: 400, code: 'invalid_params' });
		expect(err.details.fields[0].field).toBe('schedule.endsAt');
	});

	it('has a test above for every operation in the document', () => {
		const documented = Object.values(doc.paths).flatMap((ops: any) => Object.values(ops).map((op: any) => op.operationId));
		expect(documented.sort()).toEqual(Object.keys(apiRoutes).sort());
		expect([...covered].sort()).toEqual(documented.sort());
	});
});
