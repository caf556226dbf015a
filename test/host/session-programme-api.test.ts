import type { QuotasInput, SessionInfo } from '@luwte/engine/session';
import { AdminApiError, AdminClient } from '@luwte/sdk/admin';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHost, type TestHost, type TestTenant } from '../helpers/host.ts';
import { openSignal, type RawSignal } from '../helpers/ws-client.ts';

// The session programme through the admin API of a real host (file store under its data
// directory): a tenant's list paged by cursor, its quotas, changes and cancellations.

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const at = (ms: number) => new Date(ms).toISOString();

/** Listing order as the API promises it: the scheduled start, else the creation; then the ID. */
const atOf = (s: SessionInfo) => s.schedule?.startsAt ?? s.createdAt;
const byListingOrder = (a: SessionInfo, b: SessionInfo) => atOf(a) - atOf(b) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** An AdminClient that also notes the size of every answer's body (what a backend downloads per page). */
function measuringClient(t: TestHost, tenant: TestTenant): { admin: AdminClient; bodyBytes: number[] } {
	const bodyBytes: number[] = [];
	const measuring: typeof fetch = async (input, init) => {
		const res = await fetch(input, init);
		const body = await res.arrayBuffer();
		bodyBytes.push(body.byteLength);
		return new Response(body, { status: res.status, statusText: res.statusText, headers: res.headers });
	};
	return { admin: new AdminClient({ server: t.host.url, apiKey: tenant.apiKey, fetch: measuring }), bodyBytes };
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
	const out: T[] = [];
	for await (const item of items) out.push(item);
	return out;
}

const setQuotas = (t: TestHost, tenant: TestTenant, quotas: QuotasInput) => t.host.tenants.update(tenant.id, { quotas });

