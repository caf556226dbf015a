/**
 * Cascade benchmark (issue 14): what one cross-host pipe costs the origin. The stage (the fan-out
 * bench's three VP8 simulcast layers plus an Opus track) is produced on an origin router; N
 * downstream "hosts" (each its own mediasoup worker, a separate process, reached over UDP on
 * loopback) get it the way the cluster cascades between hosts: per host one PipeTransport pair
 * (listening on 0.0.0.0 with the announced address 127.0.0.1, SRTP on, RTX on), on the origin
 * `pipeTransport.consume({ producerId })` per track, on the host `produce({ id, kind,
 * rtpParameters, paused })`, and there a fixed number of local plain-RTP viewers. Compared with
 * the same origin serving N local plain-RTP viewers itself.
 *
 * Everything is built once and every window switches a variant on by pausing and resuming
 * (origin pipe consumers, host pipe producers, viewers' consumers): no setup inside the run,
 * so the windows can alternate variants (one pass forward, one reversed) and the machine's drift
 * falls on all of them alike. Worker CPU is read from /proc (schedstat of every thread) for
 * all workers at the same instant.
 *
 *   node bench/src/cascade.ts [--hosts 1,2,4,8] [--plain 1,8] [--viewers 25] [--seconds 8]
 *                             [--settle 2] [--rounds 1] [--json]
 *
 * Progress goes to stderr; the tables (Markdown, or JSON with --json) to stdout.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type MediaTypes, routerMediaCodecs } from '@luwte/engine';
import * as mediasoup from 'mediasoup';
import { benchArgs, intArg } from './args.ts';
import { AudioSource, audioRtpParameters, encodeAudio } from './audio-source.ts';
import { cpuTimes, processCpuNs, udpDrops, waitPidGone } from './procfs.ts';
import { encodeLayers, SimulcastSource, simulcastLayers, simulcastRtpParameters } from './rtp-source.ts';
import { RtpSink, type SinkSnapshot, sinkWindow } from './sink.ts';

const args = benchArgs(
	'usage: node bench/src/cascade.ts [--hosts 1,2,4,8] [--plain 1,8] [--viewers 25] [--seconds 8] [--settle 2] [--rounds 1] [--json] [--ffmpeg /usr/bin/ffmpeg]',
	{
		hosts: { type: 'string', default: '1,2,4,8' },
		// Host counts also measured with SRTP off, for the SRTP ratio (each costs two windows).
		plain: { type: 'string', default: '1,8' },
		viewers: { type: 'string', default: '25' },
		seconds: { type: 'string', default: '8' },
		// A resumed pipe consumer forwards each layer only from its next key frame (every 2 s).
		settle: { type: 'string', default: '2' },
		rounds: { type: 'string', default: '1' },
	},
);

const intList = (name: string, raw: string, max: number): number[] =>
	[...new Set(raw.split(',').map((s) => intArg(name, s.trim(), 1, max)))].sort((a, b) => a - b);
const hostSteps = intList('hosts', args.hosts, 16);
const plainSteps = intList('plain', args.plain, 16);
const maxHosts = hostSteps[hostSteps.length - 1] ?? 1;
if (hostSteps.length < 2 || plainSteps.length < 2) {
	process.stderr.write('--hosts and --plain need at least two host counts each (the costs are slopes over N)\n');
	process.exit(2);
}
for (const n of plainSteps) {
	if (!hostSteps.includes(n)) {
		process.stderr.write(`--plain ${n} is not one of --hosts ${hostSteps.join(',')}\n`);
		process.exit(2);
	}
}
const viewersPerHost = intArg('viewers', args.viewers, 1, 100);
const windowS = intArg('seconds', args.seconds, 1, 60);
const settleS = intArg('settle', args.settle, 0, 30);
const rounds = intArg('rounds', args.rounds, 1, 5);

const outDir = fileURLToPath(new URL('../out/', import.meta.url));
const rtpPortRange = { min: 40000, max: 49999 };
const sinkRecvBuffer = 4 * 1024 * 1024;
/** Whole benchmark, hard stop: every loop below is also bounded by count. */
const hardLimitMs = 12 * 60_000;
/** Each host's announced address; the pipe listens on every interface, as between hosts. */
const hostAddress = '127.0.0.1';

