import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AdminApiError, AdminClient } from '@luwte/sdk/admin';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHost, type TestHost } from '../helpers/host.ts';
import { startRedis } from '../helpers/redis-server.ts';

// The billing export of a running host equals the offline command's output on the same example
// set (examples/billing: events, contracts, indications, and the expected files checked by hand).
const examples = join(import.meta.dirname, '..', '..', 'examples', 'billing');
const read = (f: string) => readFileSync(join(examples, f), 'utf8');

describe('billing and reports on a running host', () => {
	let t: TestHost;
	let admin: AdminClient;
	beforeAll(async () => {
		t = await startTestHost();
		admin = new AdminClient({ server: t.host.url, apiKey: t.tenants[0]!.apiKey });
		await admin.setContracts(JSON.parse(read('contracts.json')));
		await admin.setIndications(JSON.parse(read('indications.json')));
		const events = read('events.jsonl')
			.trim()
			.split('\n')
			.map((l) => JSON.parse(l));
		await t.host.attendance.append(events);
	});
	afterAll(() => t?.close());

	const get = async (path: string, key = t.tenants[0]!.apiKey) => {
		const res = await fetch(`${t.host.url}${path}`, { headers: { authorization: `Bearer ${key}` } });
		return { status: res.status, type: res.headers.get('content-type') ?? '', text: await res.text() };
	};

	it('exports the month byte for byte as the billing department expects, in CSV and JSON', async () => {
		const csv = await get('/v1/billing?from=2024-03&to=2024-03&format=csv');
		expect(csv.status).toBe(200);
		expect(csv.type).toMatch(/^text\/csv/);
		expect(csv.text).toBe(read('expected-2024-03.csv'));
		const json = await get('/v1/billing?from=2024-03&to=2024-03');
		expect(json.text).toBe(read('expected-2024-03.json'));
		// The typed client reads the same export, exceptions included (their times are ISO strings).
		const viaClient = await admin.getBilling({ from: '2024-03', to: '2024-03' });
		expect(viaClient.exceptions.length).toBeGreaterThan(0);
		expect(viaClient).toEqual(JSON.parse(json.text));
		// Twice the same request, the same bytes.
		expect((await get('/v1/billing?from=2024-03&to=2024-03&format=csv')).text).toBe(csv.text);
		// Another tenant sees none of it.
		const other = await get('/v1/billing?from=2024-03&to=2024-03&format=csv', t.tenants[1]!.apiKey);
		expect(other.text.trim().split('\n')).toHaveLength(1);
	});

	it('refuses a bad period or contract with a clear error and keeps the stored files', async () => {
		const bad = await get('/v1/billing?from=2024-13&to=2024-03');
		expect(bad.status).toBe(400);
		expect(bad.text).toMatch(/YYYY-MM/);
		await expect(
			admin.setContracts({ version: 1, contracts: [{ financer: '0363', unit: 'dagdeel', tariffCents: -5 }] }),
		).rejects.toBeInstanceOf(AdminApiError);
		expect((await admin.getContracts()).contracts).toHaveLength(4);
	});

	it('reports no-shows per session and attendance per module', async () => {
		const noShows = await admin.getNoShows({ from: '2024-03', to: '2024-03' });
		const first = noShows.sessions.find((s) => s.sessionId === 's-2024-03-05-com')!;
		expect(first.noShows).toEqual(['client-gijs']);
		const modules = await admin.getModuleAttendance({ from: '2024-03', to: '2024-03' });
		expect(modules.modules.find((m) => m.module === 'communicatie')!.attendances).toBeGreaterThan(0);
		const active = await admin.getActiveAccounts({ date: '2024-04-01' });
		expect(active.targetPercent).toBe('10.0');
		expect(active.overall.clients).toBeGreaterThan(0);
	});

	it('forgets one client: their lines and exceptions go, everyone else’s stay byte for byte', async () => {
		const before = (await get('/v1/billing?from=2024-03&to=2024-03&format=csv')).text.split('\n');
		const { removedEvents } = await admin.forgetClient('client-anna');
		expect(removedEvents).toBeGreaterThan(0);
		const after = (await get('/v1/billing?from=2024-03&to=2024-03&format=csv')).text.split('\n');
		expect(after).toEqual(before.filter((l) => !l.includes(',client-anna,')));
		expect(after.some((l) => l.includes('client-anna'))).toBe(false);
	});

	it('a bill after an append shows it: events of another month leave the month as it was, one in the month is billed', async () => {
		const march = async () => (await get('/v1/billing?from=2024-03&to=2024-03&format=csv')).text;
		const before = await march();
		// The month's billing derivation is kept between requests (BillingSnapshots); appends must reach it.
		const watch = (id: string, at: string) => ({
			id,
			at: Date.parse(at),
			tenantId: 'zorg-a',
			type: 'library.watch',
			itemId: 'item-late',
			participantId: 'client-bram',
			event: 'progress',
			positionSeconds: 600,
			durationSeconds: 1800,
			module: 'communicatie',
		});
		await t.host.attendance.append(watch('late-may', '2024-05-14T18:00:00Z'));
		expect(await march()).toBe(before);
		await t.host.attendance.append(watch('late-march', '2024-03-14T18:00:00Z'));
		const after = (await march()).split('\n');
		expect(after.filter((l) => !before.split('\n').includes(l))).toEqual([
			'exception,client-bram,0363,2024-03,,,,,,,item-late,2024-03-14T18:00:00.000Z,on_demand_not_billed,"on demand (individual offer), module communicatie: watched up to 10 of 30 min"',
		]);
	});
});

