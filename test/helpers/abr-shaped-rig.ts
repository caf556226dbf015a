import { builtinProfiles, defaultModel, simulate, type AbrConsumerStatus, type SimulationModel, type TracePoint } from '@luwte/engine/abr';
import { SessionClient } from '@luwte/sdk';
import type { TestHost } from './host.ts';
import { startShapedReceiver, type ShapedReceiver } from './netns.ts';
import { waitFor } from './wait.ts';
import { fakeMedia, webrtc } from './wrtc-media.ts';

// The real-network rig of the calm controller (docs/abr.md), shared by the test
// (test/media/abr-shaped.test.ts: asserts count and sequence of switches) and the benchmark
// (bench/src/abr-shaped.ts: reports when each switch came against the prediction). One
// bandwidth trace played on a real link — tc's tbf on a veth into a receiver's own network
// namespace, its rate changed at each trace point — through the real engine to a real libwebrtc
// receiver; the resolution switches mediasoup actually made (`layerschange`) are set against what
// the simulator predicts for the same trace. A greedy receiver runs beside the calm one on a link
// of its own with the same trace, so both fit in one run of about three minutes.
// The caller owns the host (listening on SERVER_IP, see netns.ts) and the server address.

/** The receivers: one per profile, each behind its own shaped link. */
export const shapedProfiles = ['calm', 'greedy'] as const;
export type ShapedProfileId = (typeof shapedProfiles)[number];

/** A change of the layer shown, seconds into the trace; null spatial: nothing forwarded. */
export interface LayerChange {
	t: number;
	spatial: number | null;
}

/** One predicted resolution switch and the observed one it is set against. */
export interface SwitchOffset {
	predictedAt: number;
	from: number;
	to: number;
	/** The nearest observed switch in the same direction (up/down), if there is one. */
	observedAt: number | undefined;
	observedTo: number | undefined;
	/** observed minus predicted, seconds: positive when the live engine switched later. */
	offsetS: number | undefined;
}

interface Sample {
	t: number;
	kbps: number;
	estimateKbps: number | undefined;
	loss: number | undefined;
	floorKbps: number | undefined;
	/** The receiver's round-trip time above its recent lowest (ms): the bottleneck's queue. */
	queueMs: number | undefined;
	preferred: string;
	reason: string | undefined;
	current: string;
	frames: number;
}

const layerText = (l: { spatial: number; temporal: number } | null | undefined) => (l ? `${l.spatial}/${l.temporal}` : '-');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Per cell, the median of the ladders the controller saw (kbit/s, cumulative over temporal layers). */
function medianLadder(ladders: readonly (readonly (readonly number[])[])[]): number[][] | undefined {
	const full = ladders.filter((l) => l.length === 3 && l.every((row) => row.length === 3 && row.every((v) => v > 0)));
	if (full.length < 10) return undefined;
	return [0, 1, 2].map((s) =>
		[0, 1, 2].map((t) => {
			const v = full.map((l) => l[s]![t]!).sort((a, b) => a - b);
			return Math.round(v[Math.floor(v.length / 2)]!);
		}),
	);
}

/** Edit distance between two sequences of resolutions: how far apart two switch histories are. */
export function editDistance(a: readonly number[], b: readonly number[]): number {
	let row = b.map((_, j) => j + 1);
	for (let i = 0; i < a.length; i++) {
		const next = [i + 1];
		for (let j = 0; j < b.length; j++)
			next.push(Math.min(row[j]! + 1, next[j]! + 1, (j === 0 ? i : row[j - 1]!) + (a[i] === b[j] ? 0 : 1)));
		row = next.slice(1);
	}
	return row.at(-1) ?? a.length;
}

/** Seconds spent on each resolution (0-2) from a list of changes; null time counts for none. */
function secondsPerResolution(changes: readonly LayerChange[], endS: number): number[] {
	const out = [0, 0, 0];
	changes.forEach((c, i) => {
		const until = changes[i + 1]?.t ?? endS;
		if (c.spatial !== null) out[c.spatial]! += Math.max(0, until - c.t);
	});
	return out.map((v) => Math.round(v));
}

/** The sequence of resolutions shown (nulls left out, repeats folded), e.g. 1,2,1,2. */
export function resolutionSequence(changes: readonly LayerChange[]): number[] {
	return changes.flatMap((c) => (c.spatial === null ? [] : [c.spatial])).filter((v, i, a) => i === 0 || v !== a[i - 1]);
}

