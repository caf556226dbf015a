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
	/** Since when a higher resolution has been sustainable (undefined: it is not). */
	readonly spatialUpSince: number | undefined;
	/** Since when a higher frame rate has fitted continuously. */
	readonly temporalUpSince: number | undefined;
	/** Since when not even the lowest frame rate of the current resolution has fitted. */
	readonly starvedSince: number | undefined;
	/**
	 * The resolution congestion last forced the picture down from, while a return to it is still
	 * allowed (until the switch interval has passed; after that the ordinary up rule applies).
	 */
	readonly forcedFrom: number | undefined;
	/**
	 * The lowest estimate seen in each of the last slots of the sustain window, oldest first (the
	 * last entry is the slot still filling). What the path sustains is a low quantile of these.
	 */
	readonly slotMins: readonly number[];
	/** When the slot still filling began. */
	readonly slotStart: number;
}

export type DecisionReason = 'hold' | 'congestion' | 'up' | 'cap';

export interface Decision {
	layer: Layer;
	reason: DecisionReason;
}

/** Loss above this means the path is congested, whatever the estimate says. */
const CONGESTION_LOSS = 0.1;

/**
 * Where the stream starts. Without an estimate: the profile's start layer. With an estimate the
 * receiver already had before this picture was shown (a warm transport), the best layer that fits
 * it with the profile's start headroom, never above the profile's start layer ceiling.
 */
export function initialState(profile: StimulusProfile, startEstimateKbps?: number, layerKbps?: Observation['layerKbps']): AbrState {
	let current: Layer = { spatial: Math.min(profile.startSpatialLayer, profile.maxSpatialLayer), temporal: profile.maxTemporalLayer };
	if (startEstimateKbps !== undefined && layerKbps) {
		const obs: Observation = { now: 0, estimateKbps: startEstimateKbps, loss: 0, layerKbps };
		// Nothing fits a weak path: its lowest layer, not the profile's (higher) start layer.
		const fit = bestFitting(profile, obs, startEstimateKbps * profile.startHeadroom) ?? candidates(profile, obs).at(-1);
		if (fit) current = fit;
	}
	return {
		current,
		lastSpatialSwitchAt: Number.NEGATIVE_INFINITY,
		spatialUpSince: undefined,
		temporalUpSince: undefined,
		starvedSince: undefined,
		forcedFrom: undefined,
		slotMins: [],
		slotStart: Number.NEGATIVE_INFINITY,
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
		for (let t = profile.maxTemporalLayer; t >= 0; t--)
			if (available(obs, { spatial: s, temporal: t })) out.push({ spatial: s, temporal: t });
	}
	return out;
}

/** The best layer that fits `budget`, optionally no higher in resolution than `maxSpatial`. */
function bestFitting(profile: StimulusProfile, obs: Observation, budget: number, maxSpatial = profile.maxSpatialLayer): Layer | undefined {
	return candidates(profile, obs).find((l) => l.spatial <= maxSpatial && cost(obs, l) <= budget);
}

/** The best frame rate of resolution `spatial` that fits `budget`. */
function bestFrameRate(profile: StimulusProfile, obs: Observation, spatial: number, budget: number): Layer | undefined {
	return candidates(profile, obs).find((l) => l.spatial === spatial && cost(obs, l) <= budget);
}

/** The resolution's lowest frame rate, when the producer sends it and it fits `budget`. */
function fitsFloor(profile: StimulusProfile, obs: Observation, spatial: number, budget: number): Layer | undefined {
	const floor = lowestFrameRate(profile, obs, spatial);
	return floor && cost(obs, floor) <= budget ? floor : undefined;
}

/** The lowest frame rate the producer sends for a resolution. */
function lowestFrameRate(profile: StimulusProfile, obs: Observation, spatial: number): Layer | undefined {
	return candidates(profile, obs).findLast((l) => l.spatial === spatial);
}

/** `a` is below `b`: a lower resolution, or the same at a lower frame rate. */
export const lower = (a: Layer, b: Layer): boolean => a.spatial < b.spatial || (a.spatial === b.spatial && a.temporal < b.temporal);

