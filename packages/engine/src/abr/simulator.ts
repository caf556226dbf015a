import { decide, initialState, type Layer } from './controller.ts';
import type { StimulusProfile } from './profiles.ts';
import { seededRandom } from './seeded-random.ts';
import { bandwidthAt, type TracePoint } from './trace.ts';

/**
 * The model the simulator plays a trace through (documented in docs/abr.md):
 * - the simulcast ladder of the SDK (¼, ½, full resolution at 150 / 500 / 1200 kbit/s) with three
 *   temporal layers each carrying 40 % / 60 % / 100 % of their spatial layer's bitrate;
 * - a bandwidth estimate that follows the trace with a lag: quickly down, slowly up, as a
 *   receiver-side estimator does;
 * - a freeze: while the chosen layer needs more than the path carries, the picture stalls once
 *   the receiver's jitter buffer (300 ms) has run dry.
 */
export interface SimulationModel {
	tickMs: number;
	layerKbps: number[][];
	estimateDown: number;
	estimateUp: number;
	/**
	 * Real estimators wobble around the true rate (probing, jitter, loss reactions); that wobble
	 * is what makes a plain setup flip layers near a threshold. Correlated multiplicative noise,
	 * AR(1) with this standard deviation and correlation time, from a fixed seed (deterministic).
	 */
	estimateNoise: { sigma: number; correlationMs: number; seed: number };
	jitterBufferMs: number;
}

export const defaultModel: SimulationModel = {
	tickMs: 100,
	layerKbps: [
		[60, 90, 150],
		[200, 300, 500],
		[480, 720, 1200],
	],
	estimateDown: 0.4,
	estimateUp: 0.08,
	estimateNoise: { sigma: 0.1, correlationMs: 1500, seed: 1 },
	jitterBufferMs: 300,
};

export interface SimulationResult {
	profile: string;
	durationSeconds: number;
	spatialSwitches: number;
	temporalSwitches: number;
	spatialSwitchesPerHour: number;
	freezeSeconds: number;
	meanKbps: number;
}

export interface TimelinePoint {
	tMs: number;
	availableKbps: number;
	estimateKbps: number;
	layer: Layer;
	frozen: boolean;
}

export function simulate(
	points: readonly TracePoint[],
	profile: StimulusProfile,
	model: SimulationModel = defaultModel,
	onTick?: (p: TimelinePoint) => void,
): SimulationResult {
	const durationMs = points.at(-1)!.tMs;
	let state = initialState(profile);
	let estimate = points[0]!.kbps;
	let loss = 0;
	let spatialSwitches = 0;
	let temporalSwitches = 0;
	let overshootMs = 0;
	let frozenMs = 0;
	let deliveredKbpsTicks = 0;
	let ticks = 0;
	let hint = 0;
	let previous = state.current;
	const rnd = seededRandom(model.estimateNoise.seed);
	const rho = Math.exp(-model.tickMs / model.estimateNoise.correlationMs);
	// Uniform(-1,1) has standard deviation 1/sqrt(3): scale so the AR(1) process has `sigma`.
	const innovation = model.estimateNoise.sigma * Math.sqrt(1 - rho * rho) * Math.sqrt(3);
	let noise = 0;
	for (let t = 0; t < durationMs; t += model.tickMs) {
		const bw = bandwidthAt(points, t, hint);
		hint = bw.index;
		estimate += (bw.kbps < estimate ? model.estimateDown : model.estimateUp) * (bw.kbps - estimate);
		noise = rho * noise + innovation * (2 * rnd() - 1);
		const observed = Math.max(0, estimate * (1 + noise));
		const step = decide(profile, state, { now: t, estimateKbps: observed, loss, layerKbps: model.layerKbps });
		state = step.state;
		const layer = step.decision.layer;
		if (layer.spatial !== previous.spatial) spatialSwitches++;
		else if (layer.temporal !== previous.temporal) temporalSwitches++;
		previous = layer;
		const need = model.layerKbps[layer.spatial]![layer.temporal]!;
		const over = need > bw.kbps;
		overshootMs = over ? overshootMs + model.tickMs : 0;
		const frozen = overshootMs > model.jitterBufferMs;
		if (frozen) frozenMs += model.tickMs;
		else deliveredKbpsTicks += need;
		loss = over ? 1 - bw.kbps / need : 0;
		ticks++;
		onTick?.({ tMs: t, availableKbps: bw.kbps, estimateKbps: observed, layer, frozen });
	}
	const hours = durationMs / 3_600_000;
	return {
		profile: profile.id,
		durationSeconds: durationMs / 1000,
		spatialSwitches,
		temporalSwitches,
		spatialSwitchesPerHour: hours > 0 ? round(spatialSwitches / hours, 2) : 0,
		freezeSeconds: round(frozenMs / 1000, 3),
		meanKbps: ticks ? round(deliveredKbpsTicks / ticks, 1) : 0,
	};
}

const round = (v: number, digits: number) => Math.round(v * 10 ** digits) / 10 ** digits;
