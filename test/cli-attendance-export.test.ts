import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
	bill,
	billingToJson,
	contractsFileSchema,
	indicationsFileSchema,
	localMonth,
	parseLedgerEvent,
	type AttendanceEvent,
	type LedgerEvent,
} from '@luwte/engine/attendance';
import { AdminClient } from '@luwte/sdk/admin';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCsv } from './helpers/csv.ts';
import { startTestHost, type TestHost } from './helpers/host.ts';
import { waitFor } from './helpers/wait.ts';
import { openSignal, type RawSignal } from './helpers/ws-client.ts';

const bin = join(import.meta.dirname, '..', 'apps', 'host-cli', 'bin', 'luwte.mjs');
const examples = join(import.meta.dirname, '..', 'examples', 'billing');
const read = (f: string) => readFileSync(join(examples, f), 'utf8');

/** Amsterdam local time in March/April 2024 (UTC+1, UTC+2 from 31 March 03:00). */
const at = (local: string, offset = '+01:00') => Date.parse(`${local}${offset}`);

// Events around the edges of March 2024, besides the examples (whose sessions are planned in
// February): a session that runs past midnight into April, and events outside the month that
// belong to no March session (they stay out of the export).
const edges = [
	{
		id: 'edge-1',
		at: at('2024-03-20T09:00:00'),
		tenantId: 'zorg-a',
		type: 'session.scheduled',
		sessionId: 's-late',
		module: 'communicatie',
		startsAt: at('2024-03-31T23:00:00', '+02:00'),
		endsAt: at('2024-04-01T00:30:00', '+02:00'),
		invited: ['client-cor'],
	},
	{
		id: 'edge-2',
		at: at('2024-03-31T23:00:00', '+02:00'),
		tenantId: 'zorg-a',
		type: 'participant.joined',
		sessionId: 's-late',
		participantId: 'client-cor',
		role: 'participant',
		connectionId: 'k-late',
		module: 'communicatie',
	},
	// The leave is in April: without it the offline presence would end at the join.
	{
		id: 'edge-3',
		at: at('2024-04-01T00:30:00', '+02:00'),
		tenantId: 'zorg-a',
		type: 'participant.left',
		sessionId: 's-late',
		participantId: 'client-cor',
		connectionId: 'k-late',
		reason: 'left',
	},
	{
		id: 'edge-4',
		at: at('2024-04-01T00:30:00', '+02:00'),
		tenantId: 'zorg-a',
		type: 'session.ended',
		sessionId: 's-late',
		reason: 'ended',
	},
	{
		id: 'edge-5',
		at: at('2024-04-03T10:00:00', '+02:00'),
		tenantId: 'zorg-a',
		type: 'library.watch',
		itemId: 'item-april',
		participantId: 'client-anna',
		event: 'started',
		positionSeconds: 0,
		durationSeconds: 600,
		module: 'fit-en-vitaal',
	},
];

