import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHost, type TestHost } from '../helpers/host.ts';
import { waitFor } from '../helpers/wait.ts';
import { openSignal, type RawSignal } from '../helpers/ws-client.ts';

// Sessions end by themselves (docs/sessions.md): an empty one after its idle period, an
// overdue one at its end plus grace (those still in it told a little before), one nobody
// joined when its window closes. Short periods through the session's own lifecycle settings.

const at = (ms: number) => new Date(ms).toISOString();

/** A signalling connection that also keeps the notifications it receives. */
async function joinWithNotes(url: string, token: string): Promise<{ s: RawSignal; notes: { notification: string; data: any }[] }> {
	const s = await openSignal(url);
	const notes: { notification: string; data: any }[] = [];
	s.ws.on('message', (d) => {
		const m = JSON.parse(String(d));
		if ('notification' in m) notes.push(m);
	});
	const joined = await s.request('join', { token });
	expect(joined.ok, JSON.stringify(joined)).toBe(true);
	return { s, notes };
}

describe('session lifecycle', () => {
	let t: TestHost;
	beforeAll(async () => {
		t = await startTestHost();
	});
	afterAll(() => t?.close());

	const session = async (id: string) => (await t.api(t.tenants[0]!, 'GET', `/v1/sessions/${id}`)).json;

	it('ends an empty live session after its idle period, not before', async () => {
		const tenant = t.tenants[0]!;
		const id = await t.createSession(tenant, { title: 'Koffie-uurtje', lifecycle: { idleEndSeconds: 5 } });
		expect((await session(id)).lifecycle).toMatchObject({ idleEndSeconds: 5, joinLeadSeconds: 900 });
		const hostToken = await t.token(tenant, id, 'host', 'begeleider-1');
		const { s } = await joinWithNotes(t.host.url, hostToken);
		expect((await session(id)).state).toBe('live');
		s.close();
		await s.closed;
		const leftAt = Date.now();
		await waitFor(async () => (await session(id)).state === 'ended', 60_000, 'the empty session to end');
		const ended = await session(id);
		expect(ended.endReason).toBe('idle');
		expect(Date.parse(ended.endedAt) - leftAt).toBeGreaterThanOrEqual(4_000);
		// Its tokens are done with it.
		const again = await openSignal(t.host.url);
		expect(await again.request('join', { token: hostToken })).toMatchObject({ ok: false, error: { code: 'session_ended' } });
		again.close();
	});

	it('tells those in an overdue session that it ends, then ends it', async () => {
		const tenant = t.tenants[0]!;
		const now = Date.now();
		const id = await t.createSession(tenant, {
			title: 'Bewegen',
			schedule: { startsAt: at(now - 60_000), endsAt: at(now + 2_000) },
			lifecycle: { endGraceSeconds: 4, overdueNoticeSeconds: 4 },
		});
		const closesAt = now + 6_000;
		expect((await session(id)).joinWindow.closesAt).toBe(at(closesAt));
		const { s, notes } = await joinWithNotes(t.host.url, await t.token(tenant, id, 'participant', 'client-3'));
		await waitFor(async () => notes.some((n) => n.notification === 'sessionEnded'), 60_000, 'the overdue session to end');
		const names = notes.map((n) => n.notification).filter((n) => n === 'sessionEnding' || n === 'sessionEnded');
		expect(names).toEqual(['sessionEnding', 'sessionEnded']);
		expect(notes.find((n) => n.notification === 'sessionEnding')!.data).toEqual({ endsAt: at(closesAt), reason: 'overdue' });
		expect(notes.find((n) => n.notification === 'sessionEnded')!.data).toEqual({ reason: 'overdue' });
		expect(await session(id)).toMatchObject({ state: 'ended', endReason: 'overdue' });
		expect(Date.parse((await session(id)).endedAt)).toBeGreaterThanOrEqual(closesAt);
		s.close();
	});

	it('ends a scheduled session nobody joined when its window closes; a late token is refused', async () => {
		const tenant = t.tenants[0]!;
		const now = Date.now();
		const id = await t.createSession(tenant, {
			title: 'Voorlezen',
			schedule: { startsAt: at(now + 1_000), endsAt: at(now + 2_000) },
			lifecycle: { joinLeadSeconds: 0, endGraceSeconds: 1 },
		});
		const token = await t.token(tenant, id, 'participant', 'client-4');
		await waitFor(async () => (await session(id)).state === 'ended', 60_000, 'the missed session to end');
		expect((await session(id)).endReason).toBe('overdue');
		// The token expired with the window (tokens never outlive their session).
		const late = await openSignal(t.host.url);
		expect(await late.request('join', { token })).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
		late.close();
		const tokenAfter = await t.api(tenant, 'POST', `/v1/sessions/${id}/tokens`, { role: 'participant' });
		expect(tokenAfter).toMatchObject({ status: 410, json: { error: { code: 'session_ended' } } });
	});

	it('refuses a join before the window with not_started and the start time', async () => {
		const tenant = t.tenants[0]!;
		const startsAt = Date.now() + 3_600_000;
		const id = await t.createSession(tenant, {
			title: 'Muziekquiz',
			schedule: { startsAt: at(startsAt), endsAt: at(startsAt + 3_600_000) },
		});
		const s = await openSignal(t.host.url);
		expect(await s.request('join', { token: await t.token(tenant, id, 'participant', 'client-5') })).toMatchObject({
			ok: false,
			error: { code: 'not_started', details: { startsAt: at(startsAt), opensAt: at(startsAt - 15 * 60_000) } },
		});
		s.close();
		// Not joined, so still scheduled (nothing entered billing).
		expect((await session(id)).state).toBe('scheduled');
	});

	it('counts no no-shows for a cancelled session, and a rescheduled one at its new time', async () => {
		const tenant = t.tenants[1]!;
		const month = (ms: number) => new Date(ms).toISOString().slice(0, 7);
		const in40Days = Date.now() + 40 * 86_400_000;
		const cancelled = await t.createSession(tenant, {
			title: 'Uitje',
			schedule: { startsAt: at(in40Days), endsAt: at(in40Days + 3_600_000) },
		});
		const moved = await t.createSession(tenant, {
			title: 'Tuinieren',
			schedule: { startsAt: at(in40Days), endsAt: at(in40Days + 3_600_000) },
		});
		await t.token(tenant, cancelled, 'participant', 'client-21');
		await t.token(tenant, moved, 'participant', 'client-22');
		expect((await t.api(tenant, 'POST', `/v1/sessions/${cancelled}/cancel`)).json.state).toBe('cancelled');
		// A cancelled session's tokens are refused, and no new ones are issued.
		expect(await t.api(tenant, 'POST', `/v1/sessions/${cancelled}/tokens`, { role: 'participant' })).toMatchObject({
			status: 410,
			json: { error: { code: 'session_cancelled' } },
		});
		const later = in40Days + 35 * 86_400_000;
		const patched = await t.api(tenant, 'PATCH', `/v1/sessions/${moved}`, {
			schedule: { startsAt: at(later), endsAt: at(later + 3_600_000) },
		});
		expect(patched.json.schedule.startsAt).toBe(at(later));
		const report = async (m: string) =>
			(await t.api(tenant, 'GET', `/v1/reports/no-shows?from=${m}&to=${m}`)).json.sessions as {
				sessionId: string;
				noShows: string[];
			}[];
		await waitFor(
			async () => (await report(month(later))).some((r) => r.sessionId === moved),
			60_000,
			'the rescheduled session in the ledger',
		);
		expect((await report(month(later))).find((r) => r.sessionId === moved)!.noShows).toEqual(['client-22']);
		const before = await report(month(in40Days));
		expect(before.map((r) => r.sessionId)).not.toContain(cancelled);
		expect(before.map((r) => r.sessionId)).not.toContain(moved);
	});
});
