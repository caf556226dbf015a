/**
 * The bench suite in one command (`npm run bench`, or `npm run bench -- --quick` for a smoke run of
 * about two minutes): WebRTC fan-out Luwte vs bare mediasoup vs Janus, the join storm (signalling)
 * and a join storm with media (`luwte load-test`), HTTP throughput against bare Hono, and billing a
 * month. Each bench runs as its own process with its own hard limit; servers are pinned to CPU 0 and
 * load generators to CPU 1. The suite writes every bench's JSON to --out-dir, the tables and two SVG
 * plots into --results (between the suite markers; the rest of the file is kept).
 *
 * As root it runs itself in a private network namespace (only `lo` and a veth for Janus), so no
 * media leaves the machine and Janus can gather a candidate (see janus/netns.sh).
 *
 *   node bench/src/suite.ts [--quick] [--results bench/RESULTS.md] [--out-dir bench/out/suite-<time>]
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { basename, dirname, join, relative, resolve } from 'node:path';
import * as mediasoup from 'mediasoup';
import { benchArgs } from './args.ts';
import { httpRatios, type HttpReport, httpTable } from './http/report.ts';
import { cdf, linePlot } from './suite/svg.ts';
import { type FanoutReport, fanoutTable } from './webrtc/report.ts';

const repo = resolve(import.meta.dirname, '..', '..');
const stamp = new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19);
const args = benchArgs('usage: node bench/src/suite.ts [--quick] [--results FILE] [--out-dir DIR]', {
	quick: { type: 'boolean', default: false },
	results: { type: 'string', default: join(repo, 'bench', 'RESULTS.md') },
	'out-dir': { type: 'string', default: join(repo, 'bench', 'out', `suite-${stamp}`) },
});
const quick = args.quick;
const node = process.execPath;
const log = (msg: string): void => {
	process.stderr.write(`[suite ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
};

if (os.cpus().length < 2) {
	process.stderr.write('the suite pins servers and load generators to different cores: it needs at least 2\n');
	process.exit(2);
}

// As root, once: the whole suite in a private network namespace (netns.sh sets up lo and Janus' veth).
const root = process.getuid?.() === 0;
if (root && process.env.LUWTE_BENCH_NETNS !== '1' && spawnSync('unshare', ['-n', 'true']).status === 0) {
	const r = spawnSync('unshare', ['-n', join(import.meta.dirname, 'janus', 'netns.sh'), node, ...process.argv.slice(1)], {
		stdio: 'inherit',
		env: { ...process.env, LUWTE_BENCH_NETNS: '1' },
	});
	process.exit(r.status ?? 1);
}

const outDir = resolve(args['out-dir']);
mkdirSync(outDir, { recursive: true });
const script = (name: string) => join(import.meta.dirname, name);

/** Runs one bench as a process, its stderr passed through; rejects on a non-zero exit or its limit. */
function runBench(name: string, argv: string[], limitS: number): Promise<string> {
	log(`${name}: node ${argv.map((a) => relative(repo, a) || a).join(' ')}`);
	const t0 = performance.now();
	return new Promise((res, rej) => {
		const child = spawn(node, argv, { stdio: ['ignore', 'pipe', 'inherit'], cwd: repo });
		let out = '';
		child.stdout.on('data', (d) => {
			out += String(d);
		});
		const timer = setTimeout(() => {
			child.kill('SIGKILL');
			rej(new Error(`${name}: over its limit of ${limitS} s`));
		}, limitS * 1000);
		child.once('exit', (code) => {
			clearTimeout(timer);
			log(`${name}: done in ${((performance.now() - t0) / 1000).toFixed(0)} s (exit ${code})`);
			if (code === 0) res(out);
			else rej(new Error(`${name} exited with ${code}`));
		});
	});
}

