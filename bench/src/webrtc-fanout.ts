/**
 * WebRTC fan-out, Luwte vs bare mediasoup vs Janus, in one run with the same clients: one
 * @roamhq/wrtc publisher (synthetic 640×360 VP8 at 15 fps and Opus, one layer for all three), then
 * wrtc subscribers added step by step. Per server and step, over a window: the server's CPU
 * (/proc/PID/task/*\/schedstat of every server process), per subscriber above the publisher-only
 * baseline and as a least-squares slope over the steps, what the subscribers received and lost, and
 * the load generator's own CPU. Servers are pinned to CPU 0, this process (the clients) to CPU 1.
 *
 * Run it through bench/src/janus/netns.sh (a private network namespace where Janus can gather a
 * candidate; it also pins this process to CPU 1):
 *
 *   unshare -n bench/src/janus/netns.sh node bench/src/webrtc-fanout.ts [--steps 5,10,20] [--servers luwte,mediasoup,janus] [--json] [--out FILE]
 */
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { fakeMedia } from '../../test/helpers/wrtc-media.ts';
import { freePortRange } from '../../test/helpers/ports.ts';
import { benchArgs, intArg } from './args.ts';
import { processCpuNs } from './procfs.ts';
import { janusSfu } from './webrtc/janus.ts';
import { luwteSfu } from './webrtc/luwte.ts';
import { mediasoupSfu } from './webrtc/mediasoup.ts';
import { type FanoutReport, type FanoutServer, type FanoutStep, fanoutTable, type ServerName, serverNames } from './webrtc/report.ts';
import { inboundOf, type Sfu, type Subscriber } from './webrtc/sfu.ts';

const usage =
	'usage: node bench/src/webrtc-fanout.ts [--steps 5,10,20] [--servers luwte,mediasoup,janus] [--rounds 1] [--window 10] [--warmup 3] [--server-cpus 0] [--json] [--out FILE]';
const args = benchArgs(usage, {
	steps: { type: 'string', default: '5,10,20' },
	servers: { type: 'string', default: 'luwte,mediasoup,janus' },
	window: { type: 'string', default: '10' },
	warmup: { type: 'string', default: '3' },
	'server-cpus': { type: 'string', default: '0' },
	rounds: { type: 'string', default: '1' },
	out: { type: 'string', default: '' },
});
const rounds = intArg('rounds', args.rounds, 1, 5);
const steps = args.steps.split(',').map((s) => intArg('steps', s.trim(), 1, 200));
const windowS = intArg('window', args.window, 1, 120);
const warmupS = intArg('warmup', args.warmup, 0, 60);
const cpus = args['server-cpus'];
const servers = args.servers.split(',').map((s) => {
	if (!serverNames.includes(s as ServerName)) {
		process.stderr.write(`--servers: unknown "${s}" (known: ${serverNames.join(', ')})\n`);
		process.exit(2);
	}
	return s as ServerName;
});
const hardLimitMs = 20 * 60_000;
const mediaTimeoutMs = 30_000;

