import { createEngine, type Engine } from '@luwte/engine';
import type { Participant, ParticipantNotification, Role } from '@luwte/engine/session';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePortRange } from '../helpers/ports.ts';
import { waitFor } from '../helpers/wait.ts';

// Routing in a live session on a real router: each receiver gets consumers for exactly the
// senders the rules allow. Server-side plain RTP ends stand in for clients here.
const vp8 = (ssrc: number) => ({
	codecs: [{ mimeType: 'video/VP8', payloadType: 101, clockRate: 90000 }],
	encodings: [{ ssrc }],
});

describe('routing in a live session', () => {
	let engine: Engine;
	beforeAll(async () => {
		engine = await createEngine({
			workerCount: 1,
			webRtc: { listenIp: '127.0.0.1', portRange: await freePortRange(3), enableTcp: false },
		});
	});
	afterAll(() => engine?.close());

	async function run(participantsSeeEachOther: boolean) {
		const info = await engine.createSession({ tenantId: 't', participantsSeeEachOther });
		const session = engine.session('t', info.id);
		const members: [string, Role][] = [
			['begeleider', 'host'],
			['locatie', 'location'],
			['client-a', 'participant'],
			['client-b', 'participant'],
			['kijker', 'viewer'],
		];
		const received = new Map<string, string[]>();
		const notes = new Map<string, ParticipantNotification[]>();
		const handles = new Map<string, Participant>();
		let ssrc = 1000;
		for (const [id, role] of members) {
			received.set(id, []);
			notes.set(id, []);
			const { participant, rtpCapabilities } = await session.join(id, role, (n) => {
				notes.get(id)!.push(n);
				if (n.type === 'newConsumer') received.get(id)!.push(n.participantId);
			});
			handles.set(id, participant);
			const recv = await session.createPlainTransport(participant, 'recv');
			await session.connectPlainTransport(participant, recv.id, { ip: '127.0.0.1', port: 9 });
			await session.ready(participant, rtpCapabilities);
			if (role !== 'viewer') {
				const send = await session.createPlainTransport(participant, 'send');
				await session.produce(participant, send.id, 'video', vp8(ssrc++), 'camera', false);
			}
		}
		return { session, received, notes, handles };
	}

	it('sends host and room to everyone, clients to each other in an open group, nothing of clients to viewers', async () => {
		const { received } = await run(true);
		const sorted = (id: string) => [...received.get(id)!].sort();
		expect(sorted('begeleider')).toEqual(['client-a', 'client-b', 'locatie']);
		expect(sorted('locatie')).toEqual(['begeleider', 'client-a', 'client-b']);
		expect(sorted('client-a')).toEqual(['begeleider', 'client-b', 'locatie']);
		expect(sorted('client-b')).toEqual(['begeleider', 'client-a', 'locatie']);
		expect(sorted('kijker')).toEqual(['begeleider', 'locatie']);
	});

	it('tells each member only about those whose media reaches it (hosts: everyone but viewers)', async () => {
		const { notes } = await run(true);
		const joinedSeen = (id: string) =>
			notes
				.get(id)!
				.filter((n) => n.type === 'participantJoined')
				.map((n) => (n as { participantId: string }).participantId)
				.sort();
		// Members joined in the order begeleider, locatie, client-a, client-b, kijker.
		// The viewer reaches the host as an audience count (test/engine/audience.test.ts), not as a person.
		expect(joinedSeen('begeleider')).toEqual(['client-a', 'client-b', 'locatie']);
		expect(joinedSeen('client-a')).toEqual(['client-b']);
		expect(joinedSeen('locatie')).toEqual(['client-a', 'client-b']);
		expect(joinedSeen('kijker')).toEqual([]);
	});

	it('gives plain RTP receivers consumers without congestion feedback (they send none)', async () => {
		const { notes } = await run(true);
		const consumer = notes.get('kijker')!.find((n) => n.type === 'newConsumer');
		if (consumer?.type !== 'newConsumer') throw new Error('no consumer');
		const feedback = consumer.rtpParameters.codecs.flatMap((c) => (c.rtcpFeedback ?? []).map((f) => f.type));
		expect(feedback).toContain('nack');
		expect(feedback).not.toContain('transport-cc');
		expect(feedback).not.toContain('goog-remb');
	});

	it('keeps clients apart when the group is closed', async () => {
		const { received } = await run(false);
		expect([...received.get('client-a')!].sort()).toEqual(['begeleider', 'locatie']);
		expect([...received.get('client-b')!].sort()).toEqual(['begeleider', 'locatie']);
		expect([...received.get('begeleider')!].sort()).toEqual(['client-a', 'client-b', 'locatie']);
	});

	it('tells receivers when a sender leaves, and closes their consumers', async () => {
		const { session, notes, handles } = await run(true);
		const before = notes.get('kijker')!.length;
		session.leave(handles.get('begeleider')!, 'left');
		const kinds = () =>
			notes
				.get('kijker')!
				.slice(before)
				.map((n) => n.type);
		// The worker reports the closed producer asynchronously.
		await waitFor(() => kinds().includes('consumerClosed'), 30_000, 'consumerClosed');
		const after = notes
			.get('kijker')!
			.slice(before)
			.map((n) => n.type)
			.sort();
		expect(after).toEqual(['consumerClosed', 'participantLeft']);
		expect(session.info().participants.map((p) => p.participantId)).not.toContain('begeleider');
	});
});
