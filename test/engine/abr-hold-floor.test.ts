import {
	builtinProfiles,
	climbCapKbps,
	decide,
	HOLD_EXTRA_KBPS,
	HOLD_MARGIN,
	HOLD_QUEUE_BACKOFF,
	HOLD_QUEUE_MS,
	heldShareKbps,
	holdFloorKbps,
	initialState,
	nextHoldFloor,
	queueDelayMs,
	recordRtt,
	RTT_WINDOW_MS,
	type Layer,
	type RttSample,
} from '@luwte/engine/abr';
import { describe, expect, it } from 'vitest';

// The held floor (driver, `holdLayers`; docs/abr.md): mediasoup's estimate may not go below what
// the held layers cost. After a climb the floor stays below the estimate the climb was decided on
// (less the headroom), so a line that does not carry the new layer shows in the estimate; an
// estimate at the floor shows no more than the floor holds, so the floor justifies no climb; at the floor, a round-trip time risen above its recent lowest is a queue
// growing at the bottleneck, read as congestion before the queue overflows.

// A 1280x720 camera's ladder as measured on the tc rig (kbit/s, cumulative over temporal layers).
const ladder = [
	[22, 40, 79],
	[197, 303, 507],
	[473, 721, 1216],
];
const floorOf = (layer: Layer) => holdFloorKbps([{ layerKbps: ladder, layer }]);

describe('holdFloorKbps', () => {
	it('covers each held layer with the margin, plus audio and RTCP', () => {
		expect(floorOf({ spatial: 2, temporal: 1 })).toBe(Math.round(721 * HOLD_MARGIN + HOLD_EXTRA_KBPS));
		const stage = { layerKbps: ladder, layer: { spatial: 2, temporal: 1 } };
		const tile = { layerKbps: ladder, layer: { spatial: 0, temporal: 2 } };
		expect(holdFloorKbps([stage, tile])).toBe(Math.round((721 + 79) * HOLD_MARGIN + HOLD_EXTRA_KBPS));
	});

	it('counts a layer not measured yet as nothing, and never goes below mediasoup’s 30 kbit/s minimum', () => {
		expect(floorOf({ spatial: 2, temporal: 2 })).toBeGreaterThan(1216);
		expect(holdFloorKbps([{ layerKbps: undefined, layer: { spatial: 2, temporal: 2 } }])).toBe(HOLD_EXTRA_KBPS);
		expect(holdFloorKbps([])).toBeGreaterThanOrEqual(30);
	});
});

describe('climbCapKbps: after a climb', () => {
	it('keeps the floor below the estimate the climb was decided on, less the headroom', () => {
		const profile = builtinProfiles.calm;
		// Calm on 2/1 climbs to the full frame rate once the estimate carries it (1300 on a line around 1200).
		const onHalf = { ...initialState(profile), current: { spatial: 2, temporal: 1 } };
		const first = decide(profile, onHalf, { now: 0, estimateKbps: 1300, loss: 0, layerKbps: ladder });
		const climb = decide(profile, first.state, { now: 1000, estimateKbps: 1300, loss: 0, layerKbps: ladder });
		expect(climb.decision).toEqual({ layer: { spatial: 2, temporal: 2 }, reason: 'up' });
		const cap = climbCapKbps(1300, profile.headroom);
		const floor = holdFloorKbps([{ layerKbps: ladder, layer: climb.decision.layer }], cap);
		// Uncapped the floor would be 1216 × 1.25 + 64 = 1584, above the line and the estimate.
		expect(floorOf({ spatial: 2, temporal: 2 })).toBe(1584);
		expect(floor).toBe(1170);
		expect(floor).toBeLessThan(ladder[2]![2]!);
		// So GoogCC can show the line does not carry it, and the controller steps back.
		const back = decide(profile, climb.state, { now: 2000, estimateKbps: floor, loss: 0, layerKbps: ladder });
		expect(back.decision).toEqual({ layer: { spatial: 2, temporal: 1 }, reason: 'congestion' });
	});

	it('never raises the floor, and leaves a floor below it alone', () => {
		expect(holdFloorKbps([{ layerKbps: ladder, layer: { spatial: 2, temporal: 1 } }], 5000)).toBe(floorOf({ spatial: 2, temporal: 1 }));
		expect(holdFloorKbps([{ layerKbps: ladder, layer: { spatial: 2, temporal: 2 } }], 10)).toBe(30);
	});
});