const log = (msg: string): void => {
	process.stderr.write(`[webrtc-fanout ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
};
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function start(name: ServerName): Promise<Sfu> {
	if (name === 'luwte') return luwteSfu(cpus);
	if (name === 'mediasoup') return mediasoupSfu(cpus, (await freePortRange(1)).min);
	return janusSfu(cpus);
}

async function waitForMedia(sub: Subscriber): Promise<void> {
	const until = performance.now() + mediaTimeoutMs;
	while (performance.now() < until) {
		if (inboundOf(await sub.stats()).videoPackets > 0) return;
		await sleep(100);
	}
	throw new Error(`a subscriber got no video within ${mediaTimeoutMs / 1000} s`);
}

function slope(points: { x: number; y: number }[]): number {
	const n = points.length;
	const mx = points.reduce((a, p) => a + p.x, 0) / n;
	const my = points.reduce((a, p) => a + p.y, 0) / n;
	const sxy = points.reduce((a, p) => a + (p.x - mx) * (p.y - my), 0);
	const sxx = points.reduce((a, p) => a + (p.x - mx) ** 2, 0);
	return sxx > 0 ? sxy / sxx : Number.NaN;
}

async function runServer(name: ServerName): Promise<FanoutServer> {
	const sfu = await start(name);
	const media = fakeMedia();
	const subs: Subscriber[] = [];
	try {
		log(`${sfu.version}: server pids ${sfu.serverPids().join(', ')} on CPU ${cpus}`);
		await sfu.publish({ camera: media.camera, microphone: media.microphone });
		const cpuOf = () => sfu.serverPids().reduce((a, pid) => a + processCpuNs(pid), 0);
		const workerCpuOf = () => sfu.workerPids().reduce((a, pid) => a + processCpuNs(pid), 0);
		const measure = async () => {
			await sleep(warmupS * 1000);
			const before = await Promise.all(subs.map(async (s) => inboundOf(await s.stats())));
			const c0 = cpuOf();
			const w0 = workerCpuOf();
			const me0 = processCpuNs(process.pid);
			const t0 = performance.now();
			await sleep(windowS * 1000);
			const c1 = cpuOf();
			const w1 = workerCpuOf();
			const me1 = processCpuNs(process.pid);
			const wallNs = (performance.now() - t0) * 1e6;
			const after = await Promise.all(subs.map(async (s) => inboundOf(await s.stats())));
			let bytes = 0;
			let packets = 0;
			let lost = 0;
			let silent = 0;
			after.forEach((a, i) => {
				const b = before[i] ?? { bytes: 0, packets: 0, lost: 0 };
				bytes += a.bytes - b.bytes;
				packets += a.packets - b.packets;
				lost += a.lost - b.lost;
				if (a.packets === b.packets) silent++;
			});
			return {
				cpuPct: ((c1 - c0) / wallNs) * 100,
				workerPct: ((w1 - w0) / wallNs) * 100,
				clientCpuPct: ((me1 - me0) / wallNs) * 100,
				kbps: subs.length ? (bytes * 8) / (wallNs / 1e9) / 1000 / subs.length : 0,
				lossPct: packets + lost > 0 ? (lost / (packets + lost)) * 100 : 0,
				silent,
			};
		};
		const base = await measure();
		const baselinePct = base.cpuPct;
		log(`${name}: publisher only ${baselinePct.toFixed(1)} % of a core`);
		const results: FanoutStep[] = [];
		for (const n of steps) {
			const t0 = performance.now();
			// One at a time: the step measures steady fan-out, not the join (join-storm.ts does that).
			while (subs.length < n) {
				const s = await sfu.subscribe();
				subs.push(s);
				await waitForMedia(s);
			}
			log(`${name}: ${n} subscribers with media in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
			const m = await measure();
			const step: FanoutStep = {
				subscribers: n,
				serverCpuPct: m.cpuPct,
				perSubscriberPct: (m.cpuPct - baselinePct) / n,
				workerCpuPct: m.workerPct,
				kbpsPerSubscriber: m.kbps,
				lossPct: m.lossPct,
				silent: m.silent,
				clientCpuPct: m.clientCpuPct,
			};
			log(
				`${name} ${n}: server ${m.cpuPct.toFixed(1)} %, ${step.perSubscriberPct.toFixed(2)} %/subscriber, ${m.kbps.toFixed(0)} kbit/s each, loss ${m.lossPct.toFixed(2)} %, silent ${m.silent}, clients ${m.clientCpuPct.toFixed(0)} %`,
			);
			results.push(step);
		}
		const s = slope([{ x: 0, y: baselinePct }, ...results.map((r) => ({ x: r.subscribers, y: r.serverCpuPct }))]);
		const ws = slope([{ x: 0, y: base.workerPct }, ...results.map((r) => ({ x: r.subscribers, y: r.workerCpuPct }))]);
		return {
			name,
			version: sfu.version,
			baselinePct,
			workerBaselinePct: base.workerPct,
			steps: results,
			slopePct: s,
			subscribersPerCore: 100 / s,
			workerSlopePct: ws,
		};
	} finally {
		for (const s of subs) s.close();
		media.stop();
		await sfu.stop().catch((err: unknown) => log(`${name}: stop failed: ${String(err)}`));
	}
}

async function main(): Promise<void> {
	const hard = setTimeout(() => {
		log('hard limit reached, exiting');
		process.exit(3);
	}, hardLimitMs);
	hard.unref();
	const results: FanoutServer[] = [];
	// A B C, C B A, …: the machine's drift during the run weighs on every server alike.
	for (let r = 0; r < rounds; r++) {
		for (const name of r % 2 === 0 ? servers : [...servers].reverse()) results.push({ ...(await runServer(name)), round: r + 1 });
	}
	const median = (xs: number[]) => {
		const v = [...xs].sort((a, b) => a - b);
		const m = Math.floor(v.length / 2);
		return v.length % 2 ? v[m]! : (v[m - 1]! + v[m]!) / 2;
	};
	const summary = serverNames
		.filter((n) => results.some((r) => r.name === n))
		.map((n) => {
			const runs = results.filter((r) => r.name === n);
			const slopes = runs.map((r) => r.slopePct);
			return {
				name: n,
				version: runs[0]!.version,
				runs: runs.length,
				slopePct: median(slopes),
				slopeMinPct: Math.min(...slopes),
				slopeMaxPct: Math.max(...slopes),
				workerSlopePct: median(runs.map((r) => r.workerSlopePct)),
				subscribersPerCore: 100 / median(slopes),
			};
		});
	const by = (n: ServerName) => summary.find((r) => r.name === n);
	const luwte = by('luwte');
	const bare = by('mediasoup');
	const janus = by('janus');
	const report: FanoutReport = {
		rounds,
		summary,
		date: new Date().toISOString(),
		cores: os.availableParallelism(),
		cpuModel: os.cpus()[0]?.model ?? 'unknown',
		node: process.version,
		serverCpus: cpus,
		windowS,
		servers: results,
		...(luwte && bare
			? { luwteOverMediasoup: luwte.slopePct / bare.slopePct, luwteWorkerOverMediasoup: luwte.workerSlopePct / bare.workerSlopePct }
			: {}),
		...(luwte && janus ? { luwteSubscribersPerCoreOverJanus: luwte.subscribersPerCore / janus.subscribersPerCore } : {}),
	};
	if (args.out) writeFileSync(args.out, `${JSON.stringify(report, null, 2)}\n`);
	if (args.json) {
		process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
		return;
	}
	process.stdout.write(`${fanoutTable(report)}\n`);
}

await main();
// wrtc keeps native threads alive after close(); the work is done.
process.exit(0);
