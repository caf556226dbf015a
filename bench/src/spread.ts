/**
 * Spread benchmark: worker CPU per consumer with N viewers all on one worker vs. spread over two
 * workers joined by `pipeToRouter`, in the same process, on the same ffmpeg simulcast source,
 * alternating one/spread/spread/one so machine drift cancels out.
 *
 * Why bare mediasoup and not the engine: the engine spreads only viewers' WebRTC receive
 * transports (session-router.ts: plain transports always stay on the origin), and this rig has
 * no cheap WebRTC receiver. So both variants are built with the same mediasoup calls the
 * engine's edge routers make (edge-routers.ts): one router per worker, the producer on the
 * origin, `origin.pipeToRouter({ producerId, router: edge })` with mediasoup's defaults (loopback
 * PipeTransports, no SRTP, no RTX), and consumers on the edge consuming the pipe producer.
 *
 *   node bench/src/spread.ts [--viewers 200] [--seconds 20] [--warmup 2] [--rounds 1] [--json]
 *
 * Progress goes to stderr; the result table (Markdown, or JSON with --json) to stdout.
 */
import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type MediaTypes, routerMediaCodecs } from '@luwte/engine';
import * as mediasoup from 'mediasoup';
import { benchArgs, intArg } from './args.ts';
import { cpuTimes, waitPidGone } from './procfs.ts';
import { encodeLayers, SimulcastSource, simulcastLayers, simulcastRtpParameters } from './rtp-source.ts';
import { RtpSink, sinkWindow } from './sink.ts';

const args = benchArgs(
	'usage: node bench/src/spread.ts [--viewers 200] [--seconds 20] [--warmup 2] [--rounds 1] [--json] [--ffmpeg /usr/bin/ffmpeg]',
	{
		viewers: { type: 'string', default: '200' },
		seconds: { type: 'string', default: '20' },
		warmup: { type: 'string', default: '2' },
		rounds: { type: 'string', default: '1' },
	},
);

const viewers = intArg('viewers', args.viewers, 2, 1000);
const windowS = intArg('seconds', args.seconds, 1, 120);
const warmupS = intArg('warmup', args.warmup, 1, 30);
const rounds = intArg('rounds', args.rounds, 1, 5);
const outDir = fileURLToPath(new URL('../out/', import.meta.url));
const rtpPortRange = { min: 40000, max: 49999 };
const sinkRecvBuffer = 4 * 1024 * 1024;
/** Whole benchmark, hard stop: every loop below is also bounded by count. */
const hardLimitMs = 15 * 60_000;

type Variant = 'one' | 'spread';

