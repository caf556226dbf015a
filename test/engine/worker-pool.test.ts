import { createEngine, type Engine, type EngineEvents } from '@luwte/engine';
import { afterEach, describe, expect, it } from 'vitest';
import { freePortRange } from '../helpers/ports.ts';

async function engineWith(workerCount: number): Promise<Engine> {
	const portRange = await freePortRange(workerCount + 2);
	return createEngine({ workerCount, webRtc: { listenIp: '127.0.0.1', portRange, enableTcp: false } });
}

function nextEvent<K extends keyof EngineEvents & string>(engine: Engine, name: K): Promise<EngineEvents[K]> {
	return new Promise((resolve) => engine.events.once(name, resolve));
}

describe('worker pool', () => {
	let engine: Engine | undefined;
	afterEach(async () => {
		await engine?.close();
		engine = undefined;
	});

	it('starts one worker per configured core, each on its own WebRTC port', async () => {
		engine = await engineWith(2);
		const h = engine.health();
		expect(h.workers).toBe(2);
		expect(new Set(h.workerLoad.map((w) => w.port)).size).toBe(2);
		expect(new Set(h.workerLoad.map((w) => w.pid)).size).toBe(2);
	});

	it('places new sessions on the least-loaded worker', async () => {
		engine = await engineWith(2);
		const a = await engine.createSession({ tenantId: 't' });
		const b = await engine.createSession({ tenantId: 't' });
		const sa = engine.session('t', a.id);
		const sb = engine.session('t', b.id);
		await sa.join('p1', 'host', () => {});
		await sb.join('p2', 'host', () => {});
		expect(sa.workerIndex).not.toBe(sb.workerIndex);
		// A third session goes where the load is lowest: give worker of `a` more transports first.
		const { participant } = await sa.join('p3', 'participant', () => {});
		await sa.createTransport(participant, 'recv');
		await sa.createTransport(participant, 'send');
		const c = await engine.createSession({ tenantId: 't' });
		const sc = engine.session('t', c.id);
		await sc.join('p4', 'host', () => {});
		expect(sc.workerIndex).toBe(sb.workerIndex);
	});

	it('reports a worker that dies, replaces it, and drops only the sessions it carried', async () => {
		engine = await engineWith(2);
		const a = engine.session('t', (await engine.createSession({ tenantId: 't' })).id);
		const b = engine.session('t', (await engine.createSession({ tenantId: 't' })).id);
		const notices: string[] = [];
		await a.join('pa', 'host', (n) => notices.push(`a:${n.type}`));
		await b.join('pb', 'host', (n) => notices.push(`b:${n.type}`));
		const victim = engine.workers.slots.find((s) => s.index === a.workerIndex)!;
		const died = nextEvent(engine, 'worker.died');
		const replaced = nextEvent(engine, 'worker.replaced');
		const left = nextEvent(engine, 'participant.left');
		process.kill(victim.worker.pid, 'SIGKILL');
		expect((await died).pid).toBe(victim.worker.pid);
		const r = await replaced;
		expect(r.workerIndex).toBe(victim.index);
		expect(r.pid).not.toBe(victim.worker.pid);
		expect(await left).toMatchObject({ sessionId: a.id, participantId: 'pa', reason: 'media-failure' });
		// Hosts also hear the audience count (no viewers here); the loss reaches only the session it hit.
		expect(notices.filter((n) => !n.endsWith(':audienceChanged'))).toEqual(['a:disconnected']);
		expect(engine.health().workers).toBe(2);
		// The interrupted session can be joined again (on a live worker); the other never noticed.
		await a.join('pa', 'host', () => {});
		expect(a.info().participants.map((p) => p.participantId)).toEqual(['pa']);
		expect(b.info().participants.map((p) => p.participantId)).toEqual(['pb']);
	});

	it('closes every transport and router when a session ends', async () => {
		engine = await engineWith(1);
		const info = await engine.createSession({ tenantId: 't' });
		const s = engine.session('t', info.id);
		const events: string[] = [];
		engine.events.on('participant.left', (e) => events.push(`left:${e.participantId}:${e.reason}`));
		engine.events.on('session.ended', (e) => events.push(`ended:${e.sessionId}`));
		const { participant } = await s.join('p1', 'host', () => {});
		await s.createTransport(participant, 'send');
		expect(engine.health().workerLoad[0]!.load).toBe(2); // router + transport
		await engine.endSession('t', info.id);
		expect(engine.health().workerLoad[0]!.load).toBe(0);
		expect(events).toEqual(['left:p1:session-ended', `ended:${info.id}`]);
		expect(s.state).toBe('ended');
		await expect(s.join('p2', 'participant', () => {})).rejects.toMatchObject({ code: 'session_ended' });
	});

	it("hides one tenant's sessions from another", async () => {
		engine = await engineWith(1);
		const info = await engine.createSession({ tenantId: 'zorg-a' });
		expect(() => engine!.session('zorg-b', info.id)).toThrow(/not found/);
		expect((await engine.listSessions('zorg-b')).sessions).toEqual([]);
		expect((await engine.listSessions('zorg-a')).sessions.map((s) => s.id)).toEqual([info.id]);
	});
});