/** The resolution switches in a list of changes (a gap with nothing forwarded is not one). */
function switchesOf(changes: readonly LayerChange[]): { t: number; from: number; to: number }[] {
	const shown = changes.filter((c): c is { t: number; spatial: number } => c.spatial !== null);
	return shown.slice(1).flatMap((c, i) => (c.spatial === shown[i]!.spatial ? [] : [{ t: c.t, from: shown[i]!.spatial, to: c.spatial }]));
}

/**
 * Every predicted switch against the nearest observed switch in the same direction: the timing
 * comparison the benchmark reports (the test asserts count and sequence only; the real estimate
 * trails the link by seconds, more so on a busy machine).
 */
export function switchOffsets(predicted: readonly LayerChange[], observed: readonly LayerChange[]): SwitchOffset[] {
	const seen = switchesOf(observed);
	return switchesOf(predicted).map((want) => {
		const up = want.to > want.from;
		const away = (o: { t: number }) => Math.abs(o.t - want.t);
		const match = seen
			.filter((o) => o.to > o.from === up)
			.reduce<(typeof seen)[number] | undefined>((best, o) => (!best || away(o) < away(best) ? o : best), undefined);
		return {
			predictedAt: want.t,
			from: want.from,
			to: want.to,
			observedAt: match?.t,
			observedTo: match?.to,
			offsetS: match ? Math.round((match.t - want.t) * 10) / 10 : undefined,
		};
	});
}

/** One simulcast encoding as the sender's libwebrtc reports it, over the last second. */
interface SenderLayer {
	rid: string;
	width: number;
	fps: number;
	kbps: number;
	/** Why libwebrtc holds the encoding below what it was asked for: 'cpu', 'bandwidth' or 'none'. */
	limitation: string;
}
interface SenderSample {
	t: number;
	layers: SenderLayer[];
	/** The same encodings as the engine receives them (mediasoup's producer stats): score 0-10 and kbit/s. */
	atServer: { rid: string; score: number; kbps: number }[];
}

/** The sender's outbound video encodings (libwebrtc's own view: size, frame rate, why it is limited). */
async function senderLayers(sender: SessionClient, lastSent: Map<string, number>): Promise<(SenderLayer & { bytesSent: number })[]> {
	const out: (SenderLayer & { bytesSent: number })[] = [];
	const report = await sender.sendStats().catch(() => undefined);
	report?.forEach((s: Record<string, unknown>) => {
		if (s.type !== 'outbound-rtp' || (s.kind ?? s.mediaType) !== 'video') return;
		const rid = String(s.rid ?? s.ssrc);
		const bytesSent = Number(s.bytesSent ?? 0);
		out.push({
			rid,
			width: Number(s.frameWidth ?? 0),
			fps: Math.round(Number(s.framesPerSecond ?? 0)),
			kbps: Math.round(((bytesSent - (lastSent.get(rid) ?? bytesSent)) * 8) / 1000),
			limitation: String(s.qualityLimitationReason ?? 'unknown'),
			bytesSent,
		});
	});
	return out.sort((a, b) => a.rid.localeCompare(b.rid));
}

/**
 * How well the sender kept its ladder during calm's trace: seconds its top encoding was below
 * full width or nearly silent (then mediasoup cannot forward it, whatever the controller asks),
 * and seconds libwebrtc reported itself limited by CPU or bandwidth. On a machine too busy for
 * the rig the sender's own adaptation shows here, apart from what the controller did.
 */
function summariseSender(samples: readonly SenderSample[]) {
	const fullWidth = Math.max(0, ...samples.flatMap((s) => s.layers.map((l) => l.width)));
	const top = (s: SenderSample) => s.layers.at(-1);
	// From the second sample on: the first has no earlier byte count to make a rate from.
	const short = samples.slice(1).filter((s) => !top(s) || top(s)!.width < fullWidth || top(s)!.kbps < 100);
	const limited = (why: string) => samples.filter((s) => s.layers.some((l) => l.limitation === why)).length;
	// mediasoup gives a stream score 0 when it stopped arriving; it then forwards a lower layer.
	const lost = samples.slice(1).filter((s) => s.atServer.length < 3 || s.atServer.at(-1)!.score === 0);
	return {
		seconds: samples.length,
		fullWidth,
		topLayerShortSeconds: short.length,
		topLayerShortAt: short.map((s) => s.t),
		topLayerLostAtServerSeconds: lost.length,
		topLayerLostAtServerAt: lost.map((s) => s.t),
		topLayerMinScoreAtServer: Math.min(10, ...samples.slice(1).flatMap((s) => s.atServer.slice(-1).map((l) => l.score))),
		cpuLimitedSeconds: limited('cpu'),
		bandwidthLimitedSeconds: limited('bandwidth'),
	};
}