/** Adds the estimate to the sustain window; returns the new slots. */
function record(profile: StimulusProfile, state: AbrState, obs: Observation): Pick<AbrState, 'slotMins' | 'slotStart'> {
	const slotMs = profile.sustainWindowMs / SLOTS;
	if (slotMs <= 0) return { slotMins: [obs.estimateKbps], slotStart: obs.now };
	if (obs.now - state.slotStart < slotMs && state.slotMins.length > 0) {
		const last = state.slotMins.length - 1;
		if (obs.estimateKbps >= state.slotMins[last]!) return state;
		const slotMins = state.slotMins.slice();
		slotMins[last] = obs.estimateKbps;
		return { slotMins, slotStart: state.slotStart };
	}
	// A new slot; slots skipped by a gap in observations are simply absent.
	const slotMins = state.slotMins.length >= SLOTS ? state.slotMins.slice(1 - SLOTS) : state.slotMins.slice();
	slotMins.push(obs.estimateKbps);
	return { slotMins, slotStart: obs.now };
}

/** The sustain window holds this many slots; the quantile is taken over their minima. */
const SLOTS = 20;

/**
 * What the path has sustained: a low quantile of the per-slot minima over the window. Until the
 * window has filled, the lowest seen (a new receiver has not shown what it sustains yet).
 */
function sustained(profile: StimulusProfile, slotMins: readonly number[]): number {
	if (slotMins.length === 0) return 0;
	const sorted = slotMins.toSorted((a, b) => a - b);
	if (slotMins.length < SLOTS) return sorted[0]!;
	return sorted[Math.min(sorted.length - 1, Math.floor(profile.sustainQuantile * sorted.length))]!;
}

/**
 * One step of the calm controller: pure, deterministic, no timers.
 * - The **resolution** follows what the path sustains (a low quantile of the estimate over the
 *   profile's window): up only when even the higher resolution's lowest frame rate fits that with
 *   headroom, after a hold, and never sooner than the profile's interval after the last visible
 *   switch.
 * - The **frame rate** absorbs the short swings: down at once when the current layer no longer fits
 *   the estimate, up after a short hold once the estimate carries it again (no headroom).
 * - When not even the lowest frame rate of the resolution fits, the resolution goes down: at once
 *   with `resolution-first`, after `downGraceMs` with `framerate-first` (a dip shorter than that is
 *   ridden out: by the time a lower resolution's key frame got through, it would be over).
 */
