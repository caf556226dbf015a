import { decide, initialState, type Layer } from './controller.ts';
import { fitProfileToLadder } from './ladder.ts';
import type { StimulusProfile } from './profiles.ts';
import { seededRandom } from './seeded-random.ts';
import { bandwidthAt, type TracePoint } from './trace.ts';

/**
 * The model the simulator plays a trace through (documented in docs/abr.md):
 * - the SDK's simulcast ladder for a 720p camera (¼, ½, full resolution at 150 / 500 / 1200 kbit/s) with three
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
	/**
	 * The bottleneck's queue (a home router, a cell): what is sent beyond the path's rate waits
	 * there, up to this many milliseconds of the path's rate, and is dropped beyond that. Frames
	 * that wait longer than the jitter buffer holds arrive too late: the picture freezes until the
	 * queue has drained. 0: no queue (what does not fit is simply not delivered).
	 */
	queueMs: number;
	/**
	 * A resolution switch needs a key frame of the new layer, several times the size of an
	 * ordinary frame: modelled as this many milliseconds of the new layer's bitrate sent at once.
	 */
	keyFrameMs: number;
	/** Whether the receiver's estimate is already known when the picture starts (a warm transport). */
	warmStart: boolean;
	/** Where a cold receiver's estimate starts (the engine's initial outgoing bitrate). */
	coldEstimateKbps: number;
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
	queueMs: 1000,
	keyFrameMs: 200,
	warmStart: true,
	coldEstimateKbps: 1000,
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
	receiverProfile: StimulusProfile,
	model: SimulationModel = defaultModel,
	onTick?: (p: TimelinePoint) => void,
): SimulationResult {
	// A shorter ladder (a 360p camera's two layers) is counted from the top, as the driver does.
	const profile = fitProfileToLadder(receiverProfile, model.layerKbps.length);
	const durationMs = points.at(-1)!.tMs;
	// A warm receiver's estimate is what the path carries; a cold one starts where mediasoup's
	// estimator does (the engine's initial outgoing bitrate) and the profile's start layer.
	let estimate = model.warmStart ? points[0]!.kbps : model.coldEstimateKbps;
	let state = model.warmStart ? initialState(profile, estimate, model.layerKbps) : initialState(profile);
	let loss = 0;
	let spatialSwitches = 0;
	let temporalSwitches = 0;
	let overshootMs = 0;
	let queueKbit = 0;
	let frozenMs = 0;
	let deliveredKbpsTicks = 0;
	let ticks = 0;
	let hint = 0;
	let previous = state.current;
	const dt = model.tickMs / 1000;
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
		const need = model.layerKbps[layer.spatial]![layer.temporal]!;
		let sent = need * dt;
		if (layer.spatial !== previous.spatial) {
			spatialSwitches++;
			sent += (need * model.keyFrameMs) / 1000;
		} else if (layer.temporal !== previous.temporal) temporalSwitches++;
		previous = layer;
		let frozen: boolean;
		if (model.queueMs > 0) {
			queueKbit = Math.max(0, queueKbit + sent - bw.kbps * dt);
			const capacity = (bw.kbps * model.queueMs) / 1000;
			const dropped = Math.max(0, queueKbit - capacity);
			queueKbit -= dropped;
			const delayMs = bw.kbps > 0 ? (queueKbit / bw.kbps) * 1000 : queueKbit > 0 ? Number.POSITIVE_INFINITY : 0;
			frozen = delayMs > model.jitterBufferMs || (bw.kbps === 0 && need > 0);
			loss = sent > 0 ? Math.min(1, dropped / sent) : 0;
		} else {
			const over = need > bw.kbps;
			overshootMs = over ? overshootMs + model.tickMs : 0;
			frozen = overshootMs > model.jitterBufferMs;
			loss = over ? 1 - bw.kbps / need : 0;
		}
		if (frozen) frozenMs += model.tickMs;
		else deliveredKbpsTicks += need;
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