describe('session programme API: 20,000 sessions', () => {
	let t: TestHost;
	beforeAll(async () => {
		t = await startTestHost();
	});
	afterAll(() => t?.close());

	it('pages through them by cursor: every session once, in order, pages of bounded size; filters work', async () => {
		const tenant = t.tenants[0]!;
		const N = 20_000;
		setQuotas(t, tenant, { sessionsPerDay: N + 100 });
		const modules = ['communicatie', 'eigen-regie', 'fit-en-vitaal', 'vaardig-en-creatief', 'talent-en-ambitie', undefined] as const;
		// Tomorrow on the hour; three sessions start in each minute (ties in time), a quarter is
		// unscheduled (listed by creation: many share a millisecond).
		const base = Math.ceil(Date.now() / HOUR) * HOUR + 24 * HOUR;
		const input = (i: number) => ({
			tenantId: tenant.id,
			title: `Activiteit ${i}`,
			...(modules[i % 6] ? { module: modules[i % 6] } : {}),
			...(i % 4 === 0
				? {}
				: { schedule: { startsAt: at(base + Math.floor(i / 3) * MINUTE), endsAt: at(base + Math.floor(i / 3) * MINUTE + HOUR) } }),
		});
		const t0 = Date.now();
		const created: SessionInfo[] = [];
		for (let i = 0; i < N; i += 500) {
			created.push(
				...(await Promise.all(Array.from({ length: Math.min(500, N - i) }, (_, k) => t.host.engine.createSession(input(i + k))))),
			);
		}
		const createMs = Date.now() - t0;
		// Some were cancelled or ended since (listed from the store, not from memory).
		const cancelled = new Set(created.filter((_, i) => i % 199 === 7).map((s) => s.id));
		const ended = new Set(created.filter((_, i) => i % 211 === 3).map((s) => s.id));
		for (const id of cancelled) await t.host.engine.cancelSession(tenant.id, id);
		for (const id of ended) await t.host.engine.endSession(tenant.id, id);
		const stateOf = (s: SessionInfo) => (cancelled.has(s.id) ? 'cancelled' : ended.has(s.id) ? 'ended' : 'scheduled');
		const expected = [...created].sort(byListingOrder);
		expect(new Set(expected.map((s) => s.id)).size).toBe(N);

		// Page by page, as a backend would.
		const { admin, bodyBytes } = measuringClient(t, tenant);
		const t1 = Date.now();
		const seen: { id: string; state: string; title: string | null }[] = [];
		let cursor: string | undefined;
		let pages = 0;
		do {
			const page = await admin.listSessions({ limit: 500, ...(cursor ? { cursor } : {}) });
			expect(page.sessions.length).toBeLessThanOrEqual(500);
			seen.push(...page.sessions);
			cursor = page.nextCursor ?? undefined;
			pages++;
			expect(pages).toBeLessThanOrEqual(N / 500 + 1);
		} while (cursor);
		const pageMs = Date.now() - t1;
		expect(seen.map((s) => s.id)).toEqual(expected.map((s) => s.id));
		expect(seen.map((s) => s.state)).toEqual(expected.map(stateOf));
		expect(seen[1234]!.title).toBe(expected[1234]!.title);
		// A page of 500 is a few hundred kilobytes, whatever the tenant holds.
		const largest = Math.max(...bodyBytes);
		expect(largest).toBeLessThan(1_000_000);
		console.log(
			`[session-programme-api] ${N} sessions: created in ${createMs} ms, paged in ${pageMs} ms (${pages} pages of ≤500); largest page ${largest} bytes`,
		);

		// Filters through HTTP, paged with allSessions: each match once, in order.
		const idsOf = (list: { id: string }[]) => list.map((s) => s.id);
		expect(idsOf(await collect(admin.allSessions({ state: 'cancelled', limit: 50 })))).toEqual(
			idsOf(expected.filter((s) => cancelled.has(s.id))),
		);
		expect(idsOf(await collect(admin.allSessions({ state: 'ended' })))).toEqual(idsOf(expected.filter((s) => ended.has(s.id))));
		const fit = await collect(admin.allSessions({ module: 'fit-en-vitaal', limit: 500 }));
		expect(idsOf(fit)).toEqual(idsOf(expected.filter((s) => s.module === 'fit-en-vitaal')));
		expect(fit.length).toBeGreaterThan(3000);
		// `from` inclusive, `to` exclusive, with a state: 100 minutes of the programme.
		const from = base + 1000 * MINUTE;
		const to = base + 1100 * MINUTE;
		const window = await collect(admin.allSessions({ from: at(from), to: at(to), state: 'scheduled', limit: 70 }));
		expect(idsOf(window)).toEqual(idsOf(expected.filter((s) => atOf(s) >= from && atOf(s) < to && stateOf(s) === 'scheduled')));
		expect(window.length).toBeGreaterThan(150);
		expect(await collect(admin.allSessions({ from: at(base - 2 * HOUR), to: at(base - HOUR) }))).toEqual([]);

		// A cursor that is not one of ours, and a page too large, are refused with the field named.
		for (const query of [{ cursor: 'garbage' }, { cursor: Buffer.from('[1,2]').toString('base64url') }, { limit: 501 }]) {
			const err = await admin.listSessions(query).catch((e: unknown) => e);
			expect(err, JSON.stringify(query)).toBeInstanceOf(AdminApiError);
			expect(err).toMatchObject({ status: 400, code: 'invalid_params' });
		}
		const raw = await t.api(tenant, 'GET', '/v1/sessions?cursor=garbage');
		expect(raw).toMatchObject({ status: 400, json: { error: { code: 'invalid_params', details: { field: 'cursor' } } } });
		// Another tenant sees none of them.
		expect((await t.api(t.tenants[1]!, 'GET', '/v1/sessions?limit=500')).json.sessions).toEqual([]);
	}, 600_000);
});

