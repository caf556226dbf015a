import {
	builtinProfiles,
	decide,
	defaultModel,
	fitProfileToLadder,
	initialState,
	ladderLayer,
	parseTrace,
	simulate,
	spatialLayerCount,
	type Observation,
} from '@luwte/engine/abr';
import { describe, expect, it } from 'vitest';

// A camera sends as many spatial layers as its capture allows (a 360p camera two). The stimulus
// profiles name layers for a ladder of three (2 = full resolution); on a shorter ladder they are
// counted from the top, so "full resolution" is the camera's own.

/** The 360p camera's ladder (320×180 at 150, 640×360 at 500 kbit/s), temporal layers 40/60/100 %. */
const ladder360: number[][] = [
	[60, 90, 150],
	[200, 300, 500],
];

describe('profiles on a ladder of fewer (or more) layers than three', () => {
	it('counts the profile layers from the top of the ladder', () => {
		// [profile layer 0, 1, 2] on ladders of 1 to 4 layers.
		expect([0, 1, 2].map((s) => ladderLayer(s, 1))).toEqual([0, 0, 0]);
		expect([0, 1, 2].map((s) => ladderLayer(s, 2))).toEqual([0, 0, 1]);
		expect([0, 1, 2].map((s) => ladderLayer(s, 3))).toEqual([0, 1, 2]);
		expect([0, 1, 2].map((s) => ladderLayer(s, 4))).toEqual([1, 2, 3]);
	});

	it('fits the built-in profiles: full stays full, half is the layer below the top', () => {
		const two = (id: keyof typeof builtinProfiles) => fitProfileToLadder(builtinProfiles[id], 2);
		expect([two('calm').startSpatialLayer, two('calm').maxSpatialLayer]).toEqual([0, 1]);
		expect([two('standard').startSpatialLayer, two('standard').maxSpatialLayer]).toEqual([0, 1]);
		expect([two('greedy').startSpatialLayer, two('greedy').maxSpatialLayer]).toEqual([1, 1]);
		// Everything else, the frame-rate cap included, is the receiver's.
		expect({ ...two('calm'), startSpatialLayer: 1, maxSpatialLayer: 2 }).toEqual(builtinProfiles.calm);
		const one = fitProfileToLadder(builtinProfiles.greedy, 1);
		expect([one.startSpatialLayer, one.maxSpatialLayer]).toEqual([0, 0]);
		expect(fitProfileToLadder(builtinProfiles.calm, 3)).toBe(builtinProfiles.calm);
		// A custom cap at half resolution stays one below the top.
		const halfCap = { ...builtinProfiles.calm, id: 'half', maxSpatialLayer: 1, startSpatialLayer: 1 };
		expect(fitProfileToLadder(halfCap, 2).maxSpatialLayer).toBe(0);
	});

	it('reads the ladder length from the producer’s encodings', () => {
		const producer = (n: number | undefined) => ({
			rtpParameters: {
				codecs: [],
				...(n === undefined ? {} : { encodings: Array.from({ length: n }, (_, i) => ({ rid: `r${i}` })) }),
			},
		});
		expect(spatialLayerCount(producer(3))).toBe(3);
		expect(spatialLayerCount(producer(2))).toBe(2);
		expect(spatialLayerCount(producer(1))).toBe(1);
		expect(spatialLayerCount(producer(undefined))).toBe(1);
	});

	it('greedy on a 360p camera takes its 640×360 from the first decision', () => {
		const greedy = fitProfileToLadder(builtinProfiles.greedy, 2);
		const state = initialState(greedy);
		expect(state.current).toEqual({ spatial: 1, temporal: 2 });
		const obs: Observation = { now: 0, estimateKbps: 2000, loss: 0, layerKbps: ladder360 };
		expect(decide(greedy, state, obs).decision).toEqual({ layer: { spatial: 1, temporal: 2 }, reason: 'hold' });
	});

	it('greedy takes the highest layer really sent when a sender announces three and sends two', () => {
		// An older SDK asked a 360p camera for three layers; the browser sends the lower two only.
		const announced3 = [...ladder360, [0, 0, 0]];
		const r = simulate(parseTrace('t_ms,kbps\n0,3000\n60000,3000\n'), builtinProfiles.greedy, {
			...defaultModel,
			layerKbps: announced3,
		});
		expect(r).toMatchObject({ spatialSwitches: 0, freezeSeconds: 0, meanKbps: 500 });
	});

	it('on a steady 3 Mbit/s line from a cold start, calm starts one below the top of a 360p camera and goes up once', () => {
		// Worked out by hand: the fitted calm starts on L0T2 (150, the "half" of 640×360); the top's
		// lowest frame rate (200) fits the estimate (1000 and rising, ±10 %) with headroom from the
		// first tick, so after the 10 s hold (100 ticks) calm goes to L1T2 (500) for the remaining
		// 5900 ticks: (100·150 + 5900·500) / 6000 = 494.2.
		const model = { ...defaultModel, layerKbps: ladder360, warmStart: false };
		const r = simulate(parseTrace('t_ms,kbps\n0,3000\n600000,3000\n'), builtinProfiles.calm, model);
		expect(r).toEqual({
			profile: 'calm',
			durationSeconds: 600,
			spatialSwitches: 1,
			temporalSwitches: 0,
			spatialSwitchesPerHour: 6,
			freezeSeconds: 0,
			meanKbps: 494.2,
		});
	});
});
