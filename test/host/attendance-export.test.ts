import { AdminClient } from '@luwte/sdk/admin';
import type { AttendanceEvent } from '@luwte/engine/attendance';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHost, type TestHost } from '../helpers/host.ts';
import { parseCsv } from '../helpers/csv.ts';
import { waitFor } from '../helpers/wait.ts';
import { openSignal, type RawSignal } from '../helpers/ws-client.ts';

// A scripted session on a real host: two clients join over signalling (presence is the join, the
// heartbeats and the leave), one drops and comes back; the export lists both, from the ledger.
describe('per-session attendance export', () => {
	let t: TestHost;
	let admin: AdminClient;
	let sessionId: string;
	const signals: RawSignal[] = [];
	const ledger = async () => {
		const out: AttendanceEvent[] = [];
		for await (const e of t.host.attendance.replay({ tenantId: t.tenants[0]!.id })) out.push(e);
		return out;
	};
	const join = async (participantId: string) => {
		const s = await openSignal(t.host.url);
		signals.push(s);
		const joined = await s.request('join', { token: await t.token(t.tenants[0]!, sessionId, 'participant', participantId) });
		expect(joined.ok, JSON.stringify(joined)).toBe(true);
		return s;
	};
	/** The events of one participant of this session of one type. */
	const of = async (type: string, participantId: string) =>
		(await ledger()).filter((e) => e.type === type && e.sessionId === sessionId && e.participantId === participantId);

	beforeAll(async () => {
		t = await startTestHost({ ledgerHeartbeatMs: 200 });
		admin = new AdminClient({ server: t.host.url, apiKey: t.tenants[0]!.apiKey });
		sessionId = (await admin.createSession({ title: 'Zingen', module: 'communicatie' })).id;
		const first = await join('client-a');
		await join('client-b');
		// A second of presence for both: heartbeats from more than 1.2 s after each join.
		for (const p of ['client-a', 'client-b']) {
			await waitFor(
				async () => {
					const [joined] = await of('participant.joined', p);
					return joined !== undefined && (await of('participant.heartbeat', p)).some((h) => h.at - joined.at > 1200);
				},
				60_000,
				`a second of ${p}'s heartbeats in the ledger`,
			);
		}
		// client-a's connection drops; it comes back on a new one (a reconnect: the gap is short).
		first.close();
		await first.closed;
		await waitFor(async () => (await of('participant.left', 'client-a')).length === 1, 60_000, 'client-a left in the ledger');
		await join('client-a');
		await waitFor(async () => (await of('participant.joined', 'client-a')).length === 2, 60_000, 'client-a joined again');
		await waitFor(async () => (await of('participant.heartbeat', 'client-a')).length >= 8, 60_000, 'heartbeats of the new connection');
		await admin.endSession(sessionId);
		await waitFor(
			async () => (await ledger()).some((e) => e.type === 'session.ended' && e.sessionId === sessionId),
			60_000,
			'the end in the ledger',
		);
	});
	afterAll(async () => {
		for (const s of signals) s.close();
		await t?.close();
	});

	it('lists both clients with role, joined, left, attended time and reconnects (JSON)', async () => {
		const a = await admin.getSessionAttendance(sessionId);
		expect(a.sessionId).toBe(sessionId);
		expect(a.participants.map((p) => [p.participantId, p.role, p.reconnects, p.stays])).toEqual([
			['client-a', 'participant', 1, 1],
			['client-b', 'participant', 0, 1],
		]);
		const events = await ledger();
		const ended = events.find((e) => e.type === 'session.ended' && e.sessionId === sessionId)!;
		for (const p of a.participants) {
			const joins = events.filter((e) => e.type === 'participant.joined' && e.participantId === p.participantId);
			expect(p.joinedAt).toBe(new Date(joins[0]!.at).toISOString());
			// Both were there until the end: the end let them go (their leave) and closes every presence.
			const leaves = events.filter((e) => e.type === 'participant.left' && e.participantId === p.participantId);
			expect(p.leftAt).toBe(new Date(Math.min(leaves.at(-1)!.at, ended.at)).toISOString());
			expect(ended.at - Date.parse(p.leftAt)).toBeLessThan(1000);
			expect(p.attendedSeconds).toBeGreaterThanOrEqual(1);
			expect(p.attendedMinutes).toBe(Math.floor(p.attendedSeconds / 60));
		}
		// client-a's gap (from the leave to the new join) is not attended time; client-b has none.
		const [b, aa] = [a.participants[1]!, a.participants[0]!];
		expect(b.attendedSeconds).toBe(Math.floor((Date.parse(b.leftAt) - Date.parse(b.joinedAt)) / 1000));
		const [left] = await of('participant.left', 'client-a');
		const rejoined = (await of('participant.joined', 'client-a'))[1]!;
		const expectedMs = Date.parse(aa.leftAt) - Date.parse(aa.joinedAt) - (rejoined.at - left!.at);
		expect(aa.attendedSeconds).toBe(Math.floor(expectedMs / 1000));
	});

	it('gives the same as CSV, which parses', async () => {
		const json = await admin.getSessionAttendance(sessionId);
		const res = await fetch(`${t.host.url}/v1/sessions/${sessionId}/attendance?format=csv`, {
			headers: { authorization: `Bearer ${t.tenants[0]!.apiKey}` },
		});
		expect(res.status).toBe(200);
		expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
		const [header, ...rows] = parseCsv(await res.text());
		expect(header).toEqual([
			'sessionId',
			'participantId',
			'role',
			'joinedAt',
			'leftAt',
			'attendedMinutes',
			'attendedSeconds',
			'reconnects',
			'stays',
		]);
		expect(rows).toEqual(
			json.participants.map((p) => [
				sessionId,
				p.participantId,
				p.role,
				p.joinedAt,
				p.leftAt,
				String(p.attendedMinutes),
				String(p.attendedSeconds),
				String(p.reconnects),
				String(p.stays),
			]),
		);
	});

	it('never ends a ledger export that failed halfway like a complete one', async () => {
		const store = t.host.attendance;
		const replay = store.replay.bind(store);
		const url = `${t.host.url}/v1/attendance/events?from=2026-01&to=2026-12`;
		const get = () => fetch(url, { headers: { authorization: `Bearer ${t.tenants[0]!.apiKey}` } });
		try {
			// The store fails at once: 503 with the usual error body, no 200.
			store.replay = async function* () {
				yield* [];
				throw new Error('ledger down');
			};
			const refused = await get();
			expect(refused.status).toBe(503);
			expect((await refused.json()).error.code).toBe('unavailable');
			// The store fails after the first event of the second pass: the transfer breaks off.
			store.replay = async function* (filter) {
				if (filter?.from !== undefined) return yield* replay(filter);
				let n = 0;
				for await (const e of replay(filter)) {
					if (n++ === 1) throw new Error('ledger gone halfway');
					yield e;
				}
			};
			const cut = await get();
			expect(cut.status).toBe(200);
			await expect(cut.text()).rejects.toThrow();
		} finally {
			store.replay = replay;
		}
	});

	it('answers 404 for a session of another tenant or none, and an empty list for one nobody joined', async () => {
		const other = new AdminClient({ server: t.host.url, apiKey: t.tenants[1]!.apiKey });
		await expect(other.getSessionAttendance(sessionId)).rejects.toMatchObject({ status: 404 });
		await expect(admin.getSessionAttendance('no-such-session')).rejects.toMatchObject({ status: 404 });
		const empty = await admin.createSession({ title: 'Leeg' });
		expect(await admin.getSessionAttendance(empty.id)).toEqual({ sessionId: empty.id, participants: [] });
	});
});