/**
 * Why a run did not measure what it is for, or undefined: the rig needs the sender's full ladder
 * to reach the engine, because a layer the producer does not deliver cannot be forwarded
 * whatever the link or the controller would do. On a machine too busy for real-time media,
 * libwebrtc's own estimate on the (unshaped) loopback link can fall and pause the top layer for a
 * few seconds; mediasoup then forwards a lower one until the top layer is back (seen: 2 extra
 * switches). Judged from the sender's and the engine's own stats, never from the switches.
 */
export function senderFault(run: ShapedRun): string | undefined {
	const s = run.sender;
	if (s.topLayerShortSeconds === 0 && s.topLayerLostAtServerSeconds === 0) return undefined;
	return (
		`the sender's top layer was paused or shrunk for ${s.topLayerShortSeconds} s of calm's trace ` +
		`(at ${s.topLayerShortAt.join(', ')} s; libwebrtc limited by cpu ${s.cpuLimitedSeconds} s, ` +
		`by bandwidth ${s.bandwidthLimitedSeconds} s) ` +
		`and missing at the engine for ${s.topLayerLostAtServerSeconds} s (at ${s.topLayerLostAtServerAt.join(', ')} s)`
	);
}

/** The count criterion: |observed - predicted| <= max(1, 30 %). */
export const countWithinTolerance = (observed: number, predicted: number) =>
	Math.abs(observed - predicted) <= Math.max(1, Math.round(0.3 * predicted));

export interface ShapedOptions {
	trace: readonly TracePoint[];
	/** The bottleneck's queue (tbf latency), ms. */
	latencyMs: number;
	/** Receivers started so far, for a caller that closes them on its own teardown too (closing twice is harmless). */
	receivers?: Map<ShapedProfileId, ShapedReceiver>;
	/** Progress lines (the benchmark prints them; the test stays quiet until its report). */
	log?: (line: string) => void;
	/** Added to the receivers' link numbers, so a second run in one process gets fresh links and addresses. */
	linkOffset?: number;
}