describe('heldShareKbps: an estimate at the floor', () => {
	it('carries the held layer but justifies no climb above it', () => {
		const profile = builtinProfiles.calm;
		const onHalf = { ...initialState(profile), current: { spatial: 2, temporal: 1 } };
		// A key frame lifted the held layer's measured cost (721 to 930), and the floor with it above the full frame rate's cost.
		const spiked = ladder.map((row, s) => (s === 2 ? [473, 930, 1216] : row)); // seen live: floor 1226
		const floor = holdFloorKbps([{ layerKbps: spiked, layer: { spatial: 2, temporal: 1 } }]);
		expect(floor).toBeGreaterThan(1216);
		const seen = heldShareKbps({ layerKbps: spiked, layer: { spatial: 2, temporal: 1 } });
		let state = onHalf;
		for (let now = 0; now <= 5000; now += 1000) {
			// The floor itself would have been enough for a climb; what the floor holds is not.
			expect(decide(profile, state, { now, estimateKbps: floor, loss: 0, layerKbps: spiked }).decision.reason).not.toBe('congestion');
			const step = decide(profile, state, { now, estimateKbps: seen, loss: 0, layerKbps: spiked });
			expect(step.decision.layer).toEqual({ spatial: 2, temporal: 1 });
			state = step.state;
		}
		const climbs = decide(profile, onHalf, { now: 0, estimateKbps: floor, loss: 0, layerKbps: spiked });
		const later = decide(profile, climbs.state, { now: 1000, estimateKbps: floor, loss: 0, layerKbps: spiked });
		expect(later.decision.layer).toEqual({ spatial: 2, temporal: 2 });
	});
});

describe('queueDelayMs: a queue growing at the bottleneck', () => {
	/** Round trips once a second from t = 0. */
	const series = (ms: number[]) => ms.reduce<RttSample[]>((acc, v, i) => recordRtt(acc, i * 1000, v), []);

	it('is the latest round trip above the lowest of the window', () => {
		expect(queueDelayMs([])).toBe(0);
		expect(queueDelayMs(series([4, 5, 3, 6]))).toBe(3);
		// A line that does not carry the full frame rate: the tbf's queue fills second by second.
		expect(queueDelayMs(series([4, 5, 3, 60, 180]))).toBe(177);
		expect(queueDelayMs(series([4, 5, 3, 60, 180]))).toBeGreaterThan(HOLD_QUEUE_MS);
	});

	it('forgets round trips older than the window, and ignores missing or invalid readings', () => {
		let s = series([3, 200]);
		s = recordRtt(s, RTT_WINDOW_MS + 500, 210);
		// The 3 ms of t = 0 has left the window: the queue of 200-210 ms is the new normal.
		expect(s.map((x) => x.ms)).toEqual([200, 210]);
		expect(queueDelayMs(s)).toBe(10);
		expect(recordRtt(s, RTT_WINDOW_MS + 900, undefined)).toHaveLength(2);
		expect(recordRtt(s, RTT_WINDOW_MS + 900, Number.NaN)).toHaveLength(2);
		expect(recordRtt(s, RTT_WINDOW_MS + 900, -1)).toHaveLength(2);
	});

	it('read at the floor, steps the controller down one frame rate before any loss', () => {
		// Calm on full resolution and frame rate, the estimate pinned at its floor, no loss yet:
		// the driver gives the controller 0.85 times the delivered rate (what is sent, audio too).
		const profile = builtinProfiles.calm;
		const full = { ...initialState(profile), current: { spatial: 2, temporal: 2 } };
		const sent = 1216 + 60;
		const { decision } = decide(profile, full, { now: 1000, estimateKbps: sent * HOLD_QUEUE_BACKOFF, loss: 0, layerKbps: ladder });
		expect(decision).toEqual({ layer: { spatial: 2, temporal: 1 }, reason: 'congestion' });
	});
});

describe('nextHoldFloor', () => {
	it('sets the first floor and any change of 10 % or more, either way', () => {
		expect(nextHoldFloor(undefined, 965)).toBe(965);
		expect(nextHoldFloor(965, 655)).toBe(655);
		expect(nextHoldFloor(600, 660)).toBe(660);
		expect(nextHoldFloor(600, 540)).toBe(540);
	});

	it('skips a change under 10 % (the layers’ bitrate swings)', () => {
		expect(nextHoldFloor(600, 659)).toBeUndefined();
		expect(nextHoldFloor(600, 541)).toBeUndefined();
	});
});
