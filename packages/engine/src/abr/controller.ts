import type { StimulusProfile } from './profiles.ts';

/** A simulcast layer: spatial 0..2 (resolution), temporal 0..2 (frame rate). */
export interface Layer {
	spatial: number;
	temporal: number;
}

/** What the driver (or the simulator) knows about one consumer at one moment. */
export interface Observation {
	/** Milliseconds, monotonic. */
	now: number;
	/** Estimated available bitrate towards this receiver (kbit/s). */
	estimateKbps: number;
	/** Fraction of packets lost recently (0..1). */
	loss: number;
	/**
	 * Bitrate of each layer as the producer sends it (kbit/s), cumulative over temporal layers:
	 * `layerKbps[s][t]` is what receiving spatial layer s at temporal layer t costs. A missing or
	 * zero entry is a layer the producer does not send.
	 */
	layerKbps: readonly (readonly number[])[];
}

export interface AbrState {
	readonly current: Layer;
	/** When the last visible (spatial) switch happened; -Infinity before the first. */
	readonly lastSpatialSwitchAt: number;
	/** Since when a higher spatial layer has fitted continuously (undefined: it does not). */
	readonly spatialUpSince: number | undefined;
	/** Since when a higher temporal layer has fitted continuously. */
	readonly temporalUpSince: number | undefined;
}

export type DecisionReason = 'hold' | 'congestion' | 'up' | 'cap';

export interface Decision {
	layer: Layer;
	reason: DecisionReason;
}

/** Loss above this means the path is congested, whatever the estimate says. */
const CONGESTION_LOSS = 0.1;

export function initialState(profile: StimulusProfile): AbrState {
	return {
		current: { spatial: Math.min(profile.startSpatialLayer, profile.maxSpatialLayer), temporal: profile.maxTemporalLayer },
		lastSpatialSwitchAt: Number.NEGATIVE_INFINITY,
		spatialUpSince: undefined,
		temporalUpSince: undefined,
	};
}

function cost(obs: Observation, l: Layer): number {
	return obs.layerKbps[l.spatial]?.[l.temporal] ?? 0;
}

function available(obs: Observation, l: Layer): boolean {
	return cost(obs, l) > 0;
}

/** All layers within the caps that the producer sends, best first (spatial, then temporal). */
function candidates(profile: StimulusProfile, obs: Observation): Layer[] {
	const out: Layer[] = [];
	for (let s = profile.maxSpatialLayer; s >= 0; s--) {
		for (let t = profile.maxTemporalLayer; t >= 0; t--) if (available(obs, { spatial: s, temporal: t })) out.push({ spatial: s, temporal: t });
	}
	return out;
}

/**
 * The best layer that fits `budget`. With `below` (congestion), only layers no higher in
 * resolution than that one, and with framerate-first its resolution is kept if any frame rate
 * of it still fits.
 */
function bestFitting(profile: StimulusProfile, obs: Observation, budget: number, below?: Layer): Layer | undefined {
	const fits = candidates(profile, obs).filter((l) => cost(obs, l) <= budget && (!below || l.spatial <= below.spatial));
	if (below && profile.congestion === 'framerate-first') {
		const same = fits.find((l) => l.spatial === below.spatial);
		if (same) return same;
	}
	return fits[0];
}

const lower = (a: Layer, b: Layer) => a.spatial < b.spatial || (a.spatial === b.spatial && a.temporal < b.temporal);

/**
 * One step of the calm controller: pure, deterministic, no timers. Goes down at once when the
 * current layer no longer fits (a freeze is worse than a lower layer); goes up only after a
 * better estimate has held, and never sooner than the profile's interval after the last
 * visible switch.
 */
export function decide(profile: StimulusProfile, state: AbrState, obs: Observation): { state: AbrState; decision: Decision } {
	const all = candidates(profile, obs);
	const lowest = all.at(-1);
	if (!lowest) return { state, decision: { layer: state.current, reason: 'hold' } };
	const current = state.current;
	// Outside the caps, or a layer the producer stopped sending: move to the best that exists.
	if (current.spatial > profile.maxSpatialLayer || current.temporal > profile.maxTemporalLayer || !available(obs, current)) {
		const fallback = bestFitting(profile, obs, obs.estimateKbps * profile.headroom) ?? lowest;
		return finish(state, fallback, obs.now, 'cap');
	}

	// Down, at once: the current layer needs more than the path carries.
	const congested = cost(obs, current) > obs.estimateKbps || obs.loss > CONGESTION_LOSS;
	if (congested) {
		const budget = obs.loss > CONGESTION_LOSS ? Math.min(obs.estimateKbps, cost(obs, current)) * profile.headroom : obs.estimateKbps * profile.headroom;
		const target = bestFitting(profile, obs, budget, current) ?? lowest;
		if (lower(target, current)) return finish(state, target, obs.now, 'congestion');
		// Already as low as it goes: hold, and do not climb while congested.
		return { state: { ...state, spatialUpSince: undefined, temporalUpSince: undefined }, decision: { layer: current, reason: 'hold' } };
	}

	// Up, slowly: only what fits with headroom, after it has held.
	const best = bestFitting(profile, obs, obs.estimateKbps * profile.headroom) ?? lowest;
	let spatialUpSince = state.spatialUpSince;
	let temporalUpSince = state.temporalUpSince;
	if (best.spatial > current.spatial) {
		spatialUpSince ??= obs.now;
		const held = obs.now - spatialUpSince >= profile.upHoldMs;
		const spaced = obs.now - state.lastSpatialSwitchAt >= profile.minSwitchIntervalMs;
		if (held && spaced) {
			// Straight to the best layer that fits: one visible change, not a staircase.
			return finish(state, best, obs.now, 'up');
		}
	} else {
		spatialUpSince = undefined;
	}
	const sameSpatialBest = candidates(profile, obs).find((l) => l.spatial === current.spatial && cost(obs, l) <= obs.estimateKbps * profile.headroom);
	if (sameSpatialBest && sameSpatialBest.temporal > current.temporal) {
		temporalUpSince ??= obs.now;
		if (obs.now - temporalUpSince >= profile.temporalUpHoldMs) {
			// Frame rate only: a spatial climb already under way keeps its clock.
			return { state: { ...state, current: sameSpatialBest, spatialUpSince, temporalUpSince: undefined }, decision: { layer: sameSpatialBest, reason: 'up' } };
		}
	} else {
		temporalUpSince = undefined;
	}
	return { state: { ...state, spatialUpSince, temporalUpSince }, decision: { layer: current, reason: 'hold' } };
}

function finish(state: AbrState, layer: Layer, now: number, reason: DecisionReason): { state: AbrState; decision: Decision } {
	const spatialChanged = layer.spatial !== state.current.spatial;
	return {
		state: {
			current: layer,
			lastSpatialSwitchAt: spatialChanged ? now : state.lastSpatialSwitchAt,
			spatialUpSince: undefined,
			temporalUpSince: undefined,
		},
		decision: { layer, reason },
	};
}