describe('luwte attendance export against a running host', () => {
	let t: TestHost;
	let env: NodeJS.ProcessEnv;
	let admin: AdminClient;
	const dir = mkdtempSync(join(tmpdir(), 'luwte-export-'));
	const signals: RawSignal[] = [];
	beforeAll(async () => {
		t = await startTestHost({ ledgerHeartbeatMs: 200 });
		env = { PATH: process.env.PATH, LUWTE_SERVER: t.host.url, LUWTE_API_KEY: t.tenants[0]!.apiKey };
		admin = new AdminClient({ server: t.host.url, apiKey: t.tenants[0]!.apiKey });
		writeFileSync(join(dir, 'contracts.json'), read('contracts.json'));
		writeFileSync(join(dir, 'indications.json'), read('indications.json'));
		await admin.setContracts(JSON.parse(read('contracts.json')));
		await admin.setIndications(JSON.parse(read('indications.json')));
		const examplesEvents = read('events.jsonl')
			.trim()
			.split('\n')
			.map((l) => JSON.parse(l));
		await t.host.attendance.append([...examplesEvents, ...edges]);
		// Another tenant's events never go into this tenant's export.
		await t.host.attendance.append([{ ...edges[4]!, id: 'other-1', tenantId: 'zorg-b', at: at('2024-03-10T10:00:00') }]);
	});
	afterAll(async () => {
		for (const s of signals) s.close();
		await t?.close();
		rmSync(dir, { recursive: true, force: true });
	});

	function luwte(args: string[], out?: string): Promise<{ code: number | null; out: string; err: string }> {
		const child = spawn(process.execPath, [bin, 'attendance', ...args], { stdio: ['ignore', 'pipe', 'pipe'], env });
		let text = '';
		let err = '';
		child.stdout!.on('data', (d) => (text += d));
		child.stderr!.on('data', (d) => (err += d));
		return new Promise((resolve) =>
			child.once('exit', (code) => {
				if (out) writeFileSync(out, text);
				resolve({ code, out: text, err });
			}),
		);
	}
	const billOffline = (events: string, month: string) =>
		luwte([
			'bill',
			'--events',
			events,
			'--contracts',
			join(dir, 'contracts.json'),
			'--indications',
			join(dir, 'indications.json'),
			'--from',
			month,
			'--to',
			month,
			'--format',
			'json',
		]);
	const hostBilling = async (month: string) => {
		const res = await fetch(`${t.host.url}/v1/billing?from=${month}&to=${month}`, {
			headers: { authorization: `Bearer ${t.tenants[0]!.apiKey}` },
		});
		expect(res.status).toBe(200);
		return res.text();
	};

	it('exports a month as JSON Lines that the offline bill takes as is, with the host’s own result', async () => {
		const file = join(dir, 'events-2024-03.jsonl');
		const exported = await luwte(['export', '--events', '--from', '2024-03', '--to', '2024-03'], file);
		expect(exported.code, exported.err).toBe(0);
		const lines = exported.out.trimEnd().split('\n');
		const ids = lines.map((l) => (JSON.parse(l) as AttendanceEvent).id);
		// Every example event (the February schedules of March sessions too), the late session whole
		// (its April leave and end), not the April watch nor the other tenant's event.
		// (65 example events: the file repeats one ID, a retried write the ledger stores once.)
		expect(ids).toHaveLength(65 + 4);
		expect(ids).toEqual(expect.arrayContaining(['ev-0001', 'edge-1', 'edge-3', 'edge-4']));
		expect(ids).not.toContain('edge-5');
		expect(ids).not.toContain('other-1');
		for (const l of lines) expect(parseLedgerEvent(JSON.parse(l)).ok).toBe(true);
		// The same lines through the SDK.
		const viaClient: string[] = [];
		for await (const e of admin.attendanceEvents({ from: '2024-03', to: '2024-03' })) viaClient.push(e.id);
		expect(viaClient).toEqual(ids);

		const offline = await billOffline(file, '2024-03');
		expect(offline.code, offline.err).toBe(0);
		const online = await hostBilling('2024-03');
		expect(offline.out).toBe(online);
		// The late session counts (Cor's 90 minutes, an hour contract) and the examples' lines are there.
		expect(JSON.parse(online).lines.length).toBeGreaterThan(1);

		// Why whole sessions: the same month cut by time alone bills differently (no schedules, no April leave).
		const cut = lines
			.map((l) => JSON.parse(l) as AttendanceEvent)
			.filter((e) => e.at >= at('2024-03-01T00:00:00') && e.at < at('2024-04-01T00:00:00', '+02:00'))
			.map((e) => parseLedgerEvent(e))
			.flatMap((p) => (p.ok && p.event ? [p.event as LedgerEvent] : []));
		const byTime = bill({
			events: cut,
			contracts: contractsFileSchema.parse(JSON.parse(read('contracts.json'))).contracts,
			indications: indicationsFileSchema.parse(JSON.parse(read('indications.json'))).indications,
			from: '2024-03',
			to: '2024-03',
		});
		expect(billingToJson(byTime)).not.toBe(online);
	});

	it('round-trips a session held on the host now, and exports its attendance as CSV and JSON', async () => {
		const sessionId = (await admin.createSession({ title: 'Bewegen', module: 'fit-en-vitaal' })).id;
		for (const p of ['client-anna', 'client-bram']) {
			const s = await openSignal(t.host.url);
			signals.push(s);
			const token = (await admin.createToken(sessionId, { role: 'participant', participantId: p })).token;
			expect((await s.request('join', { token })).ok).toBe(true);
		}
		const ledger = async () => {
			const out: AttendanceEvent[] = [];
			for await (const e of t.host.attendance.replay({ tenantId: 'zorg-a' })) if (e.sessionId === sessionId) out.push(e);
			return out;
		};
		await waitFor(async () => (await ledger()).filter((e) => e.type === 'participant.heartbeat').length >= 4, 60_000, 'heartbeats');
		await admin.endSession(sessionId);
		await waitFor(async () => (await ledger()).some((e) => e.type === 'session.ended'), 60_000, 'the end in the ledger');

		const csv = await luwte(['export', '--session', sessionId]);
		expect(csv.code, csv.err).toBe(0);
		const [header, ...rows] = parseCsv(csv.out);
		expect(header!.slice(0, 3)).toEqual(['sessionId', 'participantId', 'role']);
		expect(rows.map((r) => [r[1], r[2], r[7]])).toEqual([
			['client-anna', 'participant', '0'],
			['client-bram', 'participant', '0'],
		]);
		const json = await luwte(['export', '--session', sessionId, '--format', 'json']);
		expect(JSON.parse(json.out)).toEqual(await admin.getSessionAttendance(sessionId));

		const month = localMonth(Date.now());
		const file = join(dir, `events-${month}.jsonl`);
		expect((await luwte(['export', '--events', '--from', month, '--to', month], file)).code).toBe(0);
		const offline = await billOffline(file, month);
		expect(offline.code, offline.err).toBe(0);
		expect(offline.out).toBe(await hostBilling(month));
		// Neither client has an indication now: the host and the offline bill both list them as exceptions.
		expect(JSON.parse(offline.out).exceptions.map((e: { sessionId: string; reason: string }) => [e.sessionId, e.reason])).toEqual(
			expect.arrayContaining([
				[sessionId, 'no_indication'],
				[sessionId, 'no_indication'],
			]),
		);
	});

	it('refuses a bad combination or period with a usage error (exit 2)', async () => {
		for (const args of [
			['export'],
			['export', '--events', '--from', '2024-03'],
			['export', '--events', '--from', '2024-04', '--to', '2024-03'],
			['export', '--session', 'x', '--events'],
			['export', '--session', 'x', '--from', '2024-03'],
		]) {
			const r = await luwte(args);
			expect(r.code, args.join(' ')).toBe(2);
		}
		const missing = await luwte(['export', '--session', 'no-such-session']);
		expect(missing.code).toBe(1);
		expect(missing.err).toMatch(/404|not_found/);
	});
});
