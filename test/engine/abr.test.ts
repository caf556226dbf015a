import {
	builtinProfiles,
	decide,
	defaultModel,
	initialState,
	parseTrace,
	simulate,
	stimulusProfileSchema,
	type Observation,
	type StimulusProfile,
} from '@luwte/engine/abr';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

const ladder = defaultModel.layerKbps;

const profileArb: fc.Arbitrary<StimulusProfile> = fc
	.record({
		maxSpatialLayer: fc.integer({ min: 0, max: 2 }),
		maxTemporalLayer: fc.integer({ min: 0, max: 2 }),
		startSpatialLayer: fc.integer({ min: 0, max: 2 }),
		minSwitchIntervalMs: fc.integer({ min: 0, max: 120_000 }),
		upHoldMs: fc.integer({ min: 0, max: 60_000 }),
		returnHoldMs: fc.integer({ min: 0, max: 30_000 }),
		startHeadroom: fc.double({ min: 0.2, max: 1, noNaN: true }),
		sustainWindowMs: fc.integer({ min: 0, max: 120_000 }),
		sustainQuantile: fc.double({ min: 0, max: 0.5, noNaN: true }),
		downGraceMs: fc.integer({ min: 0, max: 10_000 }),
		temporalUpHoldMs: fc.integer({ min: 0, max: 20_000 }),
		headroom: fc.double({ min: 0.5, max: 1, noNaN: true }),
		congestion: fc.constantFrom('framerate-first' as const, 'resolution-first' as const),
		holdLayers: fc.boolean(),
	})
	.map((p) => stimulusProfileSchema.parse({ id: 'prop', ...p, startSpatialLayer: Math.min(p.startSpatialLayer, p.maxSpatialLayer) }));

/** Observations every 100-2000 ms with estimates and loss anywhere in a realistic range. */
const observationsArb: fc.Arbitrary<Observation[]> = fc
	.array(
		fc.record({
			dt: fc.integer({ min: 100, max: 2000 }),
			est: fc.integer({ min: 0, max: 4000 }),
			loss: fc.constantFrom(0, 0, 0, 0.02, 0.2),
		}),
		{
			minLength: 1,
			maxLength: 300,
		},
	)
	.map((steps) => {
		let now = 0;
		return steps.map((s) => {
			now += s.dt;
			return { now, estimateKbps: s.est, loss: s.loss, layerKbps: ladder };
		});
	});

function run(profile: StimulusProfile, obs: Observation[]) {
	let state = initialState(profile);
	return obs.map((o) => {
		const step = decide(profile, state, o);
		state = step.state;
		return { o, ...step.decision };
	});
}

describe('calm ABR controller (properties)', () => {
	it('never exceeds the profile caps', () => {
		fc.assert(
			fc.property(profileArb, observationsArb, (profile, obs) => {
				for (const d of run(profile, obs)) {
					expect(d.layer.spatial).toBeLessThanOrEqual(profile.maxSpatialLayer);
					expect(d.layer.temporal).toBeLessThanOrEqual(profile.maxTemporalLayer);
				}
			}),
			{ numRuns: 300 },
		);
	});

	it('never makes two visible switches closer than the policy allows, unless congestion forced one of them', () => {
		fc.assert(
			fc.property(profileArb, observationsArb, (profile, obs) => {
				let prev = initialState(profile).current.spatial;
				let lastSwitch = Number.NEGATIVE_INFINITY;
				let lastWasForcedDown = false;
				// The resolution held before the latest run of congestion-forced down-switches.
				let beforeForced = prev;
				for (const d of run(profile, obs)) {
					if (d.layer.spatial !== prev) {
						const goingUp = d.layer.spatial > prev;
						if (goingUp) {
							expect(d.reason).toBe('up');
							if (d.o.now - lastSwitch < profile.minSwitchIntervalMs) {
								// Inside the interval only the return from a forced drop, and no higher.
								expect(lastWasForcedDown).toBe(true);
								expect(d.layer.spatial).toBeLessThanOrEqual(beforeForced);
							}
							lastWasForcedDown = false;
						} else {
							// A down-switch is only made when the old layer no longer fitted.
							expect(['congestion', 'cap']).toContain(d.reason);
							// A run of forced drops: each within the interval of the one before.
							if (!lastWasForcedDown || d.o.now - lastSwitch >= profile.minSwitchIntervalMs) beforeForced = prev;
							lastWasForcedDown = d.reason === 'congestion';
						}
						lastSwitch = d.o.now;
						prev = d.layer.spatial;
					}
				}
			}),
			{ numRuns: 300 },
		);
	});

	it('goes up in resolution only to a layer that fits the estimate with the headroom, in frame rate to one that fits the estimate', () => {
		fc.assert(
			fc.property(profileArb, observationsArb, (profile, obs) => {
				let prev = initialState(profile).current.spatial;
				for (const d of run(profile, obs)) {
					const need = ladder[d.layer.spatial]![d.layer.temporal]!;
					if (d.reason === 'up' && d.layer.spatial !== prev)
						expect(need).toBeLessThanOrEqual(d.o.estimateKbps * profile.headroom + 1e-9);
					else if (d.reason === 'up') expect(need).toBeLessThanOrEqual(d.o.estimateKbps);
					prev = d.layer.spatial;
				}
			}),
			{ numRuns: 300 },
		);
	});

	it('is deterministic: the same observations give the same decisions', () => {
		fc.assert(
			fc.property(profileArb, observationsArb, (profile, obs) => {
				expect(run(profile, obs)).toEqual(run(profile, obs));
			}),
			{ numRuns: 100 },
		);
	});

	it('never picks a layer the producer does not send', () => {
		const noTop = [ladder[0]!, ladder[1]!, [0, 0, 0]];
		fc.assert(
			fc.property(profileArb, observationsArb, (profile, obs) => {
				for (const d of run(
					profile,
					obs.map((o) => ({ ...o, layerKbps: noTop })),
				))
					expect(d.layer.spatial).toBeLessThan(2);
			}),
			{ numRuns: 200 },
		);
	});
});

