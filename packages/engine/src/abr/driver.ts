import type { types } from 'mediasoup';
import { decide, initialState, type AbrState, type Decision, type Layer, type Observation } from './controller.ts';
import type { StimulusProfile } from './profiles.ts';

interface Tracked {
	consumer: types.Consumer;
	producer: types.Producer;
	transport: types.Transport;
	profile: StimulusProfile;
	state: AbrState;
	applied: Layer;
	lastDecision: Decision | undefined;
	lastObservation: Observation | undefined;
	decisions: number;
	/** The controller's own switches (what it told mediasoup), counted like the observed ones. */
	decidedSpatialSwitches: number;
	decidedTemporalSwitches: number;
	observed: ObservedLayers;
}

/** One `layerschange` of a consumer: what mediasoup forwards from then on (null: nothing). */
export interface ObservedLayerChange {
	/** Wall clock (ms since the epoch). */
	at: number;
	layer: Layer | null;
}

/**
 * What mediasoup actually forwarded, from its `layerschange` events, counted the way the
 * simulator counts: a spatial switch when the resolution changes, otherwise a temporal switch
 * when the frame rate does. A null (paused, or no layer has data) is noted but is no switch; the
 * next layer is compared with the last one forwarded before it.
 */
interface ObservedLayers {
	last: Layer | undefined;
	spatialSwitches: number;
	temporalSwitches: number;
	nulls: number;
	timeline: ObservedLayerChange[];
}

/** Enough for a test's report; a long session keeps only its latest changes. */
const TIMELINE_MAX = 200;

export interface AbrConsumerStatus {
	consumerId: string;
	profile: string;
	preferred: Layer;
	lastReason: Decision['reason'] | undefined;
	/** What the controller last saw: the estimate (this consumer's share), loss, the producer's ladder. */
	lastObservation: Observation | undefined;
	decisions: number;
	/** What mediasoup has been told (it may still be on a lower layer while it waits for a keyframe). */
	serverPreferred: Layer | undefined;
	/** The layer mediasoup is forwarding now. */
	serverCurrent: Layer | undefined;
	/** Resolution changes the controller asked for (mediasoup may make more: see observed). */
	decidedSpatialSwitches: number;
	/** Frame-rate changes within one resolution the controller asked for. */
	decidedTemporalSwitches: number;
	/** Resolution changes mediasoup actually made (its own bandwidth estimate lowers layers too). */
	observedSpatialSwitches: number;
	/** Frame-rate changes within one resolution that mediasoup actually made. */
	observedTemporalSwitches: number;
	/** How often mediasoup forwarded no layer at all (paused, or no data from the producer). */
	observedNullLayers: number;
	/** The latest layer changes, oldest first (at most 200). */
	observedTimeline: ObservedLayerChange[];
}

/** Receivers without a congestion estimate (plain RTP) are not limited by one. */
const NO_ESTIMATE_KBPS = 100_000;

/**
 * Feeds the calm controller from mediasoup and applies its decisions. Every tick it reads, per
 * simulcast consumer, the receiver's available bitrate (shared evenly among that receiver's
 * video consumers), the loss it reports, and the producer's bitrate per layer; then it sets the
 * preferred layers where the decision changed. Cost per tick: two stats requests per consumer
 * and one per transport; no work at all without simulcast consumers.
 */
export class AbrDriver {
	readonly #tracked = new Map<string, Tracked>();
	readonly #intervalMs: number;
	#timer: ReturnType<typeof setInterval> | undefined;
	#ticking = false;

	constructor(intervalMs = 1000) {
		this.#intervalMs = intervalMs;
	}

	/** The layers to create a consumer with, so it starts where the profile says. */
	static startLayers(profile: StimulusProfile): Layer {
		return initialState(profile).current;
	}

	add(consumer: types.Consumer, producer: types.Producer, transport: types.Transport, profile: StimulusProfile): void {
		const state = initialState(profile);
		const observed: ObservedLayers = { last: undefined, spatialSwitches: 0, temporalSwitches: 0, nulls: 0, timeline: [] };
		this.#tracked.set(consumer.id, { consumer, producer, transport, profile, state, applied: state.current, lastDecision: undefined, lastObservation: undefined, decisions: 0, decidedSpatialSwitches: 0, decidedTemporalSwitches: 0, observed });
		consumer.observer.on('layerschange', (layers) => observe(observed, toLayer(layers)));
		consumer.observer.once('close', () => this.remove(consumer.id));
		this.#timer ??= setInterval(() => void this.tick(), this.#intervalMs);
		this.#timer.unref?.();
	}