describe('session programme API: quotas, changes, cancellation', () => {
	let t: TestHost;
	const signals: RawSignal[] = [];
	beforeAll(async () => {
		t = await startTestHost();
	});
	afterAll(async () => {
		for (const s of signals) s.close();
		await t?.close();
	});

	/** Joins over the signalling WebSocket; resolves with the answer (ok or a typed error). */
	async function join(token: string): Promise<{ ok: boolean; error?: { code: string; message: string; details?: unknown } }> {
		const s = await openSignal(t.host.url);
		signals.push(s);
		return s.request('join', { token });
	}
	const get = async (tenant: TestTenant, id: string) => (await t.api(tenant, 'GET', `/v1/sessions/${id}`)).json;
	const listIds = async (tenant: TestTenant, query = '') =>
		((await t.api(tenant, 'GET', `/v1/sessions?limit=500${query}`)).json.sessions as { id: string }[]).map((s) => s.id);

	it('sessionsPerDay: a create beyond the quota is refused with 429 and its details, and creates nothing', async () => {
		const tenant = t.tenants[0]!;
		const already = await t.host.sessions.countCreatedSince(tenant.id, Date.now() - 24 * HOUR);
		setQuotas(t, tenant, { sessionsPerDay: already + 2 });
		await t.createSession(tenant, { title: 'Eerste' });
		await t.createSession(tenant, { title: 'Tweede' });
		const before = await listIds(tenant);
		const refused = await t.api(tenant, 'POST', '/v1/sessions', { title: 'Eén te veel' });
		expect(refused.status).toBe(429);
		expect(refused.json.error).toMatchObject({ code: 'quota_exceeded', details: { quota: 'sessionsPerDay', limit: already + 2 } });
		expect(await listIds(tenant)).toEqual(before);
		expect(await t.host.sessions.countCreatedSince(tenant.id, Date.now() - 24 * HOUR)).toBe(already + 2);

		// Six at once against three left: three are created, three refused, none more.
		setQuotas(t, tenant, { sessionsPerDay: already + 5 });
		const racing = await Promise.all(
			Array.from({ length: 6 }, (_, i) => t.api(tenant, 'POST', '/v1/sessions', { title: `Tegelijk ${i}` })),
		);
		expect(racing.map((r) => r.status).sort()).toEqual([201, 201, 201, 429, 429, 429]);
		expect((await listIds(tenant)).length).toBe(before.length + 3);
		setQuotas(t, tenant, {});
	});

	it('tokensPerMinute: the next token is refused with 429 and when to retry; other tenants are not held up', async () => {
		const tenant = t.tenants[1]!;
		setQuotas(t, tenant, { tokensPerMinute: 3 });
		const id = await t.createSession(tenant, { title: 'Zingen' });
		const t0 = Date.now();
		for (let i = 0; i < 3; i++) await t.token(tenant, id, 'participant', `client-${i}`);
		const refused = await t.api(tenant, 'POST', `/v1/sessions/${id}/tokens`, { role: 'participant', participantId: 'client-9' });
		expect(refused.status).toBe(429);
		expect(refused.json.error).toMatchObject({
			code: 'quota_exceeded',
			details: { quota: 'tokensPerMinute', limit: 3, retryAfterSeconds: expect.any(Number) },
		});
		// The minute counts from the first token of the three.
		const retry = refused.json.error.details.retryAfterSeconds as number;
		expect(retry).toBeGreaterThanOrEqual(1);
		expect(retry).toBeLessThanOrEqual(Math.ceil((t0 + MINUTE - Date.now()) / 1000) + 1);
		// Another tenant issues tokens as usual.
		const other = t.tenants[0]!;
		await t.token(other, await t.createSession(other, { title: 'Elders' }), 'participant', 'client-1');
		// A raised quota applies at once (read from the tenant).
		setQuotas(t, tenant, { tokensPerMinute: 4 });
		await t.token(tenant, id, 'participant', 'client-9');
		setQuotas(t, tenant, {});
	});

	it('liveSessions: with a limit of 1, joining a second session is refused while the first is live', async () => {
		const tenant = t.tenants[0]!;
		const liveNow = [...t.host.engine.programme.sessions()].filter((s) => s.tenantId === tenant.id && s.state === 'live');
		expect(liveNow).toEqual([]);
		setQuotas(t, tenant, { liveSessions: 1 });
		const first = await t.createSession(tenant, { title: 'Bingo' });
		const second = await t.createSession(tenant, { title: 'Sjoelen' });
		expect(await join(await t.token(tenant, first, 'host', 'begeleider-1'))).toMatchObject({ ok: true });
		expect((await get(tenant, first)).state).toBe('live');
		// More people in the live session are fine: the quota counts sessions.
		expect(await join(await t.token(tenant, first, 'participant', 'client-1'))).toMatchObject({ ok: true });
		const refused = await join(await t.token(tenant, second, 'host', 'begeleider-2'));
		expect(refused).toMatchObject({
			ok: false,
			error: { code: 'quota_exceeded', details: { quota: 'liveSessions', limit: 1 } },
		});
		expect((await get(tenant, second)).state).toBe('scheduled');
		// Once the first has ended, the second can start.
		expect((await t.api(tenant, 'POST', `/v1/sessions/${first}/end`)).json.state).toBe('ended');
		expect(await join(await t.token(tenant, second, 'host', 'begeleider-2'))).toMatchObject({ ok: true });
		expect((await t.api(tenant, 'POST', `/v1/sessions/${second}/end`)).json.state).toBe('ended');

		// Joins of three sessions at the same moment: one starts, two are refused (none of them was
		// live yet when the others asked).
		const three = [await t.createSession(tenant), await t.createSession(tenant), await t.createSession(tenant)];
		const tokens = await Promise.all(three.map((id, i) => t.token(tenant, id, 'host', `begeleider-${5 + i}`)));
		const answers = await Promise.all(tokens.map((token) => join(token)));
		expect(answers.map((a) => (a.ok ? 'ok' : a.error!.code)).sort()).toEqual(['ok', 'quota_exceeded', 'quota_exceeded']);
		const states = await Promise.all(three.map(async (id) => (await get(tenant, id)).state));
		expect(states.sort()).toEqual(['live', 'scheduled', 'scheduled']);
		// A second join of the session that started is not one session more.
		const started = three[answers.findIndex((a) => a.ok)]!;
		expect(await join(await t.token(tenant, started, 'participant', 'client-2'))).toMatchObject({ ok: true });
		expect((await t.api(tenant, 'POST', `/v1/sessions/${started}/end`)).json.state).toBe('ended');
		setQuotas(t, tenant, {});
	});

	it('PATCH retitles and reschedules a scheduled session: listed anew, its join window moves', async () => {
		const tenant = t.tenants[0]!;
		const now = Math.floor(Date.now() / 1000) * 1000;
		const oldStart = now + 3 * HOUR;
		const id = await t.createSession(tenant, {
			title: 'Schilderen',
			module: 'vaardig-en-creatief',
			schedule: { startsAt: at(oldStart), endsAt: at(oldStart + HOUR) },
		});
		const token = await t.token(tenant, id, 'participant', 'client-p1');
		expect(await join(token)).toMatchObject({ ok: false, error: { code: 'not_started' } });

		const newStart = now + 5 * MINUTE;
		const patched = await t.api(tenant, 'PATCH', `/v1/sessions/${id}`, {
			title: 'Aquarelleren',
			schedule: { startsAt: at(newStart), endsAt: at(newStart + HOUR) },
		});
		expect(patched.status).toBe(200);
		expect(patched.json).toMatchObject({
			title: 'Aquarelleren',
			module: 'vaardig-en-creatief',
			state: 'scheduled',
			schedule: { startsAt: at(newStart), endsAt: at(newStart + HOUR) },
			joinWindow: { opensAt: at(newStart - 15 * MINUTE), closesAt: at(newStart + HOUR + 30 * MINUTE) },
		});
		expect(await get(tenant, id)).toEqual(patched.json);
		// Listed at its new time, no longer at its old one.
		const slot = (ms: number) => `&from=${encodeURIComponent(at(ms))}&to=${encodeURIComponent(at(ms + 1))}`;
		expect(await listIds(tenant, slot(newStart))).toEqual([id]);
		expect(await listIds(tenant, slot(oldStart))).toEqual([]);
		const listed = (await t.api(tenant, 'GET', `/v1/sessions?limit=500${slot(newStart)}`)).json.sessions[0];
		expect(listed).toEqual(patched.json);
		// The window is open now: the same token joins.
		expect(await join(token)).toMatchObject({ ok: true });
		expect((await get(tenant, id)).state).toBe('live');
	});

	it('PATCH on a live session may move only its end (409 otherwise); a bad body is 400 and changes nothing', async () => {
		const tenant = t.tenants[0]!;
		const now = Math.floor(Date.now() / 1000) * 1000;
		const start = now - 10 * MINUTE;
		const id = await t.createSession(tenant, { title: 'Yoga', schedule: { startsAt: at(start), endsAt: at(start + HOUR) } });
		const scheduled = await t.createSession(tenant, {
			title: 'Breien',
			schedule: { startsAt: at(now + 2 * HOUR), endsAt: at(now + 3 * HOUR) },
		});
		expect(await join(await t.token(tenant, id, 'host', 'begeleider-3'))).toMatchObject({ ok: true });
		const live = await get(tenant, id);
		expect(live.state).toBe('live');

		for (const body of [
			{ schedule: { startsAt: at(start + MINUTE), endsAt: at(start + HOUR) } },
			{ schedule: { startsAt: at(now + HOUR), endsAt: at(now + 2 * HOUR) } },
			{ schedule: null },
		]) {
			const r = await t.api(tenant, 'PATCH', `/v1/sessions/${id}`, body);
			expect(r, JSON.stringify(body)).toMatchObject({ status: 409, json: { error: { code: 'conflict' } } });
		}
		expect(await get(tenant, id)).toEqual(live);

		const longer = await t.api(tenant, 'PATCH', `/v1/sessions/${id}`, {
			title: 'Yoga (langer)',
			schedule: { startsAt: at(start), endsAt: at(start + 2 * HOUR) },
		});
		expect(longer.status).toBe(200);
		expect(longer.json).toMatchObject({
			state: 'live',
			title: 'Yoga (langer)',
			schedule: { startsAt: at(start), endsAt: at(start + 2 * HOUR) },
			joinWindow: { closesAt: at(start + 2 * HOUR + 30 * MINUTE) },
		});
		expect(longer.json.participants.map((p: { participantId: string }) => p.participantId)).toEqual(['begeleider-3']);

		// Bad bodies, on the live session and on a scheduled one: refused whole.
		const bad: unknown[] = [
			{ title: '' },
			{ title: 'x'.repeat(201) },
			{ colour: 'rood' },
			{ title: 'Goed', colour: 'rood' },
			{ schedule: { startsAt: at(now + HOUR), endsAt: at(now + HOUR - 1) } },
			{ schedule: { startsAt: at(now + HOUR), endsAt: at(now + 14 * HOUR) } },
			{ schedule: { startsAt: 'morgen', endsAt: at(now + 2 * HOUR) } },
			{ lifecycle: { idleEndSeconds: 1 } },
			{ module: 'koken' },
			[],
			'tekst',
		];
		for (const sessionId of [id, scheduled]) {
			const before = await get(tenant, sessionId);
			for (const body of bad) {
				const r = await t.api(tenant, 'PATCH', `/v1/sessions/${sessionId}`, body);
				expect(r, JSON.stringify(body)).toMatchObject({ status: 400, json: { error: { code: 'invalid_params' } } });
			}
			const notJson = await fetch(`${t.host.url}/v1/sessions/${sessionId}`, {
				method: 'PATCH',
				headers: { authorization: `Bearer ${tenant.apiKey}`, 'content-type': 'application/json' },
				body: '{"title": "Half',
			});
			expect(notJson.status).toBe(400);
			expect(await get(tenant, sessionId)).toEqual(before);
		}
		// Another tenant cannot change it.
		expect((await t.api(t.tenants[1]!, 'PATCH', `/v1/sessions/${scheduled}`, { title: 'Overgenomen' })).status).toBe(404);
		expect((await get(tenant, scheduled)).title).toBe('Breien');
	});

	it('cancel: its tokens are refused with session_cancelled, no new ones are issued, it lists as cancelled; a live one is 409', async () => {
		const tenant = t.tenants[0]!;
		const id = await t.createSession(tenant, {
			title: 'Dansen',
			schedule: { startsAt: at(Date.now() + 30 * MINUTE), endsAt: at(Date.now() + 90 * MINUTE) },
		});
		const token = await t.token(tenant, id, 'participant', 'client-c1');
		const cancelled = await t.api(tenant, 'POST', `/v1/sessions/${id}/cancel`);
		expect(cancelled).toMatchObject({ status: 200, json: { id, state: 'cancelled', endReason: 'cancelled' } });
		expect(cancelled.json.endedAt).not.toBeNull();

		expect(await join(token)).toMatchObject({ ok: false, error: { code: 'session_cancelled' } });
		expect(await t.api(tenant, 'POST', `/v1/sessions/${id}/tokens`, { role: 'participant' })).toMatchObject({
			status: 410,
			json: { error: { code: 'session_cancelled' } },
		});
		expect(await listIds(tenant, '&state=cancelled')).toContain(id);
		expect(await listIds(tenant, '&state=scheduled')).not.toContain(id);
		expect(await get(tenant, id)).toMatchObject({ state: 'cancelled', title: 'Dansen' });
		// It stays cancelled: no change, no second cancel, no end.
		for (const [method, path, body] of [
			['PATCH', `/v1/sessions/${id}`, { title: 'Toch dansen' }],
			['POST', `/v1/sessions/${id}/cancel`, undefined],
			['POST', `/v1/sessions/${id}/end`, undefined],
		] as const) {
			const r = await t.api(tenant, method, path, body);
			expect(r, `${method} ${path}`).toMatchObject({ status: 410, json: { error: { code: 'session_cancelled' } } });
		}
		expect(await get(tenant, id)).toMatchObject({ state: 'cancelled', title: 'Dansen' });

		// A live session is ended, not cancelled: 409, and it stays live with its people in it.
		const liveId = await t.createSession(tenant, { title: 'Gym' });
		const joined = await join(await t.token(tenant, liveId, 'host', 'begeleider-4'));
		expect(joined).toMatchObject({ ok: true });
		const refused = await t.api(tenant, 'POST', `/v1/sessions/${liveId}/cancel`);
		expect(refused).toMatchObject({ status: 409, json: { error: { code: 'conflict' } } });
		expect(await get(tenant, liveId)).toMatchObject({ state: 'live', participants: [{ participantId: 'begeleider-4' }] });
		expect(signals.at(-1)!.ws.readyState).toBe(signals.at(-1)!.ws.OPEN);
		// Another tenant cannot cancel it either.
		expect((await t.api(t.tenants[1]!, 'POST', `/v1/sessions/${id}/cancel`)).status).toBe(404);
	});
});