describe('simulator', () => {
	it('on a steady 3 Mbit/s line with a known estimate, calm starts at full resolution and never switches', () => {
		// Worked out by hand: 3000 kbit/s with at most 10 % noise leaves half of the estimate above
		// the full-resolution 1200 kbit/s layer, so calm starts on L2T2 and nothing ever changes.
		const r = simulate(parseTrace('t_ms,kbps\n0,3000\n600000,3000\n'), builtinProfiles.calm);
		expect(r).toEqual({
			profile: 'calm',
			durationSeconds: 600,
			spatialSwitches: 0,
			temporalSwitches: 0,
			spatialSwitchesPerHour: 0,
			freezeSeconds: 0,
			meanKbps: 1200,
		});
	});

	it('on a steady 3 Mbit/s line from a cold start, calm starts at half resolution and goes up once, after its hold', () => {
		// Worked out by hand: the estimate starts at 1000 kbit/s, so L1T2 (500); the full resolution's
		// lowest frame rate (480) fits from the first tick, so after the 10 s hold (100 ticks) calm
		// goes to L2T2 (1200) for the remaining 5900 ticks: (100·500 + 5900·1200) / 6000 = 1188.3.
		const r = simulate(parseTrace('t_ms,kbps\n0,3000\n600000,3000\n'), builtinProfiles.calm, { ...defaultModel, warmStart: false });
		expect(r).toEqual({
			profile: 'calm',
			durationSeconds: 600,
			spatialSwitches: 1,
			temporalSwitches: 0,
			spatialSwitchesPerHour: 6,
			freezeSeconds: 0,
			meanKbps: 1188.3,
		});
	});

	it('rides out a 2 s outage at the same resolution, and drops for a long one', () => {
		const short = simulate(parseTrace('t_ms,kbps\n0,3000\n60000,100\n62000,3000\n120000,3000\n'), builtinProfiles.calm);
		expect(short.spatialSwitches).toBe(0);
		// Frozen through the outage (nothing fits through 100 kbit/s in time) and the queue's drain.
		expect(short.freezeSeconds).toBeGreaterThan(1);
		expect(short.freezeSeconds).toBeLessThanOrEqual(3);
		const long = simulate(parseTrace('t_ms,kbps\n0,3000\n60000,300\n90000,3000\n180000,3000\n'), builtinProfiles.calm);
		// Down once after the grace, back once: a lower resolution plays through most of the 30 s
		// instead of a frozen picture (the frozen part is the grace and the queue draining after it).
		expect(long.spatialSwitches).toBe(2);
		expect(long.freezeSeconds).toBeLessThan(10);
	});

	it('greedy follows every swing of the line; calm stays put', () => {
		// 1500 and 400 kbit/s alternating every 10 s for 10 minutes: at 400 only half resolution fits.
		let csv = 't_ms,kbps\n';
		for (let t = 0; t < 600_000; t += 10_000) csv += `${t},${(t / 10_000) % 2 ? 400 : 1500}\n`;
		csv += '600000,1500\n';
		const trace = parseTrace(csv);
		const greedy = simulate(trace, builtinProfiles.greedy);
		const calm = simulate(trace, builtinProfiles.calm);
		expect(greedy.spatialSwitches).toBeGreaterThanOrEqual(50);
		expect(calm.spatialSwitches).toBeLessThanOrEqual(greedy.spatialSwitches / 5);
		expect(calm.freezeSeconds).toBeLessThanOrEqual(greedy.freezeSeconds);
	});

	it.each([
		['kbps,t_ms\n0,1\n1,1', /line 1/],
		['t_ms,kbps\n0,100\n0,200', /line 3: times must increase/],
		['t_ms,kbps\n5,100\n10,200', /line 2: the first time must be 0/],
		['t_ms,kbps\n0,abc\n10,1', /line 2: expected two numbers/],
		['t_ms,kbps\n0,-5\n10,1', /line 2: .*negative/],
		['t_ms,kbps\n0,100', /at least two rows/],
	])('rejects a bad trace with the line named (%#)', (csv, message) => {
		expect(() => parseTrace(csv)).toThrow(message);
	});
});