	remove(consumerId: string): void {
		this.#tracked.delete(consumerId);
		if (this.#tracked.size === 0) this.stop();
	}

	stop(): void {
		clearInterval(this.#timer);
		this.#timer = undefined;
	}

	status(): AbrConsumerStatus[] {
		return [...this.#tracked.values()].map((t) => ({
			consumerId: t.consumer.id,
			profile: t.profile.id,
			preferred: t.applied,
			lastReason: t.lastDecision?.reason,
			lastObservation: t.lastObservation,
			decisions: t.decisions,
			serverPreferred: toLayer(t.consumer.preferredLayers),
			serverCurrent: toLayer(t.consumer.currentLayers),
			decidedSpatialSwitches: t.decidedSpatialSwitches,
			decidedTemporalSwitches: t.decidedTemporalSwitches,
			observedSpatialSwitches: t.observed.spatialSwitches,
			observedTemporalSwitches: t.observed.temporalSwitches,
			observedNullLayers: t.observed.nulls,
			observedTimeline: t.observed.timeline.slice(),
		}));
	}

	/** One round of observations and decisions (also called by tests and benchmarks). */
	async tick(now = performance.now()): Promise<void> {
		if (this.#ticking) return; // a slow round must not pile up behind itself
		this.#ticking = true;
		try {
			const live = [...this.#tracked.values()].filter((t) => !t.consumer.closed && !t.producer.closed);
			const perTransport = new Map<types.Transport, Tracked[]>();
			for (const t of live) {
				const group = perTransport.get(t.transport);
				if (group) group.push(t);
				else perTransport.set(t.transport, [t]);
			}
			const estimates = new Map<types.Transport, number>();
			await Promise.all(
				[...perTransport.keys()].map(async (tr) => {
					const stats = (await tr.getStats().catch(() => []))[0] as { availableOutgoingBitrate?: number } | undefined;
					estimates.set(tr, stats?.availableOutgoingBitrate ? stats.availableOutgoingBitrate / 1000 : NO_ESTIMATE_KBPS);
				}),
			);
			await Promise.all(
				live.map(async (t) => {
					const [layerKbps, loss] = await Promise.all([layerBitrates(t.producer), consumerLoss(t.consumer)]);
					const share = (estimates.get(t.transport) ?? NO_ESTIMATE_KBPS) / (perTransport.get(t.transport)?.length ?? 1);
					const obs: Observation = { now, estimateKbps: share, loss, layerKbps };
					const step = decide(t.profile, t.state, obs);
					t.lastObservation = obs;
					t.state = step.state;
					t.lastDecision = step.decision;
					t.decisions++;
					const l = step.decision.layer;
					if (l.spatial !== t.applied.spatial || l.temporal !== t.applied.temporal) {
						if (l.spatial !== t.applied.spatial) t.decidedSpatialSwitches++;
						else t.decidedTemporalSwitches++;
						t.applied = l;
						await t.consumer.setPreferredLayers({ spatialLayer: l.spatial, temporalLayer: l.temporal }).catch(() => undefined);
					}
				}),
			);
		} finally {
			this.#ticking = false;
		}
	}
}

/** Bitrate per layer (kbit/s) as the server receives it, cumulative over temporal layers. */
async function layerBitrates(producer: types.Producer): Promise<number[][]> {
	const stats = await producer.getStats().catch(() => []);
	const encodings = producer.rtpParameters.encodings ?? [];
	const out: number[][] = encodings.map(() => [0, 0, 0]);
	for (const s of stats) {
		const idx = encodings.findIndex((e) => (e.rid !== undefined && e.rid === s.rid) || (e.ssrc !== undefined && e.ssrc === s.ssrc));
		const row = out[idx];
		if (!row) continue;
		// mediasoup's `bitrateByLayer["s.t"]` is already cumulative: temporal layers 0..t (and
		// the stream's lower spatial layers). A simulcast stream has only spatial layer 0.
		const byLayer = s.bitrateByLayer ?? {};
		const cumulative = [0, 1, 2].map((t) => Math.max(0, ...Object.entries(byLayer).filter(([k]) => k.endsWith(`.${t}`)).map(([, v]) => v)));
		if (cumulative.every((v) => v === 0)) {
			row[0] = s.bitrate / 1000; // no temporal breakdown: the stream is one layer
			continue;
		}
		for (let t = 0; t < 3; t++) row[t] = cumulative[t]! / 1000; // 0: that temporal layer is not being received
	}
	return out;
}

async function consumerLoss(consumer: types.Consumer): Promise<number> {
	const stats = await consumer.getStats().catch(() => []);
	const out = stats.find((s) => s.type === 'outbound-rtp') as { fractionLost?: number } | undefined;
	const f = out?.fractionLost ?? 0;
	return f > 1 ? f / 256 : f; // RTCP's 8-bit fraction, or already a fraction
}

function observe(o: ObservedLayers, layer: Layer | undefined): void {
	o.timeline.push({ at: Date.now(), layer: layer ?? null });
	if (o.timeline.length > TIMELINE_MAX) o.timeline.shift();
	if (!layer) {
		o.nulls++;
		return;
	}
	if (o.last && layer.spatial !== o.last.spatial) o.spatialSwitches++;
	else if (o.last && layer.temporal !== o.last.temporal) o.temporalSwitches++;
	o.last = layer;
}

function toLayer(l: types.ConsumerLayers | undefined): Layer | undefined {
	return l ? { spatial: l.spatialLayer, temporal: l.temporalLayer ?? 0 } : undefined;
}