export function decide(profile: StimulusProfile, state: AbrState, obs: Observation): { state: AbrState; decision: Decision } {
	const all = candidates(profile, obs);
	const lowest = all.at(-1);
	if (!lowest) return { state, decision: { layer: state.current, reason: 'hold' } };
	const window = record(profile, state, obs);
	const s0: AbrState = window === state ? state : { ...state, ...window };
	const current = s0.current;
	// Outside the caps, or a layer the producer stopped sending: move to the best that exists.
	if (current.spatial > profile.maxSpatialLayer || current.temporal > profile.maxTemporalLayer || !available(obs, current)) {
		const fallback = bestFitting(profile, obs, obs.estimateKbps * profile.headroom) ?? lowest;
		return finish(profile, s0, fallback, obs.now, 'cap');
	}

	const lossy = obs.loss > CONGESTION_LOSS;
	if (cost(obs, current) > obs.estimateKbps || lossy) {
		// Congested: what the path carries now, and less than we send when packets are lost.
		const budget = (lossy ? Math.min(obs.estimateKbps, cost(obs, current)) : obs.estimateKbps) * profile.headroom;
		if (profile.congestion === 'framerate-first') {
			const sameResolution = bestFrameRate(profile, obs, current.spatial, budget);
			const floor = lowestFrameRate(profile, obs, current.spatial) ?? lowest;
			if (sameResolution) return finish(profile, s0, sameResolution, obs.now, lower(sameResolution, current) ? 'congestion' : 'hold');
			const starvedSince = s0.starvedSince ?? obs.now;
			if (obs.now - starvedSince < profile.downGraceMs) {
				// Ride out a short dip on the lowest frame rate: no visible change yet.
				const layer = floor;
				return {
					state: { ...s0, current: layer, starvedSince, spatialUpSince: undefined, temporalUpSince: undefined },
					decision: { layer, reason: lower(layer, current) ? 'congestion' : 'hold' },
				};
			}
		}
		const target = bestFitting(profile, obs, budget, current.spatial) ?? lowest;
		if (lower(target, current)) return finish(profile, s0, target, obs.now, 'congestion');
		// Already as low as it goes: hold, and do not climb while congested.
		return { state: { ...s0, spatialUpSince: undefined, temporalUpSince: undefined }, decision: { layer: current, reason: 'hold' } };
	}

	// Not congested. Resolution: up to what the path sustains, after the hold and the interval.
	const base: AbrState = s0.starvedSince === undefined ? s0 : { ...s0, starvedSince: undefined };
	const sustainedKbps = Math.min(sustained(profile, base.slotMins), obs.estimateKbps);
	let spatialUpSince = base.spatialUpSince;
	const sinceSwitch = obs.now - base.lastSpatialSwitchAt;
	// A return to the resolution congestion forced the picture out of, once the path carries it
	// again: the pair (forced down, back up) is one disturbance, so the switch interval does not
	// apply, only the shorter return hold. Otherwise: up to what the path sustains.
	const returning = base.forcedFrom !== undefined && sinceSwitch < profile.minSwitchIntervalMs;
	// Both only when the drop was an exception in the window (a wave of drops is not returned from).
	const upTo = returning
		? fitsFloor(profile, obs, base.forcedFrom!, sustainedKbps * profile.headroom)
		: candidates(profile, obs).find(
				(l) => l.spatial > current.spatial && fitsFloor(profile, obs, l.spatial, sustainedKbps * profile.headroom),
			);
	if (upTo) {
		spatialUpSince ??= obs.now;
		const held = obs.now - spatialUpSince >= (returning ? profile.returnHoldMs : profile.upHoldMs);
		if (held && (returning || sinceSwitch >= profile.minSwitchIntervalMs)) {
			// Straight to the target resolution, at the best frame rate the estimate allows: one
			// visible change, not a staircase.
			const target =
				bestFrameRate(profile, obs, upTo.spatial, obs.estimateKbps * profile.headroom) ??
				lowestFrameRate(profile, obs, upTo.spatial)!;
			return finish(profile, base, target, obs.now, 'up');
		}
	} else {
		spatialUpSince = undefined;
	}
	// Frame rate: up within the resolution once the estimate has carried it for the (short) hold,
	// without the headroom. The frame rate goes down at once on any dip of the estimate below the
	// layer's cost (a picture sent above the path freezes); with the headroom as well, a line
	// near a frame rate's cost kept the picture below it almost all the time (the estimate has to
	// sit 11 % above the cost for the whole hold, which its wobble rarely allows: 80-89 % of
	// greedy's bitrate on the near-top traces). The headroom stays for the resolution, whose
	// changes are visible and must not be undone soon.
	let temporalUpSince = base.temporalUpSince;
	const sameSpatialBest = bestFrameRate(profile, obs, current.spatial, obs.estimateKbps);
	if (sameSpatialBest && sameSpatialBest.temporal > current.temporal) {
		temporalUpSince ??= obs.now;
		if (obs.now - temporalUpSince >= profile.temporalUpHoldMs) {
			// Frame rate only: a resolution climb already under way keeps its clock.
			return {
				state: { ...base, current: sameSpatialBest, spatialUpSince, temporalUpSince: undefined },
				decision: { layer: sameSpatialBest, reason: 'up' },
			};
		}
	} else {
		temporalUpSince = undefined;
	}
	return { state: { ...base, spatialUpSince, temporalUpSince }, decision: { layer: current, reason: 'hold' } };
}

function finish(
	profile: StimulusProfile,
	state: AbrState,
	layer: Layer,
	now: number,
	reason: DecisionReason,
): { state: AbrState; decision: Decision } {
	const spatialChanged = layer.spatial !== state.current.spatial;
	const returnOpen = state.forcedFrom !== undefined && now - state.lastSpatialSwitchAt < profile.minSwitchIntervalMs;
	return {
		state: {
			...state,
			current: layer,
			lastSpatialSwitchAt: spatialChanged ? now : state.lastSpatialSwitchAt,
			spatialUpSince: spatialChanged ? undefined : state.spatialUpSince,
			temporalUpSince: undefined,
			starvedSince: undefined,
			// Only a congestion drop opens a return (to where the picture was before this run of
			// drops); any other visible switch closes it.
			forcedFrom: !spatialChanged
				? state.forcedFrom
				: reason === 'congestion' && layer.spatial < state.current.spatial
					? returnOpen
						? state.forcedFrom
						: state.current.spatial
					: undefined,
		},
		decision: { layer, reason },
	};
}
