/**
 * WebRTC fan-out through Janus' VideoRoom: one @roamhq/wrtc publisher (synthetic 640×360 VP8 at
 * 15 fps and Opus), then subscribers added step by step (default 5, 20), each a wrtc peer
 * connection. Per step: Janus' CPU over a window (/proc/PID/task/*\/schedstat), per subscriber
 * above the publisher-only baseline, and what the subscribers received and lost.
 *
 * Run it through bench/src/janus/netns.sh (a private network namespace where Janus can gather a
 * candidate; see server.ts), which also pins this process to CPU 1; Janus is pinned to CPU 0 here:
 *
 *   unshare -n bench/src/janus/netns.sh node bench/src/janus-fanout.ts [--steps 5,20] [--window 10] [--json]
 */
import os from 'node:os';
import { fakeMedia } from '../../test/helpers/wrtc-media.ts';
import { benchArgs, intArg } from './args.ts';
import { startJanus } from './janus/server.ts';
import { createRoom, inbound, JanusSession, publish, subscribe } from './janus/videoroom.ts';
import { processCpuNs } from './procfs.ts';

const args = benchArgs('usage: node bench/src/janus-fanout.ts [--steps 5,20] [--window 10] [--warmup 3] [--janus-cpus 0] [--json]', {
	steps: { type: 'string', default: '5,20' },
	window: { type: 'string', default: '10' },
	warmup: { type: 'string', default: '3' },
	'janus-cpus': { type: 'string', default: '0' },
});
const steps = args.steps.split(',').map((s) => intArg('steps', s.trim(), 1, 200));
const windowS = intArg('window', args.window, 1, 60);
const warmupS = intArg('warmup', args.warmup, 0, 30);
const hardLimitMs = 10 * 60_000;
const room = 4242;

const log = (msg: string): void => {
	process.stderr.write(`[janus-fanout ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
};
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface Step {
	subscribers: number;
	/** Janus CPU over the window, in percent of one core. */
	janusCpuPct: number;
	/** Above the publisher-only baseline, per subscriber, percent of one core. */
	perSubscriberPct: number;
	/** Mean received bitrate per subscriber, kbit/s. */
	kbpsPerSubscriber: number;
	lossPct: number;
	silent: number;
	/** This process (publisher, subscribers, wrtc) over the window, percent of one core. */
	clientCpuPct: number;
}

async function main(): Promise<void> {
	const hard = setTimeout(() => {
		log('hard limit reached, exiting');
		process.exit(3);
	}, hardLimitMs);
	hard.unref();
	const janus = await startJanus({ cpus: args['janus-cpus'] });
	log(`janus ${janus.version} pid ${janus.pid} on CPU ${args['janus-cpus']}, API ${janus.apiUrl}`);
	const media = fakeMedia();
	const session = new JanusSession(janus.apiUrl);
	const subs: RTCPeerConnection[] = [];
	const results: Step[] = [];
	let baselinePct = Number.NaN;
	let pub: RTCPeerConnection | undefined;
	try {
		await session.open();
		await createRoom(session, await session.attach(), room);
		const p = await publish(session, room, [media.camera, media.microphone]);
		pub = p.pc;
		log(`publisher up (feed ${p.feedId})`);
		const measure = async () => {
			await sleep(warmupS * 1000);
			const before = await Promise.all(subs.map(inbound));
			const c0 = processCpuNs(janus.pid);
			const me0 = processCpuNs(process.pid);
			const t0 = performance.now();
			await sleep(windowS * 1000);
			const c1 = processCpuNs(janus.pid);
			const me1 = processCpuNs(process.pid);
			const wallNs = (performance.now() - t0) * 1e6;
			const after = await Promise.all(subs.map(inbound));
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
				clientCpuPct: ((me1 - me0) / wallNs) * 100,
				kbps: subs.length ? (bytes * 8) / windowS / 1000 / subs.length : 0,
				lossPct: packets + lost > 0 ? (lost / (packets + lost)) * 100 : 0,
				silent,
			};
		};
		baselinePct = (await measure()).cpuPct;
		log(`publisher only: janus ${baselinePct.toFixed(1)} % of a core`);
		for (const n of steps) {
			const t0 = performance.now();
			// One at a time: the step measures steady fan-out, not the join (join-storm.ts does that).
			for (let i = subs.length; i < n; i++) subs.push(await subscribe(session, room, p.feedId));
			log(`${n} subscribers up in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
			const m = await measure();
			const step: Step = {
				subscribers: n,
				janusCpuPct: m.cpuPct,
				perSubscriberPct: (m.cpuPct - baselinePct) / n,
				kbpsPerSubscriber: m.kbps,
				lossPct: m.lossPct,
				silent: m.silent,
				clientCpuPct: m.clientCpuPct,
			};
			log(
				`${n}: janus ${m.cpuPct.toFixed(1)} %, ${step.perSubscriberPct.toFixed(2)} %/subscriber, ${m.kbps.toFixed(0)} kbit/s each, loss ${m.lossPct.toFixed(2)} %, silent ${m.silent}, client ${m.clientCpuPct.toFixed(0)} %`,
			);
			results.push(step);
		}
	} finally {
		for (const s of subs) s.close();
		pub?.close();
		media.stop();
		await session.close().catch(() => undefined);
		const code = await janus.stop();
		log(`janus stopped (exit ${code})`);
	}
	const summary = {
		janus: janus.version,
		cores: os.availableParallelism(),
		node: process.version,
		date: new Date().toISOString(),
		janusCpus: args['janus-cpus'],
		baselinePct,
		windowS,
		steps: results,
	};
	if (args.json) {
		process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
		return;
	}
	const lines = [
		`Janus ${janus.version} VideoRoom fan-out, ${windowS} s windows, Janus on CPU ${args['janus-cpus']}, publisher-only baseline ${baselinePct.toFixed(1)} % of a core`,
		'',
		'| subscribers | janus % of a core | % per subscriber above baseline | kbit/s per subscriber | loss % | silent | client % of a core |',
		'|---|---|---|---|---|---|---|',
		...results.map(
			(r) =>
				`| ${r.subscribers} | ${r.janusCpuPct.toFixed(1)} | ${r.perSubscriberPct.toFixed(2)} | ${r.kbpsPerSubscriber.toFixed(0)} | ${r.lossPct.toFixed(2)} | ${r.silent} | ${r.clientCpuPct.toFixed(0)} |`,
		),
	];
	process.stdout.write(`${lines.join('\n')}\n`);
}

await main();
// wrtc keeps native threads alive after close(); the work is done.
process.exit(0);
