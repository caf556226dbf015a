import { afterAll, describe, expect, it } from 'vitest';
import { hostProcess, type HostProcess } from '../helpers/host-process.ts';
import { startRedis, type TestRedis } from '../helpers/redis-server.ts';
import { openSignal } from '../helpers/ws-client.ts';

// What a care organisation plans survives a crash of the host (docs/sessions.md): a real
// `luwte serve` process is killed with SIGKILL (nothing flushed, nothing drained) and started
// again on the same data; the programme and the join tokens issued before are still good.

const minutes = (n: number) => new Date(Date.now() + n * 60_000).toISOString();

async function planAndKill(h: HostProcess) {
	// Tomorrow's activity (listed, its window not open) and one starting in five minutes (its window is open).
	const tomorrow = await h.api('POST', '/v1/sessions', {
		title: 'Samen koken',
		module: 'vaardig-en-creatief',
		schedule: { startsAt: minutes(24 * 60), endsAt: minutes(25 * 60) },
	});
	const soon = await h.api('POST', '/v1/sessions', {
		title: 'Bewegen op muziek',
		schedule: { startsAt: minutes(5), endsAt: minutes(65) },
	});
	expect([tomorrow.status, soon.status]).toEqual([201, 201]);
	const token = async (sessionId: string, participantId: string) => {
		const r = await h.api('POST', `/v1/sessions/${sessionId}/tokens`, { role: 'participant', participantId });
		expect(r.status).toBe(201);
		return r.json as { token: string; expiresAt: string };
	};
	const tomorrowToken = await token(tomorrow.json.id, 'client-1');
	const soonToken = await token(soon.json.id, 'client-2');
	// The token never outlives the window: it expires at the end plus the 30 minutes' grace.
	expect(Date.parse(soonToken.expiresAt)).toBeLessThanOrEqual(Date.parse(soon.json.schedule.endsAt) + 30 * 60_000);
	expect(await h.stop('SIGKILL')).toBe(null);
	return { tomorrow: tomorrow.json, soon: soon.json, tomorrowToken: tomorrowToken.token, soonToken: soonToken.token };
}

async function checkAfterRestart(h: HostProcess, planned: Awaited<ReturnType<typeof planAndKill>>) {
	await h.start();
	const list = await h.api('GET', '/v1/sessions');
	expect(list.status).toBe(200);
	const byId = new Map<string, any>(list.json.sessions.map((s: any) => [s.id, s]));
	expect(byId.get(planned.tomorrow.id)).toMatchObject({ title: 'Samen koken', state: 'scheduled', schedule: planned.tomorrow.schedule });
	expect(byId.get(planned.soon.id)).toMatchObject({ title: 'Bewegen op muziek', state: 'scheduled', schedule: planned.soon.schedule });
	expect((await h.api('GET', `/v1/sessions/${planned.tomorrow.id}`)).json.joinWindow).toEqual(planned.tomorrow.joinWindow);

	// The token of the session in five minutes joins.
	const a = await openSignal(h.url);
	const joined = await a.request('join', { token: planned.soonToken });
	expect(joined).toMatchObject({ ok: true, result: { participantId: 'client-2', sessionId: planned.soon.id } });
	expect((await h.api('GET', `/v1/sessions/${planned.soon.id}`)).json.state).toBe('live');
	a.close();
	// Tomorrow's token is still valid: refused only because its window is not open yet, with the start time.
	const b = await openSignal(h.url);
	const early = await b.request('join', { token: planned.tomorrowToken });
	expect(early).toMatchObject({
		ok: false,
		error: { code: 'not_started', details: { startsAt: new Date(Date.parse(planned.tomorrow.schedule.startsAt)).toISOString() } },
	});
	b.close();
}

describe('the programme after a crash of the host', () => {
	const hosts: HostProcess[] = [];
	let redis: TestRedis | undefined;
	afterAll(async () => {
		for (const h of hosts) await h.stop('SIGKILL');
		await redis?.close();
	});

	it('keeps scheduled sessions and their tokens in the file store through a SIGKILL', async () => {
		const h = await hostProcess();
		hosts.push(h);
		const planned = await planAndKill(h);
		await checkAfterRestart(h, planned);
	});

	it('keeps them in Redis through a SIGKILL of the host', async () => {
		redis = await startRedis();
		const h = await hostProcess({ redisUrl: redis.url });
		hosts.push(h);
		const planned = await planAndKill(h);
		await checkAfterRestart(h, planned);
	});
});
