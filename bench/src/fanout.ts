/**
 * Fan-out benchmark: one publisher's simulcast VP8 stream to N PlainTransport consumers on
 * one mediasoup worker, built through the engine and with bare mediasoup in the same
 * process, alternating engine/bare/bare/engine per step so machine drift cancels out.
 *
 *   node bench/src/fanout.ts [--steps 50,100,200,400] [--window 10] [--warmup 2]
 *                            [--rounds 1] [--sinks 4] [--bwe] [--json]
 *
 * Progress goes to stderr; the result table (Markdown, or JSON with --json) to stdout.
 */
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { MediaTypes } from '@luwte/engine';
import * as mediasoup from 'mediasoup';
import { benchArgs, intArg } from './args.ts';
import { cpuTimes, udpDrops, waitPidGone } from './procfs.ts';
import { buildBareRig, buildEngineRig, type Rig, type RigOptions, type Variant } from './rigs.ts';
import { encodeLayers, simulcastLayers, SimulcastSource } from './rtp-source.ts';
import { RtpSink, sinkWindow, type SinkSnapshot } from './sink.ts';

const args = benchArgs(
	'usage: node bench/src/fanout.ts [--steps 50,100,200,400] [--window 10] [--warmup 2] [--rounds 1] [--sinks 4] [--bwe] [--json] [--ffmpeg /usr/bin/ffmpeg]',
	{
		steps: { type: 'string', default: '50,100,200,400' },
		// One loop of the 10 s clips: every window then carries the same media, packet for packet.
		window: { type: 'string', default: '10' },
		warmup: { type: 'string', default: '2' },
		rounds: { type: 'string', default: '1' },
		sinks: { type: 'string', default: '4' },
		bwe: { type: 'boolean', default: false },
	},
);

const steps = args.steps.split(',').map((s) => intArg('steps', s.trim(), 1, 1000));
const windowS = intArg('window', args.window, 1, 60);
const warmupS = intArg('warmup', args.warmup, 1, 30);
const rounds = intArg('rounds', args.rounds, 1, 5);
const sinkCount = intArg('sinks', args.sinks, 1, 16);

const outDir = fileURLToPath(new URL('../out/', import.meta.url));
/** Mediasoup's PlainTransport ports: one per consumer, so wide. */
const rtpPortRange = { min: 40000, max: 49999 };
/** The engine's WebRtcServer port, outside rtpPortRange so the two never collide. */
const webRtcPortRange = { min: 39990, max: 39993 };
/** Per sink socket; the kernel caps it at net.core.rmem_max (nothing is raised here). */
const sinkRecvBuffer = 4 * 1024 * 1024;
/** Whole benchmark, hard stop: every loop below is also bounded by count. */
const hardLimitMs = 15 * 60_000;
/** A step losing more than this (or with a silent consumer) ends the ramp: more N only saturates. */
const maxLossPct = 5;
const cores = os.availableParallelism();