/** Plays the trace once and reports, per profile, what was predicted, decided and observed. */
export async function runShapedTrace(th: TestHost, opts: ShapedOptions) {
	const { trace, latencyMs } = opts;
	const log = opts.log ?? (() => undefined);
	const durationMs = trace.at(-1)!.tMs;
	const tenant = th.tenants[0]!;
	const sessionId = await th.createSession(tenant, { title: 'Netwerkproef' });
	const token = (role: string, participantId: string, stimulusProfile: string) =>
		th.token(tenant, sessionId, role, participantId, stimulusProfile);
	const session = th.host.engine.session(tenant.id, sessionId);
	const sender = new SessionClient({ server: th.host.url, webrtc });
	const media = fakeMedia(1280, 720, 15);
	const receivers = opts.receivers ?? new Map<ShapedProfileId, ShapedReceiver>();
	try {
		await sender.connect(await token('host', 'begeleider-9', 'standard'));
		// Camera only: the model's ladder is video; audio would take a share of the link it does not know.
		await sender.publish({ camera: media.camera });
		// All three layers arriving, and the top one done ramping up, before anyone watches: the
		// ladder is then what the controller sees from its first tick. libwebrtc sends all three
		// for a moment at the start, then pauses the top one until its own estimate allows it
		// (about 13 s in) and ramps it to ~1.3 Mbit/s (about 20 s in), later on a busy machine:
		// so polled, not a fixed pause (a fixed 5 s after the first three layers let the
		// receivers join while the top layer was paused).
		const topKbps = async () => {
			const [camera] = await session.producerStats('begeleider-9');
			const up = (camera?.layers.filter((l) => l.bitrate > 0) ?? []).toSorted((a, b) => String(a.rid).localeCompare(String(b.rid)));
			// The top encoding sending above the middle one: the real top layer, not the start-up blip.
			const [mid, top] = up.slice(-2).map((l) => l.bitrate / 1000);
			return up.length >= 3 && top! > mid! ? top : undefined;
		};
		const rampFrom = Date.now();
		const history: number[] = [];
		let settled = false;
		// Settled: the top layer's best second in the last 3 s no more than 10 % above its best
		// in the 3 s before (a ramp still climbing gains more than that). Ceiling 60 s, then on
		// with what there is (the ladder the controller saw is measured and reported anyway).
		let lastTop: number | undefined;
		while (Date.now() - rampFrom < 60_000) {
			const kbps = await topKbps();
			if (kbps === undefined) {
				history.length = 0;
			} else {
				history.push(kbps);
				lastTop = kbps;
			}
			if (history.length >= 12) {
				const recent = Math.max(...history.slice(-6));
				const before = Math.max(...history.slice(-12, -6));
				if (recent <= before * 1.1) {
					settled = true;
					break;
				}
			}
			await sleep(500);
		}
		if (lastTop === undefined) throw new Error('the sender never sent its top simulcast layer (60 s)');
		const ramp = { seconds: Math.round((Date.now() - rampFrom) / 100) / 10, settled, topKbps: Math.round(lastTop) };
		const how = settled ? 'settled' : 'still climbing at the ceiling';
		log(`sender: three layers up, top layer ${ramp.topKbps} kbit/s after ${ramp.seconds} s (${how})`);

		for (const [i, profile] of shapedProfiles.entries()) {
			receivers.set(
				profile,
				await startShapedReceiver({
					index: i + (opts.linkOffset ?? 0),
					kbps: trace[0]!.kbps,
					latencyMs,
					deadlineMs: durationMs + 180_000,
				}),
			);
		}
		const receiverId = (p: ShapedProfileId) => `client-${p}`;
		await Promise.all(
			shapedProfiles.map(async (p) => receivers.get(p)!.join(th.host.url, await token('participant', receiverId(p), p), 60_000)),
		);

		// Each receiver's trace starts when its consumer exists (the controller's clock starts there).
		const status = (p: ShapedProfileId): (AbrConsumerStatus & { receiver: string }) | undefined =>
			session.abrStatus().find((s) => s.receiver === receiverId(p));
		const startAt = new Map<ShapedProfileId, number>();
		await waitFor(
			() => {
				for (const p of shapedProfiles) if (!startAt.has(p) && status(p)) startAt.set(p, Date.now());
				return startAt.size === shapedProfiles.length;
			},
			60_000,
			'a consumer for every receiver',
		);
		log(`receivers joined; playing the ${durationMs / 1000} s trace`);

		// Play the trace: each point's rate is set on its moment; one sample a second.
		const samples = new Map<ShapedProfileId, Sample[]>(shapedProfiles.map((p) => [p, []]));
		const senderSamples: SenderSample[] = [];
		const calmStart = startAt.get('calm')!;
		let lastSent = new Map<string, number>();
		const ladders: (readonly (readonly number[])[])[] = [];
		const applied = new Map<ShapedProfileId, number>(shapedProfiles.map((p) => [p, 0]));
		const drops = new Map<ShapedProfileId, { t: number; sentPackets: number; droppedPackets: number }[]>(
			shapedProfiles.map((p) => [p, []]),
		);
		const endAt = Math.max(...startAt.values()) + durationMs;
		const finalStatus = new Map<ShapedProfileId, AbrConsumerStatus>();
		let nextSample = Date.now();
		while (finalStatus.size < shapedProfiles.length) {
			const now = Date.now();
			for (const p of shapedProfiles) {
				if (finalStatus.has(p)) continue;
				const elapsed = now - startAt.get(p)!;
				// Counting ends with the trace: a snapshot of the counters at its last moment.
				if (elapsed >= durationMs) {
					finalStatus.set(p, status(p)!);
					drops.get(p)!.push({ t: durationMs / 1000, ...receivers.get(p)!.counters() });
					continue;
				}
				let i = applied.get(p)!;
				while (i + 1 < trace.length - 1 && trace[i + 1]!.tMs <= elapsed) {
					i++;
					// What the link dropped during the segment that ends here.
					drops.get(p)!.push({ t: trace[i]!.tMs / 1000, ...receivers.get(p)!.counters() });
					receivers.get(p)!.shape(trace[i]!.kbps);
				}
				applied.set(p, i);
			}
			if (now >= nextSample) {
				nextSample += 1000;
				if (!finalStatus.has('calm')) {
					const layers = await senderLayers(sender, lastSent);
					lastSent = new Map(layers.map((l) => [l.rid, l.bytesSent]));
					const [camera] = await session.producerStats('begeleider-9').catch(() => []);
					senderSamples.push({
						t: Math.round((now - calmStart) / 100) / 10,
						layers: layers.map(({ bytesSent: _, ...l }) => l),
						atServer: (camera?.layers ?? [])
							.map((l) => ({ rid: String(l.rid), score: l.score, kbps: Math.round(l.bitrate / 1000) }))
							.sort((a, b) => a.rid.localeCompare(b.rid)),
					});
				}
				for (const p of shapedProfiles) {
					const s = status(p);
					if (!s || finalStatus.has(p)) continue;
					if (s.lastObservation) ladders.push(s.lastObservation.layerKbps);
					samples.get(p)!.push({
						t: Math.round((now - startAt.get(p)!) / 100) / 10,
						kbps: trace[applied.get(p)!]!.kbps,
						estimateKbps: s.lastObservation ? Math.round(s.lastObservation.estimateKbps) : undefined,
						loss: s.lastObservation ? Math.round(s.lastObservation.loss * 100) / 100 : undefined,
						floorKbps: s.holdFloorKbps,
						queueMs: s.queueDelayMs,
						preferred: layerText(s.preferred),
						reason: s.lastReason,
						current: layerText(s.serverCurrent),
						frames: receivers.get(p)!.stats.at(-1)?.frames ?? 0,
					});
				}
			}
			// Only a stalled loop gets here (each profile finishes on its own clock): a generous bound.
			if (now > endAt + 60_000) throw new Error('the trace did not finish in time');
			await sleep(100);
		}

		// The prediction, on the ladder the producer really sent (the controller decided on
		// that one too); the default ladder's prediction is reported beside it. The receiver
		// joins cold: mediasoup's estimate starts at the engine's initial outgoing bitrate.
		const measured = medianLadder(ladders);
		const model: SimulationModel = { ...defaultModel, warmStart: false, ...(measured ? { layerKbps: measured } : {}) };
		const results = shapedProfiles.map((p) => {
			const st = finalStatus.get(p)!;
			const start = startAt.get(p)!;
			const predictedChanges: LayerChange[] = [];
			const predicted = simulate(trace, builtinProfiles[p], model, (pt) => {
				if (predictedChanges.at(-1)?.spatial !== pt.layer.spatial)
					predictedChanges.push({ t: pt.tMs / 1000, spatial: pt.layer.spatial });
			});
			const inTrace = st.observedTimeline.filter((c) => c.at <= start + durationMs);
			const observedChanges: LayerChange[] = inTrace.map((c) => ({
				t: Math.max(0, (c.at - start) / 1000),
				spatial: c.layer?.spatial ?? null,
			}));
			// Sequences: the count of switches can agree by chance while the histories differ; their distance cannot.
			const predictedSequence = resolutionSequence(predictedChanges);
			const observedSequence = resolutionSequence(observedChanges);
			const onDefaultLadder = simulate(trace, builtinProfiles[p], { ...defaultModel, warmStart: false });
			const rx = receivers.get(p)!.stats.filter((s) => s.at <= start + durationMs);
			return {
				profile: p,
				predicted: {
					spatialSwitches: predicted.spatialSwitches,
					temporalSwitches: predicted.temporalSwitches,
					freezeSeconds: predicted.freezeSeconds,
					resolutions: predictedSequence,
					secondsPerResolution: secondsPerResolution(predictedChanges, durationMs / 1000),
					switches: predictedChanges.slice(1).map((c) => `${c.t}s ->${c.spatial}`),
					changes: predictedChanges,
				},
				predictedOnDefaultLadder: {
					spatialSwitches: onDefaultLadder.spatialSwitches,
					temporalSwitches: onDefaultLadder.temporalSwitches,
				},
				// What the controller asked for, on the estimates mediasoup really had.
				decided: { spatialSwitches: st.decidedSpatialSwitches, temporalSwitches: st.decidedTemporalSwitches },
				observed: {
					spatialSwitches: st.observedSpatialSwitches,
					temporalSwitches: st.observedTemporalSwitches,
					nullLayers: st.observedNullLayers,
					resolutions: observedSequence,
					secondsPerResolution: secondsPerResolution(observedChanges, durationMs / 1000),
					decodedWidthChanges: rx.at(-1)?.widthChanges ?? 0,
					decodedFrames: rx.at(-1)?.frames ?? 0,
					receiverFreezes: rx.at(-1)?.inbound?.freezeCount,
					receiverFreezeSeconds: rx.at(-1)?.inbound?.totalFreezesDuration,
					// Layer changes as mediasoup made them, seconds into the trace.
					timeline: inTrace.map((c) => `${Math.round((c.at - start) / 100) / 10}s ${layerText(c.layer)}`),
					changes: observedChanges,
				},
				resolutionSequenceDistance: editDistance(predictedSequence, observedSequence),
				countWithinTolerance: countWithinTolerance(st.observedSpatialSwitches, predicted.spatialSwitches),
				// When each predicted switch came live (reported; the benchmark's table).
				switchOffsets: switchOffsets(predictedChanges, observedChanges),
				// tbf's cumulative counters at each trace point: where the link dropped packets.
				linkCounters: drops.get(p)!,
				samples: samples.get(p)!,
				frames: rx.map((s) => ({ t: Math.round((s.at - start) / 1000), frames: s.frames })),
			};
		});
		return {
			trace: trace.map((p) => `${p.tMs / 1000}s ${p.kbps}kbit`),
			tbf: receivers.get('calm')!.tbf,
			senderRamp: ramp,
			sender: summariseSender(senderSamples),
			senderSamples,
			ladderKbps: { measured, model: defaultModel.layerKbps },
			results,
		};
	} finally {
		media.stop();
		await Promise.all([...receivers.values()].map((r) => r.close()));
		await sender.leave().catch(() => undefined);
	}
}