const log = (msg: string): void => {
	process.stderr.write(`[spread ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
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

interface RunResult {
	variant: Variant;
	run: number;
	/** Consumers on the origin's and the edge's worker. */
	split: [number, number];
	/** Per worker, % of one core (origin first). */
	workerCpuPct: [number, number];
	totalCpuPct: number;
	perConsumerPct: number;
	usPerPacket: number;
	outPps: number;
	lossPct: number;
	stalled: number;
	onTop: number;
	/** Whole machine, % busy of all cores, during the window. */
	systemBusyPct: number;
	loadAvg1: number;
}

async function runOnce(variant: Variant, run: number, sink: RtpSink, source: SimulcastSource): Promise<RunResult> {
	await sink.reset();
	// Both variants start two workers, each with the session's router, so an idle worker's own
	// cost (timers, the router) is in both totals and the difference is the pipe and the split.
	const workers = await Promise.all(
		[0, 1].map(() => mediasoup.createWorker({ logLevel: 'warn', rtcMinPort: rtpPortRange.min, rtcMaxPort: rtpPortRange.max })),
	);
	const [wOrigin, wEdge] = workers as [MediaTypes.Worker, MediaTypes.Worker];
	try {
		const origin = await wOrigin.createRouter({ mediaCodecs: routerMediaCodecs });
		const edge = await wEdge.createRouter({ mediaCodecs: routerMediaCodecs });
		const send = await origin.createPlainTransport({ listenInfo: { protocol: 'udp', ip: '127.0.0.1' }, rtcpMux: true, comedia: true });
		const producer = await send.produce({ kind: 'video', rtpParameters: simulcastRtpParameters() });
		source.setTarget(send.tuple.localPort);
		// The engine's edge: one pipe per producer and edge router, made when the first viewer there consumes.
		const onEdge = variant === 'spread' ? Math.floor(viewers / 2) : 0;
		if (onEdge > 0) await origin.pipeToRouter({ producerId: producer.id, router: edge });
		const consumers: MediaTypes.Consumer[] = [];
		const deadline = Date.now() + 120_000;
		for (let i = 0; i < viewers; i++) {
			if (Date.now() > deadline) throw new Error(`setup too slow at consumer ${i}`);
			const router = i < viewers - onEdge ? origin : edge;
			const recv = await router.createPlainTransport({
				listenInfo: { protocol: 'udp', ip: '127.0.0.1' },
				rtcpMux: true,
				comedia: false,
			});
			const port = sink.ports[i % sink.ports.length];
			if (port === undefined) throw new Error('no sink port');
			await recv.connect({ ip: '127.0.0.1', port });
			const c = await recv.consume({ producerId: producer.id, rtpCapabilities: receiverCaps(router.rtpCapabilities), paused: true });
			await c.resume();
			await c.requestKeyFrame();
			consumers.push(c);
		}
		await sleep(warmupS * 1000);
		const top = simulcastLayers.length - 1;
		for (let i = 0; i < 16; i++) {
			if (consumers.every((c) => c.currentLayers?.spatialLayer === top)) break;
			await sleep(500);
		}
		const snap = async () => {
			const ru = await Promise.all(workers.map((w) => w.getResourceUsage()));
			return { t: performance.now(), cpu: ru.map((r) => r.ru_utime + r.ru_stime), sys: cpuTimes(), sink: await sink.snapshot() };
		};
		const a = await snap();
		await sleep(windowS * 1000);
		const b = await snap();
		const ms = b.t - a.t;
		const ssrcs = new Set(consumers.map((c) => c.rtpParameters.encodings?.[0]?.ssrc ?? -1));
		const w = sinkWindow(a.sink, b.sink, ssrcs);
		const pct = (i: number) => (((b.cpu[i] ?? 0) - (a.cpu[i] ?? 0)) / ms) * 100;
		const workerCpuPct: [number, number] = [pct(0), pct(1)];
		const totalCpuPct = workerCpuPct[0] + workerCpuPct[1];
		return {
			variant,
			run,
			split: [viewers - onEdge, onEdge],
			workerCpuPct,
			totalCpuPct,
			perConsumerPct: totalCpuPct / viewers,
			usPerPacket: w.packets > 0 ? ((totalCpuPct / 100) * ms * 1000) / w.packets : Number.NaN,
			outPps: w.packets / (ms / 1000),
			lossPct: w.expected > 0 ? (w.lost / w.expected) * 100 : Number.NaN,
			stalled: w.stalled,
			onTop: consumers.filter((c) => c.currentLayers?.spatialLayer === top).length,
			systemBusyPct: ((b.sys.busy - a.sys.busy) / Math.max(1, b.sys.total - a.sys.total)) * 100,
			loadAvg1: os.loadavg()[0] ?? Number.NaN,
		};
	} finally {
		source.setTarget(undefined);
		for (const w of workers) w.close();
		for (const w of workers) if (!(await waitPidGone(w.pid, 5000))) log(`warning: worker ${w.pid} still alive 5 s after close`);
	}
}

const mean = (xs: number[]): number => xs.reduce((s, x) => s + x, 0) / Math.max(1, xs.length);
const f = (x: number, d: number): string => (Number.isFinite(x) ? x.toFixed(d) : '-');

let source: SimulcastSource | undefined;
let sink: RtpSink | undefined;

async function main(): Promise<void> {
	log(
		`mediasoup ${mediasoup.version}, ${os.availableParallelism()} cpus, ${viewers} viewers, ${windowS} s windows, load ${os
			.loadavg()
			.map((x) => x.toFixed(2))
			.join(' ')}`,
	);
	const files = await encodeLayers(outDir, args.ffmpeg);
	sink = await RtpSink.start(4, sinkRecvBuffer);
	source = await SimulcastSource.start(files, args.ffmpeg);
	await sleep(1000);
	const order: Variant[] = [];
	for (let r = 0; r < rounds; r++) order.push('one', 'spread', 'spread', 'one');
	const count: Record<Variant, number> = { one: 0, spread: 0 };
	const results: RunResult[] = [];
	for (const variant of order) {
		const r = await runOnce(variant, ++count[variant], sink, source);
		results.push(r);
		log(
			`${variant.padEnd(6)} split ${r.split.join('+')}: workers ${r.workerCpuPct.map((x) => f(x, 1)).join(' + ')} = ${f(r.totalCpuPct, 1)}% ` +
				`(${f(r.perConsumerPct, 4)}%/consumer, ${f(r.usPerPacket, 2)} µs/pkt), out ${f(r.outPps, 0)} pkt/s, loss ${f(r.lossPct, 3)}%, ` +
				`stalled ${r.stalled}, on 720p ${r.onTop}/${viewers}, machine ${f(r.systemBusyPct, 0)}% busy, load ${f(r.loadAvg1, 2)}`,
		);
	}
	const by = (v: Variant) => results.filter((r) => r.variant === v);
	const one = mean(by('one').map((r) => r.perConsumerPct));
	const spread = mean(by('spread').map((r) => r.perConsumerPct));
	const onePkt = mean(by('one').map((r) => r.usPerPacket));
	const spreadPkt = mean(by('spread').map((r) => r.usPerPacket));
	const summary = { viewers, windowS, one, spread, ratio: spread / one, ratioPerPacket: spreadPkt / onePkt, onePkt, spreadPkt };
	const date = new Date().toISOString();
	const record = join(outDir, `spread-${date.replace(/[:.]/g, '-')}.json`);
	await writeFile(record, `${JSON.stringify({ date, mediasoup: mediasoup.version, summary, runs: results }, null, 2)}\n`);
	log(`full results: ${record}`);
	if (args.json) {
		process.stdout.write(`${JSON.stringify({ summary, runs: results }, null, 2)}\n`);
		return;
	}
	const lines = [
		'| variant | run | consumers (origin + edge) | worker CPU % origin + edge | total % | % per consumer | µs per packet out | packets/s out | loss % | on 720p | machine busy % | load (1 min) |',
		'| --- | --: | --- | --- | --: | --: | --: | --: | --: | --: | --: | --: |',
	];
	for (const r of results) {
		lines.push(
			`| ${r.variant} | ${r.run} | ${r.split.join(' + ')} | ${r.workerCpuPct.map((x) => f(x, 1)).join(' + ')} | ${f(r.totalCpuPct, 1)} | ${f(r.perConsumerPct, 4)} | ` +
				`${f(r.usPerPacket, 2)} | ${f(r.outPps, 0)} | ${f(r.lossPct, 3)} | ${r.onTop}/${viewers} | ${f(r.systemBusyPct, 0)} | ${f(r.loadAvg1, 2)} |`,
		);
	}
	lines.push(
		'',
		`CPU % per consumer: one worker ${f(one, 4)}, spread ${f(spread, 4)}; spread/one = **${f(summary.ratio, 3)}** (per packet ${f(summary.ratioPerPacket, 3)})`,
	);
	process.stdout.write(`${lines.join('\n')}\n`);
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
	process.exitCode = 1;
} finally {
	clearTimeout(hardStop);
	await source?.stop();
	await sink?.close();
}
process.exit(process.exitCode ?? 0);