const log = (msg: string): void => {
	process.stderr.write(`[cascade ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
};
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A plain RTP receiver gives no feedback: without transport-cc/REMB no estimator runs and the top layer is forwarded (as in fanout.ts). */
function receiverCaps(router: MediaTypes.RtpCapabilities): MediaTypes.RtpCapabilities {
	const bweFeedback = new Set(['transport-cc', 'goog-remb']);
	return {
		codecs: (router.codecs ?? []).map((c) => ({ ...c, rtcpFeedback: (c.rtcpFeedback ?? []).filter((f) => !bweFeedback.has(f.type)) })),
		headerExtensions: (router.headerExtensions ?? []).filter(
			(h) => !h.uri.includes('transport-wide-cc') && !h.uri.includes('abs-send-time'),
		),
	};
}

type PipeMode = 'srtp' | 'plain';

/** One viewer: a PlainTransport to the sink with a video and an audio consumer. */
interface Viewer {
	consumers: MediaTypes.Consumer[];
}

interface Pipe {
	origin: MediaTypes.PipeTransport;
	host: MediaTypes.PipeTransport;
	/** On the origin, one per track (video, audio). */
	consumers: MediaTypes.Consumer[];
	/** On the host, one per track. */
	producers: MediaTypes.Producer[];
	viewers: Viewer[];
}

interface Host {
	worker: MediaTypes.Worker;
	pipes: Record<PipeMode, Pipe>;
}

interface Stage {
	worker: MediaTypes.Worker;
	producers: MediaTypes.Producer[];
	ingressPorts: number[];
	local: Viewer[];
	hosts: Host[];
}

/** What a window switches on. */
type Kind = 'idle' | 'local' | 'srtp' | 'plain' | 'srtp-no-viewers';
interface Spec {
	kind: Kind;
	/** Local viewers (local) or downstream hosts (pipes); 0 for idle. */
	n: number;
}

async function addViewer(
	router: MediaTypes.Router,
	producers: readonly MediaTypes.Producer[],
	sinkPort: number,
	paused: boolean,
): Promise<Viewer> {
	const t = await router.createPlainTransport({ listenInfo: { protocol: 'udp', ip: '127.0.0.1' }, rtcpMux: true, comedia: false });
	await t.connect({ ip: '127.0.0.1', port: sinkPort });
	const consumers: MediaTypes.Consumer[] = [];
	for (const p of producers) {
		consumers.push(await t.consume({ producerId: p.id, rtpCapabilities: receiverCaps(router.rtpCapabilities), paused }));
	}
	return { consumers };
}

/** The cluster's cross-host pipe, both ends, every track; everything starts paused. */
async function connectPipe(
	origin: MediaTypes.Router,
	host: MediaTypes.Router,
	producers: readonly MediaTypes.Producer[],
	mode: PipeMode,
): Promise<Omit<Pipe, 'viewers'>> {
	const opts = {
		listenInfo: { protocol: 'udp', ip: '0.0.0.0', announcedAddress: hostAddress },
		enableSrtp: mode === 'srtp',
		enableRtx: true,
	} as const;
	const [a, b] = await Promise.all([origin.createPipeTransport(opts), host.createPipeTransport(opts)]);
	await a.connect({
		ip: b.tuple.localAddress,
		port: b.tuple.localPort,
		...(b.srtpParameters ? { srtpParameters: b.srtpParameters } : {}),
	});
	await b.connect({
		ip: a.tuple.localAddress,
		port: a.tuple.localPort,
		...(a.srtpParameters ? { srtpParameters: a.srtpParameters } : {}),
	});
	const consumers: MediaTypes.Consumer[] = [];
	const hostProducers: MediaTypes.Producer[] = [];
	for (const p of producers) {
		const c = await a.consume({ producerId: p.id });
		await c.pause();
		consumers.push(c);
		// The SRTP pipe keeps the origin's producer id (as the cluster does); the second pipe into
		// the same router needs another one.
		hostProducers.push(
			await b.produce({ id: mode === 'srtp' ? p.id : randomUUID(), kind: c.kind, rtpParameters: c.rtpParameters, paused: true }),
		);
	}
	return { origin: a, host: b, consumers, producers: hostProducers };
}

function newWorker(): Promise<MediaTypes.Worker> {
	return mediasoup.createWorker({ logLevel: 'warn', rtcMinPort: rtpPortRange.min, rtcMaxPort: rtpPortRange.max });
}

async function buildStage(
	sink: RtpSink,
	source: SimulcastSource,
	audioFile: string,
	workers: MediaTypes.Worker[],
): Promise<{ stage: Stage; audio: AudioSource }> {
	const deadline = Date.now() + 180_000;
	const check = (what: string): void => {
		if (Date.now() > deadline) throw new Error(`setup too slow: deadline passed while ${what}`);
	};
	const sinkPort = (i: number): number => sink.ports[i % sink.ports.length] ?? 0;
	const worker = await newWorker();
	workers.push(worker);
	const router = await worker.createRouter({ mediaCodecs: routerMediaCodecs });
	const plain = { listenInfo: { protocol: 'udp', ip: '127.0.0.1' }, rtcpMux: true, comedia: true } as const;
	const videoIn = await router.createPlainTransport(plain);
	const audioIn = await router.createPlainTransport(plain);
	const video = await videoIn.produce({ kind: 'video', rtpParameters: simulcastRtpParameters() });
	const audioProducer = await audioIn.produce({ kind: 'audio', rtpParameters: audioRtpParameters() });
	source.setTarget(videoIn.tuple.localPort);
	const audio = AudioSource.start(audioFile, args.ffmpeg, audioIn.tuple.localPort);
	const producers = [video, audioProducer];
	const local: Viewer[] = [];
	for (let i = 0; i < maxHosts; i++) {
		check(`adding local viewer ${i}`);
		local.push(await addViewer(router, producers, sinkPort(i), true));
	}
	// Hosts in parallel (separate workers); each host's viewers one after another.
	const hosts = await Promise.all(
		Array.from({ length: maxHosts }, async (_, h): Promise<Host> => {
			const w = await newWorker();
			workers.push(w);
			const hostRouter = await w.createRouter({ mediaCodecs: routerMediaCodecs });
			const pipes = {} as Record<PipeMode, Pipe>;
			for (const mode of ['srtp', 'plain'] as const) {
				const pipe = await connectPipe(router, hostRouter, producers, mode);
				const viewers: Viewer[] = [];
				for (let i = 0; i < viewersPerHost; i++) {
					check(`adding viewer ${i} on host ${h} (${mode})`);
					// Consumers resumed: a paused pipe producer keeps them silent until its host is on.
					viewers.push(await addViewer(hostRouter, pipe.producers, sinkPort(h * viewersPerHost + i), false));
				}
				pipes[mode] = { ...pipe, viewers };
			}
			return { worker: w, pipes };
		}),
	);
	return { stage: { worker, producers, ingressPorts: [videoIn.tuple.localPort, audioIn.tuple.localPort], local, hosts }, audio };
}

/** Consumers and producers switched on by a window, in the order they must be resumed. */
function activeParts(stage: Stage, spec: Spec) {
	const localViewers = spec.kind === 'local' ? stage.local.slice(0, spec.n) : [];
	const mode: PipeMode | undefined =
		spec.kind === 'plain' ? 'plain' : spec.kind === 'srtp' || spec.kind === 'srtp-no-viewers' ? 'srtp' : undefined;
	const pipes = mode ? stage.hosts.slice(0, spec.n).map((h) => h.pipes[mode]) : [];
	const hostViewers = spec.kind === 'srtp-no-viewers' ? [] : pipes.flatMap((p) => p.viewers);
	return {
		originConsumers: [...localViewers.flatMap((v) => v.consumers), ...pipes.flatMap((p) => p.consumers)],
		hostProducers: pipes.flatMap((p) => p.producers),
		/** Consumers whose packets reach the sink. */
		viewerConsumers: [...localViewers, ...hostViewers].flatMap((v) => v.consumers),
		pipes,
		hostIndexes: mode ? Array.from({ length: spec.n }, (_, i) => i) : [],
		activeHostViewers: hostViewers.length,
	};
}

/** Pauses everything the window does not use and resumes what it does (only what changes). */
async function apply(stage: Stage, spec: Spec): Promise<void> {
	const on = activeParts(stage, spec);
	const originOn = new Set(on.originConsumers);
	const producersOn = new Set(on.hostProducers);
	const viewersOn = new Set(on.viewerConsumers);
	const allOrigin = [
		...stage.local.flatMap((v) => v.consumers),
		...stage.hosts.flatMap((h) => [...h.pipes.srtp.consumers, ...h.pipes.plain.consumers]),
	];
	const allHostProducers = stage.hosts.flatMap((h) => [...h.pipes.srtp.producers, ...h.pipes.plain.producers]);
	const allHostViewers = stage.hosts.flatMap((h) => [...h.pipes.srtp.viewers, ...h.pipes.plain.viewers]).flatMap((v) => v.consumers);
	// Off first, so no window ever carries more than it should.
	await Promise.all(allOrigin.filter((c) => !originOn.has(c) && !c.paused).map((c) => c.pause()));
	await Promise.all(allHostProducers.filter((p) => !producersOn.has(p) && !p.paused).map((p) => p.pause()));
	await Promise.all(allHostViewers.filter((c) => !viewersOn.has(c) && c.kind === 'video' && !c.paused).map((c) => c.pause()));
	await Promise.all(allHostViewers.filter((c) => !viewersOn.has(c) && c.kind === 'audio' && !c.paused).map((c) => c.pause()));
	// Then on: the origin's side before the hosts', so a host's first key frame request reaches a live pipe.
	await Promise.all(on.originConsumers.filter((c) => c.paused).map((c) => c.resume()));
	await Promise.all(on.hostProducers.filter((p) => p.paused).map((p) => p.resume()));
	await Promise.all(on.viewerConsumers.filter((c) => c.paused).map((c) => c.resume()));
}

interface Snap {
	t: number;
	originNs: number;
	hostNs: number[];
	nodeUs: number;
	sys: { busy: number; total: number };
	sink: SinkSnapshot;
	drops: { sink: number; pipes: number; ingress: number };
}

interface WindowResult {
	kind: Kind;
	n: number;
	pass: number;
	/** Origin worker, % of one core. */
	originPct: number;
	/** Every host worker, % of one core (idle hosts included). */
	hostPct: number[];
	/** Mean over the window's active hosts. */
	activeHostPct: number;
	downstreamViewers: number;
	/** Origin pipe transports' send rate, kbit/s per active pipe. */
	pipeKbps: number;
	/** RTP packets/s the origin's pipe consumers sent, per active pipe (all layers and audio). */
	pipePps: number;
	outPps: number;
	lossPct: number;
	stalled: number;
	/** Active video viewers on the top layer, of all active video viewers. */
	onTop: number;
	videoViewers: number;
	sinkDrops: number;
	pipeDrops: number;
	ingressDrops: number;
	nodePct: number;
	systemBusyPct: number;
	loadAvg1: number;
}

async function snap(stage: Stage, sink: RtpSink): Promise<Snap> {
	// CPU first and together, synchronously: one instant for every worker.
	const t = performance.now();
	const originNs = processCpuNs(stage.worker.pid);
	const hostNs = stage.hosts.map((h) => processCpuNs(h.worker.pid));
	const proc = process.cpuUsage();
	const sys = cpuTimes();
	const pipePorts = stage.hosts
		.flatMap((h) => [h.pipes.srtp, h.pipes.plain])
		.flatMap((p) => [p.origin.tuple.localPort, p.host.tuple.localPort]);
	return {
		t,
		originNs,
		hostNs,
		nodeUs: proc.user + proc.system,
		sys,
		sink: await sink.snapshot(),
		drops: { sink: udpDrops(sink.ports), pipes: udpDrops(pipePorts), ingress: udpDrops(stage.ingressPorts) },
	};
}

/** What the origin's active pipes have sent: bytes (transports) and RTP packets (pipe consumers). */
async function pipeCounters(pipes: readonly Pipe[]): Promise<{ bytes: number; packets: number }> {
	const [transports, consumers] = await Promise.all([
		Promise.all(pipes.map((p) => p.origin.getStats())),
		Promise.all(pipes.flatMap((p) => p.consumers).map((c) => c.getStats())),
	]);
	let packets = 0;
	for (const st of consumers.flat()) if (st.type === 'outbound-rtp') packets += st.packetCount;
	return { bytes: transports.flat().reduce((s, st) => s + st.bytesSent, 0), packets };
}

async function measure(stage: Stage, sink: RtpSink, spec: Spec, pass: number): Promise<WindowResult> {
	await apply(stage, spec);
	const on = activeParts(stage, spec);
	const ssrcs = new Set(on.viewerConsumers.map((c) => c.rtpParameters.encodings?.[0]?.ssrc ?? -1));
	const videoViewers = on.viewerConsumers.filter((c) => c.kind === 'video');
	const top = simulcastLayers.length - 1;
	await sleep(settleS * 1000);
	// Bounded: until every active viewer reaches the sink and every video viewer forwards 720p.
	for (let i = 0; i < 16; i++) {
		const before = await sink.snapshot();
		await sleep(250);
		const after = await sink.snapshot();
		let flowing = 0;
		for (const ssrc of ssrcs) if ((after.streams.get(ssrc)?.packets ?? 0) > (before.streams.get(ssrc)?.packets ?? 0)) flowing++;
		// Audio flows every 20 ms and video every frame: 250 ms shows every live stream.
		if (flowing === ssrcs.size && videoViewers.every((c) => c.currentLayers?.spatialLayer === top)) break;
		await sleep(250);
	}
	const pipe0 = await pipeCounters(on.pipes);
	const a = await snap(stage, sink);
	await sleep(windowS * 1000);
	const b = await snap(stage, sink);
	const pipe1 = await pipeCounters(on.pipes);
	const ms = b.t - a.t;
	const pct = (ns0: number, ns1: number): number => ((ns1 - ns0) / 1e6 / ms) * 100;
	const hostPct = b.hostNs.map((x, i) => pct(a.hostNs[i] ?? Number.NaN, x));
	const w = sinkWindow(a.sink, b.sink, ssrcs);
	return {
		kind: spec.kind,
		n: spec.n,
		pass,
		originPct: pct(a.originNs, b.originNs),
		hostPct,
		activeHostPct: on.hostIndexes.length > 0 ? mean(on.hostIndexes.map((i) => hostPct[i] ?? Number.NaN)) : Number.NaN,
		downstreamViewers: on.activeHostViewers,
		// Counted over the (slightly longer) stats interval: a rate, not a count, so close enough.
		pipeKbps: on.pipes.length > 0 ? ((pipe1.bytes - pipe0.bytes) * 8) / ms / on.pipes.length : Number.NaN,
		pipePps: on.pipes.length > 0 ? (pipe1.packets - pipe0.packets) / (ms / 1000) / on.pipes.length : Number.NaN,
		outPps: w.packets / (ms / 1000),
		lossPct: w.expected > 0 ? (w.lost / w.expected) * 100 : Number.NaN,
		stalled: w.stalled + (ssrcs.size - w.streams),
		onTop: videoViewers.filter((c) => c.currentLayers?.spatialLayer === top).length,
		videoViewers: videoViewers.length,
		sinkDrops: b.drops.sink - a.drops.sink,
		pipeDrops: b.drops.pipes - a.drops.pipes,
		ingressDrops: b.drops.ingress - a.drops.ingress,
		nodePct: ((b.nodeUs - a.nodeUs) / 1000 / ms) * 100,
		systemBusyPct: ((b.sys.busy - a.sys.busy) / Math.max(1, b.sys.total - a.sys.total)) * 100,
		loadAvg1: os.loadavg()[0] ?? Number.NaN,
	};
}

const mean = (xs: readonly number[]): number => xs.reduce((s, x) => s + x, 0) / Math.max(1, xs.length);
const f = (x: number, d: number): string => (Number.isFinite(x) ? x.toFixed(d) : '-');

/** Least-squares line through (n, y): slope with its standard error, and intercept. */
function fit(points: readonly { n: number; y: number }[]): { slope: number; se: number; intercept: number; points: number } {
	const k = points.length;
	const mx = mean(points.map((p) => p.n));
	const my = mean(points.map((p) => p.y));
	const sxx = points.reduce((s, p) => s + (p.n - mx) ** 2, 0);
	const slope = points.reduce((s, p) => s + (p.n - mx) * (p.y - my), 0) / sxx;
	const intercept = my - slope * mx;
	const rss = points.reduce((s, p) => s + (p.y - intercept - slope * p.n) ** 2, 0);
	const se = k > 2 ? Math.sqrt(rss / (k - 2) / sxx) : Number.NaN;
	return { slope, se, intercept, points: k };
}

/** Standard error of a / b from theirs (first order, independent). */
function ratioSe(a: { slope: number; se: number }, b: { slope: number; se: number }): number {
	return Math.abs(a.slope / b.slope) * Math.hypot(a.se / a.slope, b.se / b.slope);
}

function summarize(results: readonly WindowResult[]) {
	const idle = results.filter((r) => r.kind === 'idle').map((r) => r.originPct);
	// Slopes over N >= 1 only: the marginal cost. What the first pipe or viewer adds on top of the
	// idle origin (intercept - idle) is reported apart.
	const series = (kind: Kind, ns?: readonly number[]) =>
		results.filter((r) => r.kind === kind && (!ns || ns.includes(r.n))).map((r) => ({ n: r.n, y: r.originPct }));
	const local = fit(series('local'));
	const srtp = fit(series('srtp'));
	// SRTP on vs off on the same host counts (the plain pipe is measured on fewer).
	const srtpMatched = fit(series('srtp', plainSteps));
	const plain = fit(series('plain'));
	const originAt = (kind: Kind, n: number) => mean(results.filter((r) => r.kind === kind && r.n === n).map((r) => r.originPct));
	const withViewers = results.filter((r) => r.kind === 'srtp');
	const noViewers = results.filter((r) => r.kind === 'srtp-no-viewers');
	// A host's own cost of a viewer: host CPU with its viewers minus without them (same pipe).
	const hostWith = mean(withViewers.filter((r) => r.n === maxHosts).map((r) => r.activeHostPct));
	const hostWithout = mean(noViewers.map((r) => r.activeHostPct));
	const hostPerViewer = (hostWith - hostWithout) / viewersPerHost;
	const hostPerViewerGross = mean(withViewers.map((r) => r.activeHostPct)) / viewersPerHost;
	const pipePps = mean(withViewers.map((r) => r.pipePps));
	const localViewerPps = mean(results.filter((r) => r.kind === 'local').map((r) => r.outPps / r.n));
	// % of one core per packet/s = 10^4 µs per packet.
	const usPerPipePacket = (srtp.slope * 1e4) / pipePps;
	const usPerLocalPacket = (local.slope * 1e4) / localViewerPps;
	return {
		hosts: hostSteps,
		plainHosts: plainSteps,
		viewersPerHost,
		windowS,
		idleOriginPct: mean(idle),
		originPerLocalViewer: local,
		originPerHostSrtp: srtp,
		originPerHostSrtpOnPlainSteps: srtpMatched,
		originPerHostPlain: plain,
		ratioHostToLocalViewer: srtp.slope / local.slope,
		ratioHostToLocalViewerSe: ratioSe(srtp, local),
		pipePps,
		localViewerPps,
		usPerPipePacket,
		usPerLocalPacket,
		ratioPerPacket: usPerPipePacket / usPerLocalPacket,
		ratioSrtpToPlainSlope: srtpMatched.slope / plain.slope,
		ratioSrtpToPlainSlopeSe: ratioSe(srtpMatched, plain),
		ratioSrtpToPlainAtMax: originAt('srtp', maxHosts) / originAt('plain', maxHosts),
		originNoViewersToViewersAtMax: originAt('srtp-no-viewers', maxHosts) / originAt('srtp', maxHosts),
		hostPctWithViewers: hostWith,
		hostPctWithoutViewers: hostWithout,
		hostPerViewer,
		hostPerViewerGross,
		ratioHostViewerToOriginViewer: hostPerViewer / local.slope,
		ratioHostViewerGrossToOriginViewer: hostPerViewerGross / local.slope,
		pipeKbps: mean(withViewers.map((r) => r.pipeKbps)),
	};
}

type Summary = ReturnType<typeof summarize>;

function markdown(results: readonly WindowResult[], s: Summary): string {
	const lines = [
		'| pass | variant | N | origin CPU % | active hosts CPU % (mean) | downstream viewers | pipe kbit/s (packets/s) per host | packets/s out | loss % | on 720p | drops sink/pipe/in | Node % | machine busy % | load |',
		'| --: | --- | --: | --: | --: | --: | --: | --: | --: | --: | --- | --: | --: | --: |',
	];
	for (const r of results) {
		lines.push(
			`| ${r.pass} | ${r.kind} | ${r.n} | ${f(r.originPct, 2)} | ${f(r.activeHostPct, 2)} | ${r.downstreamViewers} | ${f(r.pipeKbps, 0)} (${f(r.pipePps, 0)}) | ` +
				`${f(r.outPps, 0)} | ${f(r.lossPct, 3)} | ${r.onTop}/${r.videoViewers} | ${r.sinkDrops}/${r.pipeDrops}/${r.ingressDrops} | ` +
				`${f(r.nodePct, 0)} | ${f(r.systemBusyPct, 0)} | ${f(r.loadAvg1, 2)} |`,
		);
	}
	const slope = (x: { slope: number; se: number; intercept: number; points: number }) =>
		`${f(x.slope, 4)} ± ${f(x.se, 4)} (${x.points} windows; at N = 0 the line gives ${f(x.intercept, 2)})`;
	lines.push(
		'',
		'| measure (origin CPU in % of one core) | value |',
		'| --- | --: |',
		`| origin with the stage and nothing out (idle windows) | ${f(s.idleOriginPct, 2)} |`,
		`| origin per local viewer (slope, video + audio consumer) | ${slope(s.originPerLocalViewer)} |`,
		`| origin per downstream host, SRTP pipe (slope) | ${slope(s.originPerHostSrtp)} |`,
		`| origin per downstream host, SRTP pipe, on the --plain host counts | ${slope(s.originPerHostSrtpOnPlainSteps)} |`,
		`| origin per downstream host, pipe without SRTP (slope) | ${slope(s.originPerHostPlain)} |`,
		`| **per downstream host / per local viewer** | **${f(s.ratioHostToLocalViewer, 2)}** ± ${f(s.ratioHostToLocalViewerSe, 2)} |`,
		`| packets/s out: per pipe (3 layers + audio) / per local viewer (720p + audio) | ${f(s.pipePps, 0)} / ${f(s.localViewerPps, 0)} |`,
		`| µs of origin CPU per packet out: pipe / local viewer | ${f(s.usPerPipePacket, 2)} / ${f(s.usPerLocalPacket, 2)} = ${f(s.ratioPerPacket, 2)} |`,
		`| **SRTP pipe / plain pipe, per host (slopes on the same host counts)** | **${f(s.ratioSrtpToPlainSlope, 2)}** ± ${f(s.ratioSrtpToPlainSlopeSe, 2)} |`,
		`| SRTP / plain, origin total at ${maxHosts} hosts | ${f(s.ratioSrtpToPlainAtMax, 3)} |`,
		`| **origin at ${maxHosts} hosts: 0 / ${viewersPerHost} viewers per host** | **${f(s.originNoViewersToViewersAtMax, 3)}** |`,
		`| host CPU with ${viewersPerHost} viewers / without (mean host, ${maxHosts} hosts) | ${f(s.hostPctWithViewers, 2)} / ${f(s.hostPctWithoutViewers, 2)} |`,
		`| host per viewer (with − without) / ${viewersPerHost} | ${f(s.hostPerViewer, 4)} |`,
		`| **host per viewer / origin per local viewer** | **${f(s.ratioHostViewerToOriginViewer, 2)}** |`,
		`| host per viewer, gross (host CPU / ${viewersPerHost}, pipe's receive included) / origin per local viewer | ${f(s.ratioHostViewerGrossToOriginViewer, 2)} |`,
		`| pipe send rate per host, kbit/s | ${f(s.pipeKbps, 0)} |`,
	);
	return lines.join('\n');
}

/** forward: idle, then per host count local, srtp, plain; the no-viewers window last. */
function pass(): Spec[] {
	const specs: Spec[] = [{ kind: 'idle', n: 0 }];
	for (const n of hostSteps) {
		specs.push({ kind: 'local', n }, { kind: 'srtp', n });
		if (plainSteps.includes(n)) specs.push({ kind: 'plain', n });
	}
	specs.push({ kind: 'srtp-no-viewers', n: maxHosts });
	return specs;
}

function cpuModel(): string {
	try {
		return /^model name\s*:\s*(.*)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? 'unknown';
	} catch {
		return 'unknown';
	}
}

let source: SimulcastSource | undefined;
let audio: AudioSource | undefined;
let sink: RtpSink | undefined;
const workers: MediaTypes.Worker[] = [];

async function main(): Promise<void> {
	const load = () =>
		os
			.loadavg()
			.map((x) => x.toFixed(2))
			.join(' ');
	const startLoad = load();
	log(
		`mediasoup ${mediasoup.version}, ${os.availableParallelism()} cpus (${cpuModel()}), hosts ${hostSteps.join(',')} (plain ${plainSteps.join(',')}), ` +
			`${viewersPerHost} viewers per host, ${windowS} s windows, load ${startLoad}`,
	);
	const files = await encodeLayers(outDir, args.ffmpeg);
	const audioFile = await encodeAudio(outDir, args.ffmpeg);
	sink = await RtpSink.start(4, sinkRecvBuffer);
	source = await SimulcastSource.start(files, args.ffmpeg);
	const t0 = performance.now();
	const built = await buildStage(sink, source, audioFile, workers);
	audio = built.audio;
	const stage = built.stage;
	log(
		`built in ${f((performance.now() - t0) / 1000, 1)} s: origin + ${stage.hosts.length} hosts, ${maxHosts} local + ${2 * maxHosts * viewersPerHost} downstream viewers`,
	);
	const order: Spec[] = [];
	for (let r = 0; r < rounds; r++) order.push(...pass(), ...pass().reverse());
	const results: WindowResult[] = [];
	const perPass = order.length / (2 * rounds);
	for (const [i, spec] of order.entries()) {
		const r = await measure(stage, sink, spec, Math.floor(i / perPass) + 1);
		results.push(r);
		log(
			`${String(i + 1).padStart(2)}/${order.length} ${r.kind.padEnd(15)} N=${String(r.n).padEnd(2)} origin ${f(r.originPct, 2)}%, ` +
				`hosts ${f(r.activeHostPct, 2)}% each, pipe ${f(r.pipeKbps, 0)} kbit/s ${f(r.pipePps, 0)} pkt/s, out ${f(r.outPps, 0)} pkt/s, loss ${f(r.lossPct, 3)}%, ` +
				`stalled ${r.stalled}, 720p ${r.onTop}/${r.videoViewers}, drops ${r.sinkDrops}/${r.pipeDrops}/${r.ingressDrops}, ` +
				`machine ${f(r.systemBusyPct, 0)}%, load ${f(r.loadAvg1, 2)}`,
		);
	}
	const summary = summarize(results);
	const date = new Date().toISOString();
	const record = join(outDir, `cascade-${date.replace(/[:.]/g, '-')}.json`);
	const machine = {
		cpus: os.availableParallelism(),
		cpuModel: cpuModel(),
		kernel: os.release(),
		node: process.version,
		loadStart: startLoad,
		loadEnd: load(),
	};
	await writeFile(record, `${JSON.stringify({ date, mediasoup: mediasoup.version, machine, summary, windows: results }, null, 2)}\n`);
	log(`full results: ${record}`);
	if (args.json) process.stdout.write(`${JSON.stringify({ machine, summary, windows: results }, null, 2)}\n`);
	else process.stdout.write(`${markdown(results, summary)}\n`);
}

const killAll = (): void => {
	source?.killNow();
	audio?.killNow();
	for (const w of workers) if (!w.closed) process.kill(w.pid, 'SIGKILL');
};
const hardStop = setTimeout(() => {
	log(`hard limit of ${hardLimitMs / 60_000} min reached, stopping`);
	killAll();
	process.exit(3);
}, hardLimitMs);
hardStop.unref();
process.on('exit', () => {
	source?.killNow();
	audio?.killNow();
});
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
	process.on(sig, () => {
		killAll();
		process.exit(130);
	});
}

try {
	await main();
} catch (err) {
	log(`failed: ${(err as Error).stack ?? String(err)}`);
	process.exitCode = 1;
} finally {
	clearTimeout(hardStop);
	source?.setTarget(undefined);
	await Promise.all([source?.stop(), audio?.stop()]);
	for (const w of workers) w.close();
	for (const w of workers) if (!(await waitPidGone(w.pid, 5000))) log(`warning: worker ${w.pid} still alive 5 s after close`);
	await sink?.close();
}
process.exit(process.exitCode ?? 0);