const log = (msg: string): void => {
	process.stderr.write(`[fanout ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
};
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * A plain RTP receiver gives no congestion feedback: without --bwe, transport-cc and REMB
 * are removed from what it announces, so mediasoup runs no bandwidth estimator for it and
 * forwards the preferred (highest) simulcast layer. With --bwe the router's capabilities
 * are used as they are: mediasoup then starts a feedback-less estimator per transport.
 */
function receiverCaps(router: MediaTypes.RtpCapabilities): MediaTypes.RtpCapabilities {
	if (args.bwe) return router;
	const bweFeedback = new Set(['transport-cc', 'goog-remb']);
	const caps: MediaTypes.RtpCapabilities = {};
	if (router.codecs) {
		caps.codecs = router.codecs.map((c) => ({
			...c,
			rtcpFeedback: (c.rtcpFeedback ?? []).filter((f) => !bweFeedback.has(f.type)),
		}));
	}
	if (router.headerExtensions) {
		caps.headerExtensions = router.headerExtensions.filter(
			(h) => !h.uri.includes('transport-wide-cc') && !h.uri.includes('abs-send-time'),
		);
	}
	return caps;
}

interface Snap {
	t: number;
	workerCpuMs: number;
	nodeCpuUs: number;
	cpu: { busy: number; total: number };
	sink: SinkSnapshot;
	sinkDrops: number;
	ingressDrops: number;
	srcPackets: number[];
	srcBytes: number[];
}

interface RunResult {
	n: number;
	variant: Variant;
	run: number;
	/** Adding the N consumers (publisher and worker start excluded). */
	setupMs: number;
	/** From setup done to window start: warm-up plus waiting for every consumer on the top layer. */
	settleMs: number;
	windowS: number;
	/** Worker CPU in % of one core. */
	workerCpuPct: number;
	perConsumerPct: number;
	/** Worker CPU per RTP packet delivered to the sink, in microseconds. */
	usPerPacket: number;
	outPps: number;
	kbpsPerConsumer: number;
	expected: number;
	lost: number;
	lossPct: number;
	/** Consumers seen at the sink before and during the window; stalled ones got nothing in it. */
	streams: number;
	stalled: number;
	sinkKernelDrops: number;
	ingressKernelDrops: number;
	/** Source packets per second per layer (lowest first). */
	inPps: number[];
	inKbps: number[];
	/** How many consumers forward each spatial layer (mediasoup's currentLayers). */
	spatialLayers: Record<string, number>;
	/** This Node process (engine/bare control plane, relay, sink thread) in % of one core. */
	nodeCpuPct: number;
	/** All cores together, % busy. */
	systemBusyPct: number;
	/** Everything else (ffmpeg, other processes), in % of one core: busy cores minus worker and Node. */
	otherCpuPct: number;
	/**
	 * Whole run (warm-up included), after the source stopped and the pipeline drained:
	 * RTP packets the worker's consumers sent (getStats outbound-rtp packetCount) and those
	 * the sink received. Exact accounting, outside the CPU window.
	 */
	workerSent: number;
	sinkReceived: number;
	/** Engine only: notifications delivered to the viewers during setup, by type. */
	notifications: Record<string, number>;
}

async function snap(rig: Rig, sink: RtpSink, source: SimulcastSource): Promise<Snap> {
	const ru = await rig.worker.getResourceUsage();
	const t = performance.now();
	const cpu = cpuTimes();
	const proc = process.cpuUsage();
	const sinkSnap = await sink.snapshot();
	const src = source.counters();
	return {
		t,
		workerCpuMs: ru.ru_utime + ru.ru_stime,
		nodeCpuUs: proc.user + proc.system,
		cpu,
		sink: sinkSnap,
		sinkDrops: udpDrops(sink.ports),
		ingressDrops: udpDrops([rig.producerPort]),
		srcPackets: src.packets,
		srcBytes: src.bytes,
	};
}

async function runOnce(variant: Variant, n: number, run: number, sink: RtpSink, source: SimulcastSource): Promise<RunResult> {
	await sink.reset();
	const opts: RigOptions = {
		consumers: n,
		sinkPorts: sink.ports,
		rtpPortRange,
		webRtcPortRange,
		source,
		receiverCaps,
		deadline: Date.now() + 120_000,
	};
	const rig = variant === 'engine' ? await buildEngineRig(opts) : await buildBareRig(opts);
	const built = performance.now();
	const pid = rig.worker.pid;
	try {
		// Warm-up: past at least one key frame (every 2 s) so every consumer is forwarding.
		await sleep(warmupS * 1000);
		// Then (bounded) until every consumer reaches the sink and, without a bandwidth
		// estimator, forwards the top layer: runs must compare the same packet rate.
		const top = simulcastLayers.length - 1;
		for (let i = 0; i < 16; i++) {
			const s = await sink.snapshot();
			const receiving = [...s.streams.values()].filter((x) => x.packets > 0).length;
			const onTop = rig.consumers.filter((c) => c.currentLayers?.spatialLayer === top).length;
			if (receiving >= n && (args.bwe || onTop === n)) break;
			await sleep(500);
		}
		const settleMs = performance.now() - built;
		const a = await snap(rig, sink, source);
		await sleep(windowS * 1000);
		const b = await snap(rig, sink, source);
		const ssrcs = new Set(rig.consumers.map((c) => c.rtpParameters.encodings?.[0]?.ssrc ?? -1));

		// Delivery check: stop the source, let the last packets arrive, then compare.
		source.setTarget(undefined);
		await sleep(300);
		const stats = await Promise.all(rig.consumers.map((c) => c.getStats()));
		let workerSent = 0;
		for (const list of stats) for (const st of list) if (st.type === 'outbound-rtp') workerSent += st.packetCount;
		let sinkReceived = 0;
		for (const [ssrc, st] of (await sink.snapshot()).streams) if (ssrcs.has(ssrc)) sinkReceived += st.packets;

		const ms = b.t - a.t;
		const sec = ms / 1000;
		const w = sinkWindow(a.sink, b.sink, ssrcs);
		const workerCpuPct = ((b.workerCpuMs - a.workerCpuMs) / ms) * 100;
		const nodeCpuPct = ((b.nodeCpuUs - a.nodeCpuUs) / 1000 / ms) * 100;
		const systemBusyPct = ((b.cpu.busy - a.cpu.busy) / Math.max(1, b.cpu.total - a.cpu.total)) * 100;
		const spatialLayers: Record<string, number> = {};
		for (const c of rig.consumers) {
			const sl = c.currentLayers?.spatialLayer;
			const key = sl === undefined ? 'none' : (simulcastLayers[sl]?.label ?? String(sl));
			spatialLayers[key] = (spatialLayers[key] ?? 0) + 1;
		}
		return {
			n,
			variant,
			run,
			setupMs: Math.round(rig.consumerSetupMs),
			settleMs: Math.round(settleMs),
			windowS: sec,
			workerCpuPct,
			perConsumerPct: workerCpuPct / n,
			usPerPacket: w.packets > 0 ? ((b.workerCpuMs - a.workerCpuMs) * 1000) / w.packets : Number.NaN,
			outPps: w.packets / sec,
			kbpsPerConsumer: (w.bytes * 8) / sec / 1000 / n,
			expected: w.expected,
			lost: w.lost,
			lossPct: w.expected > 0 ? (w.lost / w.expected) * 100 : Number.NaN,
			streams: w.streams,
			stalled: w.stalled,
			sinkKernelDrops: b.sinkDrops - a.sinkDrops,
			ingressKernelDrops: b.ingressDrops - a.ingressDrops,
			inPps: b.srcPackets.map((p, i) => (p - (a.srcPackets[i] ?? 0)) / sec),
			inKbps: b.srcBytes.map((x, i) => ((x - (a.srcBytes[i] ?? 0)) * 8) / sec / 1000),
			spatialLayers,
			nodeCpuPct,
			systemBusyPct,
			otherCpuPct: systemBusyPct * cores - workerCpuPct - nodeCpuPct,
			workerSent,
			sinkReceived,
			notifications: rig.notifications,
		};
	} finally {
		await rig.close();
		// Never let a closing worker's CPU overlap the next run.
		if (!(await waitPidGone(pid, 5000))) log(`warning: worker ${pid} still alive 5 s after close`);
	}
}

interface Summary {
	n: number;
	variant: Variant;
	runs: number;
	workerCpuPct: number;
	perConsumerPct: number;
	perConsumerRuns: number[];
	usPerPacket: number;
	outPps: number;
	kbpsPerConsumer: number;
	/** Pooled over the runs: lost / expected from the consumers' sequence numbers. */
	lossPct: number;
	sinkKernelDrops: number;
	stalled: number;
	/** Sum over the runs of workerSent - sinkReceived. */
	undelivered: number;
	setupMs: number;
	nodeCpuPct: number;
	otherCpuPct: number;
	/** engine / bare CPU per consumer (on the engine row). */
	ratio: number | undefined;
	/** engine / bare CPU per delivered packet: insensitive to small source-rate differences. */
	ratioPerPacket: number | undefined;
}

const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);

function summarize(results: RunResult[]): Summary[] {
	const out: Summary[] = [];
	for (const n of steps) {
		const rows: Summary[] = [];
		for (const variant of ['engine', 'bare'] as const) {
			const rs = results.filter((r) => r.n === n && r.variant === variant);
			if (rs.length === 0) continue;
			const expected = sum(rs.map((r) => r.expected));
			rows.push({
				n,
				variant,
				runs: rs.length,
				workerCpuPct: mean(rs.map((r) => r.workerCpuPct)),
				perConsumerPct: mean(rs.map((r) => r.perConsumerPct)),
				perConsumerRuns: rs.map((r) => r.perConsumerPct),
				usPerPacket: mean(rs.map((r) => r.usPerPacket)),
				outPps: mean(rs.map((r) => r.outPps)),
				kbpsPerConsumer: mean(rs.map((r) => r.kbpsPerConsumer)),
				lossPct: expected > 0 ? (sum(rs.map((r) => r.lost)) / expected) * 100 : Number.NaN,
				sinkKernelDrops: sum(rs.map((r) => r.sinkKernelDrops)),
				stalled: Math.max(...rs.map((r) => r.stalled)),
				undelivered: sum(rs.map((r) => r.workerSent - r.sinkReceived)),
				setupMs: mean(rs.map((r) => r.setupMs)),
				nodeCpuPct: mean(rs.map((r) => r.nodeCpuPct)),
				otherCpuPct: mean(rs.map((r) => r.otherCpuPct)),
				ratio: undefined,
				ratioPerPacket: undefined,
			});
		}
		const e = rows.find((r) => r.variant === 'engine');
		const b = rows.find((r) => r.variant === 'bare');
		if (e && b && b.perConsumerPct > 0) e.ratio = e.perConsumerPct / b.perConsumerPct;
		if (e && b && b.usPerPacket > 0) e.ratioPerPacket = e.usPerPacket / b.usPerPacket;
		out.push(...rows);
	}
	return out;
}

const f = (x: number, d: number): string => (Number.isFinite(x) ? x.toFixed(d) : '-');

function markdown(summary: Summary[]): string {
	const cols: [string, string, (s: Summary) => string][] = [
		['N', '---:', (s) => String(s.n)],
		['variant', '---', (s) => s.variant],
		['worker CPU % (of 1 core)', '---:', (s) => f(s.workerCpuPct, 1)],
		[
			'CPU % per consumer: mean (runs)',
			'---',
			(s) => `${f(s.perConsumerPct, 4)} (${s.perConsumerRuns.map((x) => f(x, 4)).join(', ')})`,
		],
		['engine/bare', '---:', (s) => (s.ratio === undefined ? '' : f(s.ratio, 3))],
		['µs CPU per packet out', '---:', (s) => f(s.usPerPacket, 2)],
		['engine/bare per packet', '---:', (s) => (s.ratioPerPacket === undefined ? '' : f(s.ratioPerPacket, 3))],
		['packets/s out', '---:', (s) => f(s.outPps, 0)],
		['kbit/s per consumer', '---:', (s) => f(s.kbpsPerConsumer, 0)],
		['loss %', '---:', (s) => f(s.lossPct, 3)],
		['sink kernel drops', '---:', (s) => String(s.sinkKernelDrops)],
		['sent - received', '---:', (s) => String(s.undelivered)],
		['setup ms (N consumers)', '---:', (s) => f(s.setupMs, 0)],
		['Node CPU %', '---:', (s) => f(s.nodeCpuPct, 1)],
		['other CPU %', '---:', (s) => f(s.otherCpuPct, 1)],
	];
	const lines = [`| ${cols.map((c) => c[0]).join(' | ')} |`, `|${cols.map((c) => c[1]).join('|')}|`];
	for (const s of summary) lines.push(`| ${cols.map((c) => c[2](s)).join(' | ')} |`);
	return lines.join('\n');
}

function environment(): Record<string, unknown> {
	const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
	const model = /^model name\s*:\s*(.*)$/m.exec(cpuinfo)?.[1] ?? os.cpus()[0]?.model ?? 'unknown';
	return {
		date: new Date().toISOString(),
		cpus: os.availableParallelism(),
		cpuModel: model,
		kernel: os.release(),
		node: process.version,
		mediasoup: mediasoup.version,
		workerBin: process.env.MEDIASOUP_WORKER_BIN ?? 'node_modules/mediasoup/worker/out/Release/mediasoup-worker',
		rmemMax: (() => {
			try {
				return Number(readFileSync('/proc/sys/net/core/rmem_max', 'utf8'));
			} catch {
				return undefined;
			}
		})(),
		config: { steps, windowS, warmupS, rounds, sinks: sinkCount, bwe: args.bwe },
	};
}

let source: SimulcastSource | undefined;
let sink: RtpSink | undefined;

async function main(): Promise<void> {
	const env = environment();
	log(
		`mediasoup ${mediasoup.version}, ${String(env.cpus)} cpus (${String(env.cpuModel)}), steps ${steps.join(',')}, window ${windowS} s`,
	);
	log(`encoding the simulcast clips into ${outDir}`);
	const files = await encodeLayers(outDir, args.ffmpeg);
	sink = await RtpSink.start(sinkCount, sinkRecvBuffer);
	log(`sink: ${sink.ports.length} sockets (${sink.ports.join(', ')}), receive buffer ${sink.recvBufferBytes} bytes each`);

	// engine, bare, bare, engine (per round): linear drift within a step cancels out.
	const order: Variant[] = [];
	for (let r = 0; r < rounds; r++) order.push('engine', 'bare', 'bare', 'engine');

	const results: RunResult[] = [];
	const skipped: { n: number; reason: string }[] = [];
	let stopReason: string | undefined;
	for (const n of steps) {
		if (stopReason) {
			skipped.push({ n, reason: stopReason });
			continue;
		}
		source = await SimulcastSource.start(files, args.ffmpeg);
		try {
			await sleep(1000);
			const count: Record<Variant, number> = { engine: 0, bare: 0 };
			for (const variant of order) {
				const r = await runOnce(variant, n, ++count[variant], sink, source);
				results.push(r);
				if (!(r.lossPct <= maxLossPct) || r.stalled > 0) {
					stopReason = `N=${n} ${variant} lost ${f(r.lossPct, 2)}% (${r.stalled} consumers stalled): the sink or the worker cannot keep up`;
				}
				log(
					`N=${n} ${variant.padEnd(6)} cpu ${f(r.workerCpuPct, 1)}% (${f(r.perConsumerPct, 4)}%/consumer, ${f(r.usPerPacket, 2)} µs/pkt) ` +
						`out ${f(r.outPps, 0)} pkt/s, ${f(r.kbpsPerConsumer, 0)} kbit/s each, loss ${f(r.lossPct, 3)}% ` +
						`(sink drops ${r.sinkKernelDrops}, ingress drops ${r.ingressKernelDrops}, stalled ${r.stalled}/${r.streams}, ` +
						`sent-received ${r.workerSent - r.sinkReceived}), layers ${JSON.stringify(r.spatialLayers)}, ` +
						`in ${r.inPps.map((x) => f(x, 0)).join('/')} pkt/s, setup ${r.setupMs} ms, settle ${r.settleMs} ms, ` +
						`node ${f(r.nodeCpuPct, 0)}%, other ${f(r.otherCpuPct, 0)}%` +
						(variant === 'engine' ? `, viewer notifications ${JSON.stringify(r.notifications)}` : ''),
				);
			}
		} catch (err) {
			// A step that cannot be built or measured is reported, not retried.
			const reason = (err as Error).message;
			log(`N=${n} stopped: ${reason}`);
			skipped.push({ n, reason });
		} finally {
			await source.stop();
			source = undefined;
		}
	}
	await sink.close();
	sink = undefined;

	const summary = summarize(results);
	// Always keep the full record (gitignored bench/out/), whatever goes to stdout.
	const record = join(outDir, `fanout-${String(env.date).replace(/[:.]/g, '-')}.json`);
	await writeFile(record, `${JSON.stringify({ environment: env, summary, runs: results, skipped }, null, 2)}\n`);
	log(`full results: ${record}`);
	if (args.json) process.stdout.write(`${JSON.stringify({ environment: env, summary, runs: results, skipped }, null, 2)}\n`);
	else {
		process.stdout.write(`${markdown(summary)}\n`);
		for (const s of skipped) process.stdout.write(`\nN=${s.n} skipped: ${s.reason}\n`);
	}
}

const hardStop = setTimeout(() => {
	log(`hard limit of ${hardLimitMs / 60_000} min reached, stopping`);
	source?.killNow();
	process.exit(3);
}, hardLimitMs);
hardStop.unref();
process.on('exit', () => source?.killNow());
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
	process.on(sig, () => {
		source?.killNow();
		process.exit(130);
	});
}

try {
	await main();
} catch (err) {
	log(`failed: ${(err as Error).stack ?? String(err)}`);
	source?.killNow();
	process.exitCode = 1;
} finally {
	clearTimeout(hardStop);
	await sink?.close();
}
// mediasoup and the relay may keep handles; the results are written, so leave now.
process.exit(process.exitCode ?? 0);