export type ShapedRun = Awaited<ReturnType<typeof runShapedTrace>>;
export type ShapedProfileReport = ShapedRun['results'][number];

/** The report's lines, as the test prints them (and the benchmark under each run). */
export function describeShapedRun(run: ShapedRun): string[] {
	const ramp = run.senderRamp;
	const lines = [
		`sender's top layer ${ramp.topKbps} kbit/s after ${ramp.seconds} s${ramp.settled ? '' : ' (still climbing at the 60 s ceiling)'}`,
		`ladder measured ${JSON.stringify(run.ladderKbps.measured)} (model ${JSON.stringify(run.ladderKbps.model)})`,
		`sender during calm's trace: top layer below ${run.sender.fullWidth} wide or under 100 kbit/s ` +
			`for ${run.sender.topLayerShortSeconds} of ${run.sender.seconds} s; libwebrtc limited by cpu ${run.sender.cpuLimitedSeconds} s, ` +
			`by bandwidth ${run.sender.bandwidthLimitedSeconds} s; at the engine missing ${run.sender.topLayerLostAtServerSeconds} s, ` +
			`lowest score ${run.sender.topLayerMinScoreAtServer}`,
	];
	for (const r of run.results) {
		lines.push(
			`${r.profile}: spatial switches observed ${r.observed.spatialSwitches}, predicted ${r.predicted.spatialSwitches} ` +
				`(default ladder ${r.predictedOnDefaultLadder.spatialSwitches}), decided by the controller ${r.decided.spatialSwitches}; ` +
				`temporal observed ${r.observed.temporalSwitches}, predicted ${r.predicted.temporalSwitches}; ` +
				`decoded width changes ${r.observed.decodedWidthChanges}, frames ${r.observed.decodedFrames}, null layers ${r.observed.nullLayers}; ` +
				`count within max(1, 30 %): ${r.countWithinTolerance}`,
			`${r.profile} resolutions predicted ${r.predicted.resolutions.join('>')} (s per layer ${r.predicted.secondsPerResolution.join('/')}), ` +
				`observed ${r.observed.resolutions.join('>')} (s per layer ${r.observed.secondsPerResolution.join('/')}), ` +
				`distance ${r.resolutionSequenceDistance}`,
			`${r.profile} predicted: ${r.predicted.switches.join(', ')}`,
			`${r.profile} observed:  ${r.observed.timeline.join(', ')}`,
		);
	}
	return lines;
}

/** One profile's switch offsets as a Markdown table. */
export function offsetTable(r: ShapedProfileReport): string[] {
	const out = ['| predicted switch | predicted at s | observed at s | offset s |', '|---|---:|---:|---:|'];
	for (const o of r.switchOffsets) {
		const seen = o.observedAt === undefined ? '—' : `${Math.round(o.observedAt * 10) / 10} (->${o.observedTo})`;
		const offset = o.offsetS === undefined ? '—' : o.offsetS > 0 ? `+${o.offsetS}` : String(o.offsetS);
		out.push(`| ${o.from}->${o.to} | ${o.predictedAt} | ${seen} | ${offset} |`);
	}
	return out;
}