describe('attendance retention', () => {
	it('removes events older than the retention period and keeps the newer ones', async () => {
		const t = await startTestHost({ attendanceRetentionDays: 30 });
		try {
			const day = 86_400_000;
			const now = Date.now();
			const event = (id: string, at: number) => ({
				id,
				at,
				tenantId: 'zorg-a',
				type: 'participant.heartbeat',
				sessionId: 's-1',
				participantId: 'client-1',
				connectionId: 'c-1',
			});
			await t.host.attendance.append([event('old', now - 40 * day), event('recent', now - 20 * day)]);
			expect(await t.host.purgeExpiredAttendance()).toEqual({ removed: 1 });
			const left: string[] = [];
			for await (const e of t.host.attendance.replay({ tenantId: 'zorg-a' })) left.push(e.id);
			expect(left).toEqual(['recent']);
		} finally {
			await t.close();
		}
	});
});

describe('a host keeping its ledger in Redis', () => {
	it('bills from the Redis ledger with the same bytes as from the file, and the engine’s events go there', async () => {
		const redis = await startRedis();
		const t = await startTestHost({ redisUrl: redis.url });
		try {
			const admin = new AdminClient({ server: t.host.url, apiKey: t.tenants[0]!.apiKey });
			await admin.setContracts(JSON.parse(read('contracts.json')));
			await admin.setIndications(JSON.parse(read('indications.json')));
			await t.host.attendance.append(
				read('events.jsonl')
					.trim()
					.split('\n')
					.map((l) => JSON.parse(l)),
			);
			const csv = await fetch(`${t.host.url}/v1/billing?from=2024-03&to=2024-03&format=csv`, {
				headers: { authorization: `Bearer ${t.tenants[0]!.apiKey}` },
			});
			expect(await csv.text()).toBe(read('expected-2024-03.csv'));
			// The engine's own events land there too: a session with a schedule is in the ledger.
			const sessionId = await t.createSession(t.tenants[0]!, {
				title: 'Bewegen',
				module: 'fit-en-vitaal',
				schedule: { startsAt: '2030-01-07T10:00:00+01:00', endsAt: '2030-01-07T11:00:00+01:00' },
			});
			await t.token(t.tenants[0]!, sessionId, 'participant', 'client-99');
			const seen: string[] = [];
			for (let i = 0; i < 50 && !seen.includes('participant.invited'); i++) {
				seen.length = 0;
				for await (const e of t.host.attendance.replay({ tenantId: 'zorg-a', from: Date.parse('2026-01-01') }))
					if (e.sessionId === sessionId) seen.push(e.type);
				if (!seen.includes('participant.invited')) await new Promise((r) => setTimeout(r, 50));
			}
			expect(seen).toEqual(['session.scheduled', 'participant.invited']);
		} finally {
			await t.close();
			await redis.close();
		}
	});
});
