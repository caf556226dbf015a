import type { Layer, Observation } from './controller.ts';

// The minimum outgoing bitrate of a held receiver's transport (the profile's `holdLayers`), as
// pure rules so they can be tested apart from mediasoup. (After a climb: `climbCapKbps`.) The floor keeps mediasoup's estimate
// (GoogCC's target) from going below what the held layers cost, so mediasoup's own allocation
// never lowers them on a dip the controller rides out. The price: while the estimate sits at the
// floor it says nothing about the path, and GoogCC's own early sign of a line that does not carry
// what is sent (the bottleneck's queue growing) is hidden under the floor. Two rules:
// - An estimate at the floor shows no more than the floor holds (`heldShareKbps`): the floor is
//   not the path's word, so it justifies no climb (live, a key frame lifted the measured cost of
//   the held layer, the floor with it above the next frame rate's cost, and calm climbed on it).
// - At the floor, a round-trip time risen by more than HOLD_QUEUE_MS above its lowest in the last
//   RTT_WINDOW_MS is a queue growing at the bottleneck: the path carries less than is sent, read
//   before the queue overflows and packets are lost (`queueDelayMs`; the driver then gives the
//   controller 0.85 times the delivered rate, as GoogCC does on overuse). Before, calm learned of
//   such a line only from loss (live near the top layer: the tbf dropped 5-13 % of calm's packets
//   in bursts after each climb to the full frame rate).

/** Key frames make a layer's bitrate swing above its average. */
export const HOLD_MARGIN = 1.25;
/** Audio and RTCP beside the video. */
export const HOLD_EXTRA_KBPS = 64;
/** mediasoup refuses a minimum below 30 kbit/s (0 is "none"). */
const MIN_FLOOR_KBPS = 30;
/** Queueing delay (ms of round-trip time above its recent lowest) that counts as congestion at the floor. */
export const HOLD_QUEUE_MS = 100;
/** How far back the lowest round-trip time is taken from. */
export const RTT_WINDOW_MS = 30_000;
/** At the floor with a queue growing, the controller sees this share of the delivered rate (GoogCC's overuse step). */
export const HOLD_QUEUE_BACKOFF = 0.85;

export interface RttSample {
	at: number;
	ms: number;
}

/** The round-trip samples of the window after one more (oldest dropped); an undefined reading adds none. */
export function recordRtt(samples: readonly RttSample[], at: number, ms: number | undefined): RttSample[] {
	const kept = samples.filter((s) => at - s.at <= RTT_WINDOW_MS);
	if (ms !== undefined && Number.isFinite(ms) && ms >= 0) kept.push({ at, ms });
	return kept;
}

/** The latest round-trip time above the lowest of the window: the bottleneck's queue (0: none known). */
export function queueDelayMs(samples: readonly RttSample[]): number {
	const last = samples.at(-1);
	if (!last) return 0;
	return last.ms - Math.min(...samples.map((s) => s.ms));
}

/** One consumer of a held transport: the producer's ladder as last observed, and its held layer. */
export interface HeldConsumer {
	/** Bitrate per layer (kbit/s, cumulative over temporal layers); undefined: not observed yet. */
	layerKbps: Observation['layerKbps'] | undefined;
	layer: Layer;
}

/**
 * The transport's floor (kbit/s, whole): every consumer's held layer with the margin, plus audio
 * and RTCP; after a climb never above `climbCapKbps` (see `climbCapKbps`).
 */
export function holdFloorKbps(consumers: readonly HeldConsumer[], climbCap?: number): number {
	let kbps = HOLD_EXTRA_KBPS;
	for (const c of consumers) kbps += heldShareKbps(c);
	if (climbCap !== undefined) kbps = Math.min(kbps, climbCap);
	return Math.max(MIN_FLOOR_KBPS, Math.round(kbps));
}

/**
 * After a climb the floor stays below what the path showed: the estimate the climb was decided on,
 * less the profile's headroom. The floor for the new layers (their cost × 1.25 + 64 kbit/s) is
 * above that estimate on a line just around their cost, and would pin mediasoup's estimate above
 * the line; under this cap GoogCC can show that the line does not carry them (it reads the queue
 * growing) and the controller steps back before the queue overflows. Lifted when the controller
 * goes down again.
 */
export function climbCapKbps(estimateKbps: number, headroom: number): number {
	return estimateKbps * headroom;
}

/** A consumer's part of the floor: its held layer's cost with the margin (0: not measured yet). */
export function heldShareKbps({ layerKbps, layer }: HeldConsumer): number {
	return (layerKbps?.[layer.spatial]?.[layer.temporal] ?? 0) * HOLD_MARGIN;
}

/**
 * The floor to set now, or undefined to leave the one set before: changes under 10 % either way are
 * skipped (the layers' bitrate swings; each change is a request to the worker).
 */
export function nextHoldFloor(previous: number | undefined, wanted: number): number | undefined {
	if (previous !== undefined && Math.abs(wanted - previous) < previous * 0.1) return undefined;
	return wanted;
}
