import { messageOf } from '@luwte/errors';
import type { types } from 'mediasoup';
import { decide, initialState, lower, type AbrState, type Decision, type Layer, type Observation } from './controller.ts';
import {
	climbCapKbps,
	HOLD_QUEUE_BACKOFF,
	HOLD_QUEUE_MS,
	heldShareKbps,
	holdFloorKbps,
	nextHoldFloor,
	queueDelayMs,
	recordRtt,
	type RttSample,
} from './hold-floor.ts';
import { encodingIndexOf, fitProfileToLadder, spatialLayerCount } from './ladder.ts';
import type { StimulusProfile } from './profiles.ts';
import { defaultLogger, type Logger } from '../log/logger.ts';

interface Tracked {
	consumer: types.Consumer;
	producer: types.Producer;
	transport: types.Transport;
	/** The receiver's profile fitted to the producer's ladder (see ladder.ts). */
	profile: StimulusProfile;
	/** The consumer's weight in its receiver's estimate (see `stagePriority`). */
	priority: number;
	state: AbrState;
	applied: Layer;
	lastDecision: Decision | undefined;
	lastObservation: Observation | undefined;
	startLayer: Layer;
	startedFromKbps: number | undefined;
	decisions: number;
	/** The controller's own switches (what it told mediasoup), counted like the observed ones. */
	decidedSpatialSwitches: number;
	decidedTemporalSwitches: number;
	observed: ObservedLayers;
	/** The receiver's round-trip times of the last half minute (see hold-floor.ts). */
	rtt: RttSample[];
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
	/** Its weight in the receiver's estimate: 2 for the stage (leader, location, screen), 1 for a tile. */
	priority: number;
	preferred: Layer;
	lastReason: Decision['reason'] | undefined;
	/** The layer the consumer was created on. */
	startLayer: Layer;
	/** The estimate share the consumer's start layer was picked from; undefined: a cold start. */
	startedFromKbps: number | undefined;
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
	/** A held receiver's minimum outgoing bitrate now (kbit/s; see the profile's holdLayers). */
	holdFloorKbps: number | undefined;
	/** The receiver's round-trip time above its lowest of the last 30 s (ms): the bottleneck's queue. */
	queueDelayMs: number;
}

/** A new consumer's start: the controller state, and the estimate share it came from (warm). */
export interface AbrStart {
	state: AbrState;
	fromKbps: number | undefined;
}

/**
 * What the receiver's estimate is split by. The stage (a leader's or a location's camera, any
 * screen share) is what the activity is about; the tiles of other clients are company. With
 * too little for both, the stage keeps its picture and the tiles give way first. The same weight
 * goes to mediasoup as the consumer's priority, for receivers whose drops mediasoup decides.
 */
export function stagePriority(senderRole: string, source: string): number {
	return source === 'screen' || senderRole === 'host' || senderRole === 'location' ? 2 : 1;
}

/** A transport's estimate counts as known once it has been read for this long. */
const WARM_AFTER_MS = 5000;

/** Receivers without a congestion estimate (plain RTP) are not limited by one. */
const NO_ESTIMATE_KBPS = 100_000;

/**
 * On a held transport the estimate cannot fall below the floor, so at the floor it says nothing
 * about the path; above this loss the delivered rate (sent minus lost) is the estimate instead.
 */
const HOLD_LOSS = 0.05;

/**
 * Feeds the calm controller from mediasoup and applies its decisions. Every tick it reads, per
 * simulcast consumer, the receiver's available bitrate (split among that receiver's video
 * consumers by priority: the stage before the tiles), the loss it reports, and the producer's
 * bitrate per layer; then it sets the preferred layers where the decision changed. Cost per
 * tick: two stats requests per consumer and one per transport; no work at all without simulcast
 * consumers.
 */
export class AbrDriver {
	readonly #tracked = new Map<string, Tracked>();
	readonly #intervalMs: number;
	#timer: ReturnType<typeof setInterval> | undefined;
	#ticking = false;
	readonly #log: Logger;