const janusAvailable = existsSync('/usr/bin/janus') && process.env.LUWTE_BENCH_NETNS === '1';
const loadBefore = os.loadavg();
const started = new Date();
const files = {
	fanout: join(outDir, 'webrtc-fanout.json'),
	storm: join(outDir, 'join-storm.json'),
	mediaStorm: join(outDir, 'media-storm.json'),
	http: join(outDir, 'http.json'),
};

await runBench(
	'webrtc fan-out',
	[
		script('webrtc-fanout.ts'),
		'--steps',
		quick ? '2,4' : '4,8,16',
		'--window',
		quick ? '3' : '15',
		'--warmup',
		quick ? '1' : '3',
		'--rounds',
		quick ? '1' : '2',
		'--servers',
		janusAvailable ? 'luwte,mediasoup,janus' : 'luwte,mediasoup',
		'--out',
		files.fanout,
	],
	quick ? 240 : 1200,
);
await runBench(
	'join storm',
	[script('join-storm.ts'), '--clients', quick ? '50' : '200', '--rounds', quick ? '1' : '2', '--process', '--out', files.storm],
	quick ? 180 : 600,
);
await runBench(
	'join storm with media',
	[script('media-storm.ts'), '--subscribers', quick ? '5' : '20', '--duration', quick ? '3' : '10', '--out', files.mediaStorm],
	quick ? 180 : 400,
);
await runBench('http', [script('http-bench.ts'), '--duration', quick ? '1' : '5', '--pin', '--out', files.http], quick ? 180 : 600);
const billingOut = await runBench(
	'billing',
	[script('billing.ts'), '--runs', quick ? '1' : '5', ...(quick ? ['--clients', '270'] : [])],
	quick ? 180 : 900,
);
const loadAfter = os.loadavg();

// ---- RESULTS.md ----
const fanout = JSON.parse(readFileSync(files.fanout, 'utf8')) as FanoutReport;
const storm = JSON.parse(readFileSync(files.storm, 'utf8')) as {
	clients: number;
	engineSignallingP95OverBareP95: number;
	results: {
		variant: string;
		ok: number;
		failed: number;
		signalling: { p50: number; p95: number; max: number };
		samples: number[];
		token?: { p95: number };
	}[];
};
const mediaStorm = JSON.parse(readFileSync(files.mediaStorm, 'utf8')) as {
	subscribers: number;
	report: { subscribers: { joinMs?: Spread; joinToFirstPacketMs?: Spread; lossPercent: number } };
};
type Spread = { p50: number; p95: number; max: number };
const http = JSON.parse(readFileSync(files.http, 'utf8')) as HttpReport;
const billMs = Number(/bill \(read \+ check \+ bill \+ CSV\), wall, median of \d+: (\d+) ms/.exec(billingOut)?.[1] ?? Number.NaN);
const billWarmMs = Number(/bill again, snapshot warm [^,]*, wall, median of \d+: ([\d.]+) ms/.exec(billingOut)?.[1] ?? Number.NaN);

const resultsDir = dirname(resolve(args.results));
const svgName = (n: string) => (basename(args.results) === 'RESULTS.md' ? `suite-${n}.svg` : `${basename(args.results, '.md')}-${n}.svg`);
const fanoutSvg = svgName('webrtc-fanout');
const plotName = { luwte: 'Luwte', mediasoup: 'bare mediasoup', janus: 'Janus' } as const;
const joinSvg = svgName('join-storm');
writeFileSync(
	join(resultsDir, fanoutSvg),
	linePlot({
		title: 'WebRTC fan-out: server CPU per subscriber',
		xLabel: 'subscribers (one 640×360 VP8 + Opus publisher, ~0.9 Mbit/s each)',
		yLabel: '% of a core per subscriber, above publisher-only',
		markers: true,
		// Each server's runs averaged per step: one line per server.
		series: fanout.summary.map((sum) => {
			const runs = fanout.servers.filter((s) => s.name === sum.name);
			const steps = runs[0]?.steps.map((st) => st.subscribers) ?? [];
			return {
				name: plotName[sum.name],
				points: steps.map((n) => {
					const at = runs.map((r) => r.steps.find((st) => st.subscribers === n)?.perSubscriberPct ?? Number.NaN);
					return { x: n, y: at.reduce((a, b) => a + b, 0) / at.length };
				}),
			};
		}),
	}),
);
writeFileSync(
	join(resultsDir, joinSvg),
	linePlot({
		title: `Join storm: ${storm.clients} clients at once (signalling)`,
		xLabel: 'ms from the storm start to ready',
		yLabel: 'share of clients ready',
		step: true,
		yMin: 0,
		yMax: 1,
		series: storm.results.map((r, i) => ({
			name: `${r.variant === 'engine' ? 'Luwte' : 'bare mediasoup'} #${i + 1}`,
			points: cdf(r.samples),
		})),
	}),
);

