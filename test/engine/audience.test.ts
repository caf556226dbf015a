import { createEngine, type Engine } from '@luwte/engine';
import { builtinProfiles } from '@luwte/engine/abr';
import { AUDIENCE_NOTICE_INTERVAL_MS, type Participant, type ParticipantNotification, type Role } from '@luwte/engine/session';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePortRange } from '../helpers/ports.ts';
import { waitFor } from '../helpers/wait.ts';

// Broadcast presence (issue 14): viewers are never announced to anyone; hosts get their number,
// coalesced to at most one notice a second, and at once when they join.
describe('the audience of a session', () => {
	let engine: Engine;
	beforeAll(async () => {
		engine = await createEngine({
			workerCount: 1,
			webRtc: { listenIp: '127.0.0.1', portRange: await freePortRange(3), enableTcp: false },
		});
	});
	afterAll(() => engine?.close());

	type Heard = { at: number; n: ParticipantNotification };
	async function member(session: ReturnType<Engine['session']>, id: string, role: Role) {
		const heard: Heard[] = [];
		const { participant } = await session.join(id, role, (n) => heard.push({ at: Date.now(), n }));
		return { participant, heard };
	}
	const counts = (heard: Heard[]) => heard.filter((h) => h.n.type === 'audienceChanged');
	const viewersOf = (h: Heard) => (h.n as { viewers: number }).viewers;
	const aboutViewers = (heard: Heard[]) =>
		heard.filter((h) => (h.n.type === 'participantJoined' || h.n.type === 'participantLeft') && h.n.role === 'viewer');

	it('announces no viewer to anyone and gives hosts a coalesced count', async () => {
		const info = await engine.createSession({ tenantId: 't', participantsSeeEachOther: true });
		const session = engine.session('t', info.id);
		const host = await member(session, 'begeleider', 'host');
		const location = await member(session, 'locatie', 'location');
		const client = await member(session, 'client-a', 'participant');
		// A host learns the audience right after joining, also when there is none yet.
		expect(counts(host.heard).map(viewersOf)).toEqual([0]);

		// A join storm: 40 viewers as fast as the engine takes them.
		const viewers: { participant: Participant; heard: Heard[] }[] = [];
		for (let i = 0; i < 40; i++) viewers.push(await member(session, `kijker-${i}`, 'viewer'));
		const viewersIn = () => session.info().participants.filter((p) => p.role === 'viewer').length;
		expect(viewersIn()).toBe(40);
		await waitFor(() => counts(host.heard).at(-1) !== undefined && viewersOf(counts(host.heard).at(-1)!) === 40, 30_000, '40 viewers');
		// Coalesced: the notices after the greeting are at least a second apart (a handful, not 40).
		const told = counts(host.heard).slice(1);
		for (let i = 1; i < told.length; i++)
			expect(told[i]!.at - told[i - 1]!.at).toBeGreaterThanOrEqual(AUDIENCE_NOTICE_INTERVAL_MS - 50);
		expect(told.length).toBeLessThan(40);

		// Nobody hears of a viewer one by one, nobody else gets the count, and nobody lists viewers as peers.
		for (const m of [host, location, client, ...viewers]) expect(aboutViewers(m.heard)).toEqual([]);
		for (const m of [location, client, ...viewers]) expect(counts(m.heard)).toEqual([]);
		expect(session.peersOf(host.participant).map((p) => p.role)).not.toContain('viewer');
		expect(
			session
				.peersOf(viewers[0]!.participant)
				.map((p) => p.participantId)
				.sort(),
		).toEqual(['begeleider', 'locatie']);

		// Viewers join calm unless their token says otherwise.
		for (const v of viewers) expect(v.participant.stimulusProfile).toBe(builtinProfiles.calm);

		// A second host joining now hears the count at once.
		const second = await member(session, 'begeleider-2', 'host');
		expect(counts(second.heard).map(viewersOf)).toEqual([40]);

		// Viewers leave: the hosts' count goes down, still told to nobody else.
		const before = host.heard.length;
		for (const v of viewers.slice(0, 30)) session.leave(v.participant, 'left');
		await waitFor(() => viewersOf(counts(host.heard).at(-1)!) === 10, 30_000, '10 viewers left');
		await waitFor(() => viewersOf(counts(second.heard).at(-1)!) === 10, 30_000, 'the second host told');
		expect(aboutViewers(host.heard.slice(before))).toEqual([]);
		for (const m of [location, client]) expect(aboutViewers(m.heard)).toEqual([]);
		for (const m of [location, client]) expect(counts(m.heard)).toEqual([]);

		// A viewer reconnecting (replaced) is still one viewer.
		await member(session, 'kijker-35', 'viewer');
		expect(viewersIn()).toBe(10);
		session.end();
	}, 60_000);
});