	/** `log`: where layer changes mediasoup refused are reported. */
	constructor(intervalMs = 1000, log: Logger = defaultLogger()) {
		this.#intervalMs = intervalMs;
		this.#log = log;
	}

	/** Per receiver transport: its latest estimate, and since when it has had one. */
	readonly #warm = new Map<string, { kbps: number; since: number }>();

	/** Per held receiver transport: the minimum outgoing bitrate it was given (kbit/s). */
	readonly #floors = new Map<string, number>();

	/** Per held receiver transport: since its last climb, the floor's cap (see climbCapKbps). */
	readonly #climbCaps = new Map<string, number>();

	/**
	 * Where a new consumer starts. On a transport whose estimate has been known for a while (a
	 * receiver already in the session gets a newcomer's camera), the profile picks its start from
	 * that estimate, so the new tile does not start low and climb visibly; on a new transport the
	 * estimate means nothing yet, and the profile's start layer is used. Either counted from the top
	 * of the producer's ladder (a 360p camera's two layers: "full" is its 640×360).
	 */
	startState(
		receiverProfile: StimulusProfile,
		transport: types.Transport,
		producer: types.Producer,
		priority = 1,
		now = performance.now(),
	): AbrStart {
		const profile = fitProfileToLadder(receiverProfile, spatialLayerCount(producer));
		const warm = this.#warm.get(transport.id);
		if (!warm || now - warm.since < WARM_AFTER_MS) return { state: initialState(profile), fromKbps: undefined };
		let weights = priority;
		for (const t of this.#tracked.values()) if (t.transport === transport && !t.consumer.closed) weights += t.priority;
		const fromKbps = (warm.kbps * priority) / weights;
		return { state: initialState(profile, fromKbps, announcedLadder(producer)), fromKbps };
	}

	/** `receiverProfile`: the receiver's stimulus profile; the driver fits it to the producer's ladder. */
	add(
		consumer: types.Consumer,
		producer: types.Producer,
		transport: types.Transport,
		receiverProfile: StimulusProfile,
		start?: AbrStart,
		priority = 1,
	): void {
		const profile = fitProfileToLadder(receiverProfile, spatialLayerCount(producer));
		const state = (start ?? { state: initialState(profile), fromKbps: undefined }).state;
		const fromKbps = start?.fromKbps;
		const observed: ObservedLayers = { last: undefined, spatialSwitches: 0, temporalSwitches: 0, nulls: 0, timeline: [] };
		this.#tracked.set(consumer.id, {
			consumer,
			producer,
			transport,
			profile,
			priority,
			state,
			applied: state.current,
			lastDecision: undefined,
			lastObservation: undefined,
			startLayer: state.current,
			startedFromKbps: fromKbps,
			decisions: 0,
			decidedSpatialSwitches: 0,
			decidedTemporalSwitches: 0,
			observed,
			rtt: [],
		});
		consumer.observer.on('layerschange', (layers) => observe(observed, toLayer(layers)));
		consumer.observer.once('close', () => this.remove(consumer.id));
		this.#timer ??= setInterval(
			() => void this.tick().catch((err: unknown) => this.#log.error('abr.tick_failed', { error: messageOf(err) })),
			this.#intervalMs,
		);
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
			priority: t.priority,
			preferred: t.applied,
			lastReason: t.lastDecision?.reason,
			startLayer: t.startLayer,
			startedFromKbps: t.startedFromKbps,
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
			holdFloorKbps: this.#floors.get(t.transport.id),
			queueDelayMs: Math.round(queueDelayMs(t.rtt)),
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
			// Forget transports no tracked consumer uses any more (closed, or their consumers gone).
			const inUse = new Set([...perTransport.keys()].map((tr) => tr.id));
			for (const id of this.#warm.keys()) if (!inUse.has(id)) this.#warm.delete(id);
			for (const id of this.#floors.keys()) if (!inUse.has(id)) this.#floors.delete(id);
			for (const id of this.#climbCaps.keys()) if (!inUse.has(id)) this.#climbCaps.delete(id);
			const weights = new Map([...perTransport].map(([tr, group]) => [tr, group.reduce((sum, t) => sum + t.priority, 0)]));
			const estimates = new Map<types.Transport, number>();
			const sendKbps = new Map<types.Transport, number>();
			await Promise.all(
				[...perTransport.keys()].map(async (tr) => {
					const stats = (await tr.getStats().catch(() => []))[0] as
						| { availableOutgoingBitrate?: number; sendBitrate?: number }
						| undefined;
					const kbps = stats?.availableOutgoingBitrate ? stats.availableOutgoingBitrate / 1000 : undefined;
					estimates.set(tr, kbps ?? NO_ESTIMATE_KBPS);
					sendKbps.set(tr, (stats?.sendBitrate ?? 0) / 1000);
					if (kbps === undefined) this.#warm.delete(tr.id);
					else this.#warm.set(tr.id, { kbps, since: this.#warm.get(tr.id)?.since ?? now });
				}),
			);
			// Until mediasoup forwards its first layer the picture has not begun (the consumer waits for
			// its client, or for its start layer: see start-layer-gate.ts) and its start stands: a layer
			// not sent yet is no reason to move, as one the sender stopped would be.
			const begun = live.filter((t) => t.observed.last !== undefined);
			await Promise.all(
				begun.map(async (t) => {
					const [layerKbps, { loss, rttMs }] = await Promise.all([layerBitrates(t.producer), consumerReport(t.consumer)]);
					t.rtt = recordRtt(t.rtt, now, rttMs);
					const reported = estimates.get(t.transport) ?? NO_ESTIMATE_KBPS;
					// This consumer's weighted part of everything its receiver gets.
					const part = t.priority / (weights.get(t.transport) ?? t.priority);
					let share = reported * part;
					const floor = this.#floors.get(t.transport.id);
					const atFloor = t.profile.holdLayers && floor !== undefined && reported <= floor * 1.02;
					// The floor is not the path's word: it shows no more than what it holds (no climb on it).
					if (atFloor) share = Math.min(share, heldShareKbps({ layerKbps, layer: t.applied }));
					// Everything sent on the transport (media, retransmissions, audio, probes) crosses
					// the same bottleneck; what of it arrives is what the path carries now.
					const delivered = (sendKbps.get(t.transport) ?? 0) * (1 - loss) * part;
					if (atFloor && loss > HOLD_LOSS) share = Math.min(share, delivered);
					// A queue growing at the bottleneck: less gets through than is sent, before any loss.
					else if (atFloor && queueDelayMs(t.rtt) > HOLD_QUEUE_MS) share = Math.min(share, delivered * HOLD_QUEUE_BACKOFF);
					const obs: Observation = { now, estimateKbps: share, loss, layerKbps };
					const step = decide(t.profile, t.state, obs);
					t.lastObservation = obs;
					t.state = step.state;
					t.lastDecision = step.decision;
					t.decisions++;
					const l = step.decision.layer;
					if (t.profile.holdLayers) {
						// The transport's whole estimate, less the headroom: what the climb was decided on.
						if (lower(t.applied, l)) this.#climbCaps.set(t.transport.id, climbCapKbps(reported, t.profile.headroom));
						else if (lower(l, t.applied)) this.#climbCaps.delete(t.transport.id);
					}
					if (l.spatial !== t.applied.spatial || l.temporal !== t.applied.temporal) {
						if (l.spatial !== t.applied.spatial) t.decidedSpatialSwitches++;
						else t.decidedTemporalSwitches++;
						t.applied = l;
						// Refused only costs this round (the next decision tries again); a closed consumer is no news.
						await t.consumer
							.setPreferredLayers({ spatialLayer: l.spatial, temporalLayer: l.temporal })
							.catch((err: unknown) => {
								if (!t.consumer.closed)
									this.#log.warn('abr.set_layers_failed', { consumerId: t.consumer.id, error: messageOf(err) });
							});
					}
				}),
			);
			await Promise.all([...perTransport].map(([tr, group]) => this.#hold(tr, group)));
		} finally {
			this.#ticking = false;
		}
	}

	/**
	 * Keeps mediasoup on the controller's layers for a held receiver: its bandwidth estimator may
	 * not go below what the held layers cost, so mediasoup's own allocation never lowers them on a
	 * dip the controller rides out. Lowered at once when the controller goes down; raised after it
	 * goes up, but not above the estimate the climb was decided on less the headroom (see
	 * hold-floor.ts, also for how congestion is read while the estimate sits at the floor).
	 */
	async #hold(transport: types.Transport, group: Tracked[]): Promise<void> {
		if (!group.some((t) => t.profile.holdLayers) || transport.closed) return;
		const wanted = holdFloorKbps(
			group.map((t) => ({ layerKbps: t.lastObservation?.layerKbps, layer: t.applied })),
			this.#climbCaps.get(transport.id),
		);
		const kbps = nextHoldFloor(this.#floors.get(transport.id), wanted);
		if (kbps === undefined) return;
		this.#floors.set(transport.id, kbps);
		await transport.setMinOutgoingBitrate(kbps * 1000).catch((err: unknown) => {
			if (!transport.closed) this.#log.warn('abr.set_floor_failed', { transportId: transport.id, kbps, error: messageOf(err) });
		});
	}
}

/** Bitrate per layer (kbit/s) as the server receives it, cumulative over temporal layers. */
async function layerBitrates(producer: types.Producer): Promise<number[][]> {
	const stats = await producer.getStats().catch(() => []);
	const encodings = producer.rtpParameters.encodings ?? [];
	const out: number[][] = encodings.map(() => [0, 0, 0]);
	for (const s of stats) {
		const idx = encodingIndexOf(encodings, s);
		const row = out[idx];
		if (!row) continue;
		// mediasoup's `bitrateByLayer["s.t"]` is already cumulative: temporal layers 0..t (and
		// the stream's lower spatial layers). A simulcast stream has only spatial layer 0.
		const byLayer = s.bitrateByLayer ?? {};
		const cumulative = [0, 1, 2].map((t) =>
			Math.max(
				0,
				...Object.entries(byLayer)
					.filter(([k]) => k.endsWith(`.${t}`))
					.map(([, v]) => v),
			),
		);
		if (cumulative.every((v) => v === 0)) {
			row[0] = s.bitrate / 1000; // no temporal breakdown: the stream is one layer
			continue;
		}
		for (let t = 0; t < 3; t++) row[t] = cumulative[t]! / 1000; // 0: that temporal layer is not being received
	}
	return out;
}

/**
 * The ladder the sender announced (each encoding's maxBitrate, kbit/s), with the usual VP8 split
 * over three temporal layers (40 / 60 / 100 %): what a new producer will send before any of it
 * has been measured. Encodings without maxBitrate count as not sent.
 */
function announcedLadder(producer: types.Producer): number[][] {
	return (producer.rtpParameters.encodings ?? []).map((e) => {
		const kbps = (e.maxBitrate ?? 0) / 1000;
		return [kbps * 0.4, kbps * 0.6, kbps];
	});
}

/** What the consumer's receiver reports: loss (0..1) and round-trip time (ms; undefined before its first report). */
async function consumerReport(consumer: types.Consumer): Promise<{ loss: number; rttMs: number | undefined }> {
	const stats = await consumer.getStats().catch(() => []);
	const out = stats.find((s) => s.type === 'outbound-rtp') as { fractionLost?: number; roundTripTime?: number } | undefined;
	const f = out?.fractionLost ?? 0;
	// RTCP's 8-bit fraction, or already a fraction; mediasoup reports no round trip as 0 or absent.
	return { loss: f > 1 ? f / 256 : f, rttMs: out?.roundTripTime ? out.roundTripTime : undefined };
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
