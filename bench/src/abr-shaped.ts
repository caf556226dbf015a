// The calm controller on a real, tc-shaped link: the same rig as test/media/abr-shaped.test.ts
// (test/helpers/abr-shaped-rig.ts), run N times, reporting what the test does not assert: when
// each of calm's predicted resolution switches came live, as observed minus predicted seconds.
// The test asserts count and sequence (robust on a busy machine); timing against the model
// belongs here, next to a note of how busy the machine was.
//
//   node_modules/.bin/node bench/src/abr-shaped.ts [--runs N] [--queue-ms MS] [--trace FILE] [--json]
//
// Needs root on Linux (network namespaces, veth, tc). Outside a private network namespace it
// re-runs itself in one (`unshare -n`, only `lo`), so no media leaves the machine. About 3.5
// minutes per run. Progress to stderr, the tables to stdout, the full record of every run to
// bench/out/abr-shaped-<date>.json.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { parseTrace } from '@luwte/engine/abr';
import { describeShapedRun, offsetTable, runShapedTrace, type ShapedRun } from '../../test/helpers/abr-shaped-rig.ts';
import { startTestHost } from '../../test/helpers/host.ts';
import { addServerAddress, removeServerAddress, SERVER_IP, shapedRigUnavailable } from '../../test/helpers/netns.ts';

const { values } = parseArgs({
	options: {
		runs: { type: 'string', default: '1' },
		'queue-ms': { type: 'string', default: '400' },
		trace: { type: 'string', default: join(import.meta.dirname, '..', '..', 'test', 'fixtures', 'shaped-steps.csv') },
		json: { type: 'boolean', default: false },
	},
});
const err = (line: string) => process.stderr.write(`[abr-shaped] ${line}\n`);

const unavailable = shapedRigUnavailable();
if (unavailable?.startsWith('not in a private network namespace') && process.env.LUWTE_BENCH_NETNS !== '1') {
	// Into a namespace of our own with only lo, then the same command again.
	const argv = [process.execPath, ...process.execArgv, process.argv[1]!, ...process.argv.slice(2)];
	const quoted = argv.map((a) => `'${a.replaceAll("'", "'\\''")}'`).join(' ');
	const script = `ip link set lo up && (sysctl -qw net.ipv6.conf.all.disable_ipv6=1 || true) && exec ${quoted}`;
	const r = spawnSync('unshare', ['-n', 'bash', '-c', script], { stdio: 'inherit', env: { ...process.env, LUWTE_BENCH_NETNS: '1' } });
	process.exit(r.status ?? 1);
}
if (unavailable) {
	err(`cannot build the rig: ${unavailable}`);
	process.exit(2);
}

const runs = Number(values.runs);
const latencyMs = Number(values['queue-ms']);
const trace = parseTrace(readFileSync(values.trace, 'utf8'));
const record: { at: string; load: { before: number[]; after: number[] }; run: ShapedRun }[] = [];
// Whole-run ceiling: a stuck run must not hold the machine (the rig's own waits are bounded too).
const limit = setTimeout(
	() => {
		err('gave up: over the time limit');
		process.exit(1);
	},
	runs * 8 * 60_000,
).unref();

addServerAddress();
try {
	for (let i = 1; i <= runs; i++) {
		const before = loadavg().map((v) => Math.round(v * 100) / 100);
		err(`run ${i}/${runs}: load average ${before.join(' ')} on ${cpus().length} cores`);
		const host = await startTestHost({ listenIp: SERVER_IP });
		try {
			const run = await runShapedTrace(host, { trace, latencyMs, log: err });
			const after = loadavg().map((v) => Math.round(v * 100) / 100);
			record.push({ at: new Date().toISOString(), load: { before, after }, run });
			for (const line of describeShapedRun(run)) err(line);
		} finally {
			await host.close();
		}
	}
} finally {
	removeServerAddress();
	clearTimeout(limit);
}

mkdirSync(join(import.meta.dirname, '..', 'out'), { recursive: true });
const file = join(import.meta.dirname, '..', 'out', `abr-shaped-${new Date().toISOString().replaceAll(':', '-')}.json`);
writeFileSync(file, `${JSON.stringify(record, null, 1)}\n`);
err(`full record: ${file}`);

if (values.json) {
	process.stdout.write(`${JSON.stringify(record, null, 1)}\n`);
} else {
	const out: string[] = [];
	const summary = [
		'| run | load avg (1 min) before/after | calm switches observed/predicted | calm resolutions observed (predicted) | ' +
			'greedy observed/predicted | every calm switch within 12 s | sender top layer paused or shrunk (s) |',
		'|---:|---|---|---|---|---|---:|',
	];
	record.forEach((r, i) => {
		const calm = r.run.results.find((x) => x.profile === 'calm')!;
		const greedy = r.run.results.find((x) => x.profile === 'greedy')!;
		const within = calm.switchOffsets.every((o) => o.offsetS !== undefined && Math.abs(o.offsetS) <= 12);
		summary.push(
			`| ${i + 1} | ${r.load.before[0]} / ${r.load.after[0]} | ${calm.observed.spatialSwitches} / ${calm.predicted.spatialSwitches} | ` +
				`${calm.observed.resolutions.join('>')} (${calm.predicted.resolutions.join('>')}) | ` +
				`${greedy.observed.spatialSwitches} / ${greedy.predicted.spatialSwitches} | ${within ? 'yes' : 'no'} | ` +
				`${r.run.sender.topLayerShortSeconds} |`,
		);
		out.push('', `Run ${i + 1}, calm: when each predicted switch came (observed minus predicted, s)`, '', ...offsetTable(calm));
	});
	process.stdout.write(`${[...summary, ...out].join('\n')}\n`);
}
// Exit here rather than by an empty event loop: the natural teardown runs @roamhq/wrtc's
// finalizers, which can abort the process (V8 "HandleScope" fatal error, NOTES.md) after the
// results are out. stdout is written synchronously to files and pipes, so nothing is lost.
process.exit(0);
