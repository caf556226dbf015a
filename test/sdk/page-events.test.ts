import { describe, expect, it } from 'vitest';
import { PageEvents, recordingChanges } from '../../packages/sdk/src/elements/session/page-events.ts';
import { deviceProblemOf } from '../../packages/sdk/src/elements/session/device-problems.ts';

// What <luwte-session> tells the page, apart from the browser: PageEvents on a plain EventTarget.
const NOT_RECORDING = { active: false, you: false, consent: false, recorded: [], consented: [] };

function heard(): { target: EventTarget; log: [string, unknown][] } {
	const target = new EventTarget();
	const log: [string, unknown][] = [];
	for (const n of [
		'luwte-joined',
		'luwte-participant-joined',
		'luwte-participant-left',
		'luwte-reconnecting',
		'luwte-reconnected',
		'luwte-recording-changed',
		'luwte-audience-changed',
	]) {
		target.addEventListener(n, (e) => log.push([n, (e as CustomEvent).detail]));
	}
	return { target, log };
}

describe('PageEvents', () => {
	it('applies arrivals and departures told while joining to the peer list, and never names a viewer', () => {
		const { target, log } = heard();
		const ev = new PageEvents(target);
		ev.quiet();
		ev.arrived({ participantId: 'c2', role: 'participant' });
		ev.left({ participantId: 'c1' });
		ev.arrived({ participantId: 'v1', role: 'viewer' });
		expect(log).toEqual([]);
		ev.joined({
			participantId: 'b1',
			role: 'host',
			peers: [
				{ participantId: 'c1', role: 'participant' },
				{ participantId: 'l1', role: 'location' },
				{ participantId: 'v2', role: 'viewer' },
			],
		});
		expect(log).toEqual([
			[
				'luwte-joined',
				{
					participantId: 'b1',
					role: 'host',
					peers: [
						{ participantId: 'l1', role: 'location' },
						{ participantId: 'c2', role: 'participant' },
					],
				},
			],
		]);
		ev.arrived({ participantId: 'c2', role: 'participant' }); // already told
		ev.arrived({ participantId: 'v3', role: 'viewer' });
		ev.left({ participantId: 'v3' });
		ev.left({ participantId: 'nobody' });
		expect(log).toHaveLength(1);
		ev.arrived({ participantId: 'c3', role: 'participant' });
		ev.left({ participantId: 'l1' });
		expect(log.slice(1)).toEqual([
			['luwte-participant-joined', { participantId: 'c3', role: 'participant' }],
			['luwte-participant-left', { participantId: 'l1', role: 'location' }],
		]);
		expect(JSON.stringify(log)).not.toMatch(/"v\d"/);
	});

	it('after a reconnect tells only who went or came meanwhile, after luwte-reconnected', () => {
		const { target, log } = heard();
		const ev = new PageEvents(target);
		ev.quiet();
		ev.joined({
			participantId: 'b1',
			role: 'host',
			peers: [
				{ participantId: 'c1', role: 'participant' },
				{ participantId: 'c2', role: 'participant' },
			],
		});
		ev.reconnecting({ attempt: 1, delayMs: 500, reason: 'host-restart', code: undefined });
		ev.reconnecting({ attempt: 2, delayMs: 900, reason: 'host-restart', code: 'unavailable' });
		ev.left({ participantId: 'c2' }); // told by the new connection before its answer was in hand
		ev.reconnected({
			attempt: 2,
			participantId: 'b1',
			role: 'host',
			peers: [
				{ participantId: 'c1', role: 'participant' },
				{ participantId: 'c2', role: 'participant' },
				{ participantId: 'c3', role: 'participant' },
			],
		});
		expect(log.slice(1).map(([n, d]) => [n, (d as { participantId?: string }).participantId ?? d])).toEqual([
			['luwte-reconnecting', { attempt: 1, delayMs: 500, reason: 'host-restart' }],
			['luwte-reconnecting', { attempt: 2, delayMs: 900, reason: 'host-restart', code: 'unavailable' }],
			['luwte-reconnected', 'b1'],
			['luwte-participant-left', 'c2'],
			['luwte-participant-joined', 'c3'],
		]);
	});

	it('tells recording changes once, with what changed; a rejoin where the server said nothing keeps consent', () => {
		const { target, log } = heard();
		const ev = new PageEvents(target);
		ev.quiet();
		ev.recording({ ...NOT_RECORDING, active: true }); // while joining: not yet
		ev.joined({ participantId: 'c1', role: 'participant', peers: [] });
		ev.entered({ active: true, you: false, consent: false, recorded: [], consented: [] });
		ev.recording({ active: true, you: false, consent: false, recorded: [], consented: [] }); // a repeat
		ev.recording({ active: true, you: true, consent: true, recorded: [], consented: [] });
		ev.recording({ active: false, you: false, consent: true, recorded: [], consented: [] });
		ev.reconnecting({ attempt: 1, delayMs: 0, reason: 'disconnected' });
		ev.reconnected({ attempt: 1, participantId: 'c1', role: 'participant', peers: [] });
		ev.entered(undefined);
		const rec = log.filter(([n]) => n === 'luwte-recording-changed').map(([, d]) => (d as { changed: string[] }).changed);
		expect(rec).toEqual([['active'], ['you', 'consent'], ['active', 'you']]);
	});

	it('tells a host the audience: the first count (also 0), then changes only', () => {
		const { target, log } = heard();
		const ev = new PageEvents(target);
		ev.quiet();
		ev.audience(3); // while joining: the element tells the count once it is in
		ev.joined({ participantId: 'b1', role: 'host', peers: [] });
		for (const n of [0, 0, 2, 2, 1]) ev.audience(n);
		expect(log.filter(([n]) => n === 'luwte-audience-changed').map(([, d]) => d)).toEqual([
			{ viewers: 0 },
			{ viewers: 2 },
			{ viewers: 1 },
		]);
	});

	it('compares recording lists in order', () => {
		expect(recordingChanges(NOT_RECORDING, { ...NOT_RECORDING, recorded: ['a'] })).toEqual(['recorded']);
		expect(recordingChanges({ ...NOT_RECORDING, consented: ['a', 'b'] }, { ...NOT_RECORDING, consented: ['a', 'b'] })).toEqual([]);
	});
});

describe('deviceProblemOf', () => {
	it("names getUserMedia's failures as a person meets them", () => {
		const as = (name: string) => deviceProblemOf(new DOMException('x', name));
		expect(as('NotAllowedError')).toBe('denied');
		expect(as('SecurityError')).toBe('denied');
		expect(as('NotFoundError')).toBe('not-found');
		expect(as('NotReadableError')).toBe('in-use');
		expect(as('OverconstrainedError')).toBe('failed');
		expect(deviceProblemOf(new Error('?'))).toBe('failed');
		expect(deviceProblemOf('nonsense')).toBe('failed');
		expect(deviceProblemOf({ name: 'PermissionDeniedError' })).toBe('denied');
	});
});