const luwteStorm = storm.results.filter((r) => r.variant === 'engine');
const worstLuwteP95 = Math.max(...luwteStorm.map((r) => r.signalling.p95));
const lastLuwteP95 = luwteStorm.at(-1)?.signalling.p95 ?? Number.NaN;
const ratios = httpRatios(http);
const minOff = Math.min(...ratios.filter((r) => r.limits === 'off').map((r) => r.ratio));
const f2 = (n: number | undefined) => (n === undefined || !Number.isFinite(n) ? '–' : n.toFixed(2));
const mark = (ok: boolean) => (ok ? 'met' : '**not met**');
const q = (x: Spread | undefined) => (x ? `${x.p50.toFixed(0)} / ${x.p95.toFixed(0)} / ${x.max.toFixed(0)}` : '–');
const command = `npm run bench${quick ? ' -- --quick' : ''}`;
const section = [
	'<!-- suite:begin (written by bench/src/suite.ts; edits between these markers are replaced) -->',
	'',
	`## The suite${quick ? ' (quick run: small counts, short windows; a smoke test, not a measurement)' : ''}`,
	'',
	`\`${command}\`, ${started.toISOString().slice(0, 16).replace('T', ' ')} UTC. Machine: ${os.cpus()[0]?.model ?? '?'}, ${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Linux ${os.release()}; load average ${loadBefore.map((l) => l.toFixed(2)).join(' / ')} at the start, ${loadAfter.map((l) => l.toFixed(2)).join(' / ')} at the end. Node ${process.version}, mediasoup ${mediasoup.version}, ${fanout.summary.find((x) => x.name === 'janus')?.version ?? 'Janus not run'}, autocannon ${JSON.parse(readFileSync(join(repo, 'node_modules', 'autocannon', 'package.json'), 'utf8')).version}. Servers pinned to CPU 0, load generators to CPU 1 (\`taskset\`). Raw records: \`${relative(repo, outDir)}/\`.`,
	'',
	'| goal | measured | |',
	'|---|---|---|',
	`| WebRTC subscribers, Luwte / bare mediasoup CPU per subscriber ≤ 1.05 | ${f2(fanout.luwteOverMediasoup)} | ${mark((fanout.luwteOverMediasoup ?? 99) <= 1.05)} |`,
	`| Luwte ≥ 1.5× Janus' subscribers per core | ${f2(fanout.luwteSubscribersPerCoreOverJanus)} | ${fanout.luwteSubscribersPerCoreOverJanus === undefined ? 'Janus not run' : mark(fanout.luwteSubscribersPerCoreOverJanus >= 1.5)} |`,
	`| join storm p95 ≤ 1 s for 200, signalling only (${storm.clients} here) | worst ${worstLuwteP95.toFixed(0)} ms, last ${lastLuwteP95.toFixed(0)} ms | ${mark(worstLuwteP95 <= 1000)} |`,
	`| REST throughput ≥ 0.8 of bare Hono (limits off, worst route) | ${f2(minOff)} | ${mark(minOff >= 0.8)} |`,
	`| billing a month for 2,700 clients ≤ 1 s${quick ? ' (270 here)' : ''}: the first bill (read and derive the ledger) | ${Number.isFinite(billMs) ? `${billMs} ms` : '–'} | ${mark(billMs <= 1000)} |`,
	`| … again, from the month's snapshot (nothing in the month changed) | ${Number.isFinite(billWarmMs) ? `${billWarmMs} ms` : '–'} | ${mark(billWarmMs <= 1000)} |`,
	'',
	'Where a goal is not met, the reason is in the sections below the suite.',
	'',
	'### WebRTC fan-out: Luwte, bare mediasoup, Janus',
	'',
	`\`bench/src/webrtc-fanout.ts\`: one @roamhq/wrtc publisher (640×360 VP8 at 15 fps and Opus, one layer, capped at 1 Mbit/s by each server), the same wrtc subscribers for all three, added one at a time; ${fanout.windowS} s windows; ${fanout.rounds} round(s), servers alternating (A B C, C B A). Server CPU is every server process (Luwte: Node and its worker).`,
	'',
	fanoutTable(fanout),
	'',
	`![CPU per subscriber vs subscribers](${fanoutSvg})`,
	'',
	'### Join storm',
	'',
	`\`bench/src/join-storm.ts --process\`: ${storm.clients} clients at once through signalling (WebSocket, join, both transports, ready), the host in its own process; bare = the same two createWebRtcTransport calls on bare mediasoup.`,
	'',
	'| round | ready | failed | ms p50 / p95 / max | token storm p95 ms |',
	'|---|---|---|---|---|',
	...storm.results.map(
		(r, i) =>
			`| ${i + 1}: ${r.variant === 'engine' ? 'Luwte' : 'bare mediasoup'} | ${r.ok} | ${r.failed} | ${q(r.signalling)} | ${r.token ? r.token.p95.toFixed(0) : '–'} |`,
	),
	'',
	`Luwte p95 / bare p95: ${f2(storm.engineSignallingP95OverBareP95)}.`,
	'',
	`![Join time distribution](${joinSvg})`,
	'',
	`With media (\`bench/src/media-storm.ts\`, \`luwte load-test\` with every subscriber joining at once): ${mediaStorm.subscribers} subscribers, join ${q(mediaStorm.report.subscribers.joinMs)} ms, join-to-first-packet ${q(mediaStorm.report.subscribers.joinToFirstPacketMs)} ms (p50 / p95 / max), loss ${mediaStorm.report.subscribers.lossPercent.toFixed(2)} %.`,
	'',
	'### HTTP (autocannon)',
	'',
	`\`bench/src/http-bench.ts\`: ${http.autocannon.connections} connections, ${http.autocannon.durationS} s per row after a 1 s warm-up; limits on = the defaults a host ships with (50 API requests/s per tenant, burst 500, 600 tokens a minute), off = those lifted.`,
	'',
	httpTable(http),
	'',
	'### Billing a month',
	'',
	'`bench/src/billing.ts`:',
	'',
	'```text',
	billingOut.trim(),
	'```',
	'',
	'<!-- suite:end -->',
].join('\n');

const begin = '<!-- suite:begin';
const end = '<!-- suite:end -->';
const existing = existsSync(args.results) ? readFileSync(args.results, 'utf8') : '# Benchmark results\n';
let next: string;
if (existing.includes(begin) && existing.includes(end)) {
	next = existing.slice(0, existing.indexOf(begin)) + section + existing.slice(existing.indexOf(end) + end.length);
} else {
	// After the title: the suite's tables come first.
	const firstBreak = existing.indexOf('\n\n');
	next = firstBreak < 0 ? `${existing}\n\n${section}\n` : `${existing.slice(0, firstBreak)}\n\n${section}\n${existing.slice(firstBreak)}`;
}
writeFileSync(args.results, next);
log(`wrote ${relative(repo, resolve(args.results))}, ${fanoutSvg}, ${joinSvg}; records in ${relative(repo, outDir)}`);
process.exit(0);
