import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
	localDate,
	presenceIntervals,
	splitAtLocalMidnight,
	total,
	union,
	type Interval,
	type LedgerEvent,
} from '@luwte/engine/attendance';

/**
 * Properties of presence intervals and their arithmetic, over messy event streams: joins,
 * leaves and heartbeats of a few participants and connections in any order, some never closed.
 */

const T0 = Date.parse('2024-03-04T09:00:00Z');

type RawEvent = { kind: 'join' | 'left' | 'heartbeat' | 'end'; participant: string; connection: string; at: number };

const rawEvent = fc.record({
	kind: fc.constantFrom('join', 'join', 'left', 'heartbeat', 'heartbeat', 'heartbeat', 'end') as fc.Arbitrary<RawEvent['kind']>,
	participant: fc.constantFrom('c1', 'c2', 'c3'),
	connection: fc.constantFrom('k1', 'k2', 'k3'),
	at: fc.integer({ min: 0, max: 4 * 3600_000 }),
});

function toEvent(r: RawEvent, i: number): LedgerEvent {
	const common = { id: `e${String(i).padStart(4, '0')}`, at: T0 + r.at, tenantId: 'zorg-a' };
	const ids = { sessionId: 's1', participantId: r.participant, connectionId: `${r.participant}-${r.connection}` };
	switch (r.kind) {
		case 'join':
			return { ...common, type: 'participant.joined', ...ids, role: 'participant', module: 'communicatie' };
		case 'left':
			return { ...common, type: 'participant.left', ...ids, reason: 'left' };
		case 'heartbeat':
			return { ...common, type: 'participant.heartbeat', ...ids };
		case 'end':
			return { ...common, type: 'session.ended', sessionId: 's1', reason: 'ended' };
	}
}

const eventStream = fc.array(rawEvent, { maxLength: 40 }).map((raws) => raws.map(toEvent));

/** The events in an order fixed by random keys. */
function shuffled<T>(items: T[], keys: number[]): T[] {
	return items
		.map((item, i) => ({ item, k: keys[i % Math.max(keys.length, 1)] ?? 0, i }))
		.sort((a, b) => a.k - b.k || b.i - a.i)
		.map((x) => x.item);
}

describe('presence intervals: properties', () => {
	it('never counts overlapping time twice: attended time is the wall time of disjoint intervals', () => {
		fc.assert(
			fc.property(eventStream, (events) => {
				for (const p of presenceIntervals(events)) {
					for (let i = 1; i < p.intervals.length; i++) expect(p.intervals[i]!.start).toBeGreaterThan(p.intervals[i - 1]!.end);
					const wall = p.intervals.at(-1)!.end - p.intervals[0]!.start;
					expect(p.attendedMs).toBeLessThanOrEqual(wall);
					expect(p.attendedMs).toBe(p.intervals.reduce((s, i) => s + i.end - i.start, 0));
					expect(p.attendances.reduce((s, a) => s + a.attendedMs, 0)).toBe(p.attendedMs);
				}
			}),
			{ numRuns: 300 },
		);
	});

	it('counts a union exactly once (against a brute-force count of covered minutes)', () => {
		const interval = fc
			.tuple(fc.integer({ min: 0, max: 60 }), fc.integer({ min: 0, max: 60 }))
			.map(([a, b]) => ({ start: Math.min(a, b), end: Math.max(a, b) }));
		fc.assert(
			fc.property(fc.array(interval, { maxLength: 12 }), (intervals: Interval[]) => {
				let covered = 0;
				for (let t = 0; t < 60; t++) if (intervals.some((i) => i.start <= t && t < i.end)) covered++;
				expect(total(intervals)).toBe(covered);
				expect(total(union(intervals))).toBe(covered);
			}),
		);
	});

	it('does not depend on the order the events arrive in', () => {
		fc.assert(
			fc.property(eventStream, fc.array(fc.double({ noNaN: true }), { minLength: 1, maxLength: 40 }), (events, keys) => {
				expect(presenceIntervals(shuffled(events, keys))).toEqual(presenceIntervals(events));
			}),
			{ numRuns: 300 },
		);
	});

	it('is unchanged when events are delivered twice (same ID)', () => {
		fc.assert(
			fc.property(eventStream, fc.array(fc.nat(), { maxLength: 20 }), (events, picks) => {
				const repeats = events.length === 0 ? [] : picks.map((p) => ({ ...events[p % events.length]! }));
				expect(presenceIntervals([...repeats, ...events, ...repeats])).toEqual(presenceIntervals(events));
			}),
			{ numRuns: 300 },
		);
	});

	it("never shortens anyone's presence when a heartbeat is added", () => {
		fc.assert(
			fc.property(
				eventStream,
				fc.constantFrom('c1', 'c2', 'c3'),
				fc.constantFrom('k1', 'k2', 'k3'),
				fc.integer({ min: 0, max: 4 * 3600_000 }),
				(events, participant, connection, at) => {
					const before = presenceIntervals(events);
					const heartbeat = toEvent({ kind: 'heartbeat', participant, connection, at }, 9999);
					const after = new Map(presenceIntervals([...events, heartbeat]).map((p) => [p.participantId, p.attendedMs]));
					for (const p of before) expect(after.get(p.participantId) ?? 0).toBeGreaterThanOrEqual(p.attendedMs);
				},
			),
			{ numRuns: 300 },
		);
	});

	it('keeps the total when a span of days is split at local midnight, also across daylight-saving changes', () => {
		// Around the spring change (31 March 2024) and the autumn change (27 October 2024).
		const around = fc.constantFrom(Date.parse('2024-03-29T00:00:00Z'), Date.parse('2024-10-25T00:00:00Z'));
		const interval = fc
			.tuple(fc.integer({ min: 0, max: 5 * 86_400_000 }), fc.integer({ min: 0, max: 30 * 3600_000 }))
			.map(([s, len]) => ({ start: s, end: s + len }));
		fc.assert(
			fc.property(around, fc.array(interval, { maxLength: 8 }), (base, raw) => {
				const intervals = raw.map((i) => ({ start: base + i.start, end: base + i.end }));
				const days = splitAtLocalMidnight(intervals);
				let sum = 0;
				for (const [day, pieces] of days) {
					for (const p of pieces) {
						expect(localDate(p.start)).toBe(day);
						expect(localDate(p.end - 1)).toBe(day);
					}
					sum += total(pieces);
				}
				expect(sum).toBe(total(intervals));
			}),
		);
	});
});
