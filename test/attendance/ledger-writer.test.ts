import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AttendanceLog, noShowsPerSession, parseLedgerEvent, type AttendanceEvent } from '@luwte/engine/attendance';
import { SessionClient } from '@luwte/sdk';
import { afterAll, describe, expect, it } from 'vitest';
import { startTestHost } from '../helpers/host.ts';
import { waitFor } from '../helpers/wait.ts';
import { webrtc } from '../helpers/wrtc-media.ts';

// A running host writes its attendance ledger: real mediasoup, real libwebrtc clients joining,
// staying (heartbeats), reconnecting with the same pseudonym, leaving; then the file on disk.
describe('the host writes the attendance ledger', () => {
	const dataDir = mkdtempSync(join(tmpdir(), 'luwte-ledger-host-'));
	afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

	it('records schedule, start, joins, heartbeats, a reconnect, leaves and the end, with pseudonyms only', async () => {
		const t = await startTestHost({ dataDir, ledgerHeartbeatMs: 200 });
		const tenant = t.tenants[0]!;
		const ledger = async () => {
			const out: AttendanceEvent[] = [];
			for await (const e of t.host.attendance.replay({ tenantId: tenant.id })) out.push(e);
			return out;
		};
		// Scheduled around now: the join window is open.
		const startsAt = new Date(Math.floor(Date.now() / 60_000) * 60_000 - 5 * 60_000).toISOString();
		const endsAt = new Date(Date.parse(startsAt) + 90 * 60_000).toISOString();
		let sessionId: string;
		const host = new SessionClient({ server: t.host.url, webrtc });
		const first = new SessionClient({ server: t.host.url, webrtc });
		const second = new SessionClient({ server: t.host.url, webrtc });
		try {
			sessionId = await t.createSession(tenant, {
				title: 'Geheugentraining met Marieke Jansen',
				module: 'communicatie',
				schedule: { startsAt, endsAt },
			});
			await host.connect(await t.token(tenant, sessionId, 'host', 'begeleider-1'));
			await first.connect(await t.token(tenant, sessionId, 'participant', 'client-7'));
			// Invited, never comes: a no-show.
			await t.token(tenant, sessionId, 'participant', 'client-8');
			const joined1 = () => ledger().then((l) => l.find((e) => e.type === 'participant.joined' && e.participantId === 'client-7'));
			await waitForAsync(async () => (await joined1()) !== undefined, 'client-7 joined in the ledger');
			const c1 = (await joined1())!.connectionId as string;
			// While connected, heartbeats keep coming for this connection.
			const beats = async (conn: string) =>
				(await ledger()).filter((e) => e.type === 'participant.heartbeat' && e.connectionId === conn);
			await waitForAsync(async () => (await beats(c1)).length >= 3, 'three heartbeats of client-7');

			// The same client reconnects (another device or a reload): the old connection is replaced.
			await second.connect(await t.token(tenant, sessionId, 'participant', 'client-7'));
			const joined2 = () =>
				ledger().then((l) =>
					l.find((e) => e.type === 'participant.joined' && e.participantId === 'client-7' && e.connectionId !== c1),
				);
			await waitForAsync(async () => (await joined2()) !== undefined, 'client-7 joined again');
			const c2 = (await joined2())!.connectionId as string;
			await waitForAsync(async () => (await beats(c2)).length >= 2, 'heartbeats of the new connection');
			await second.leave();
			await waitForAsync(
				async () => (await ledger()).some((e) => e.type === 'participant.left' && e.connectionId === c2),
				'client-7 left',
			);
			expect((await t.api(tenant, 'POST', `/v1/sessions/${sessionId}/end`)).status).toBe(200);
		} finally {
			await host.leave().catch(() => undefined);
			await first.leave().catch(() => undefined);
			await second.leave().catch(() => undefined);
			await t.close();
		}

		// After the host stopped: read what is on disk.
		const log = await AttendanceLog.open(dataDir);
		const events: AttendanceEvent[] = [];
		for await (const e of log.replay({ tenantId: tenant.id })) events.push(e);
		await log.close();
		const of = (type: string, pid?: string) => events.filter((e) => e.type === type && (pid === undefined || e.participantId === pid));

		expect(of('session.scheduled')).toEqual([
			expect.objectContaining({
				sessionId,
				module: 'communicatie',
				startsAt: Date.parse(startsAt),
				endsAt: Date.parse(endsAt),
				invited: [],
			}),
		]);
		expect(of('session.started')).toEqual([expect.objectContaining({ sessionId, module: 'communicatie' })]);
		// Every token for a client is an invitation, once per client (client-7 got two tokens).
		expect(
			of('participant.invited')
				.map((e) => [e.participantId, e.role])
				.sort(),
		).toEqual([
			['begeleider-1', 'host'],
			['client-7', 'participant'],
			['client-8', 'participant'],
		]);
		const parsed = events.map((e) => parseLedgerEvent(e)).flatMap((r) => (r.ok && r.event ? [r.event] : []));
		const month = new Date(Date.parse(startsAt)).toISOString().slice(0, 7);
		expect(noShowsPerSession(parsed, month, month)).toEqual([
			expect.objectContaining({ sessionId, invited: 2, noShows: ['client-8'] }),
		]);
		expect(of('session.ended')).toEqual([expect.objectContaining({ sessionId, reason: 'ended' })]);

		const joins = of('participant.joined', 'client-7');
		expect(joins.map((e) => [e.role, e.module])).toEqual([
			['participant', 'communicatie'],
			['participant', 'communicatie'],
		]);
		const [c1, c2] = joins.map((e) => e.connectionId as string);
		expect(c1).not.toBe(c2);
		const leaves = of('participant.left', 'client-7');
		expect(leaves.map((e) => [e.connectionId, e.reason])).toEqual([
			[c1, 'replaced'],
			[c2, 'left'],
		]);
		expect(of('participant.left', 'begeleider-1').map((e) => e.reason)).toEqual(['session-ended']);

		// Heartbeats of a connection lie between its join and its leave, in the ledger's order.
		for (const [conn, min] of [
			[c1, 3],
			[c2, 2],
		] as const) {
			const idx = (pred: (e: AttendanceEvent) => boolean) => events.findIndex(pred);
			const joinedAt = idx((e) => e.type === 'participant.joined' && e.connectionId === conn);
			const leftAt = idx((e) => e.type === 'participant.left' && e.connectionId === conn);
			const beatIdx = events.flatMap((e, i) => (e.type === 'participant.heartbeat' && e.connectionId === conn ? [i] : []));
			expect(beatIdx.length).toBeGreaterThanOrEqual(min);
			expect(beatIdx.every((i) => i > joinedAt && i < leftAt)).toBe(true);
		}
		// The host (begeleider) gets heartbeats too: it is present as well.
		expect(of('participant.heartbeat', 'begeleider-1').length).toBeGreaterThanOrEqual(3);

		// Only pseudonyms: the title (which names a person) is not in the ledger; every
		// participant is one of the IDs the tokens carried.
		const raw = readFileSync(join(dataDir, 'attendance', 'events.jsonl'), 'utf8');
		expect(raw).not.toContain('Marieke');
		expect(new Set(events.filter((e) => 'participantId' in e).map((e) => e.participantId))).toEqual(
			new Set(['begeleider-1', 'client-7', 'client-8']),
		);
		expect(events.every((e) => e.tenantId === tenant.id)).toBe(true);
	});
});

const waitForAsync = (pred: () => Promise<boolean>, what: string) => waitFor(pred, 60_000, what);
