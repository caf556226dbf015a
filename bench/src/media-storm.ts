/**
 * A join storm with media, through the user's own tool: `luwte load-test` against a `luwte serve`,
 * every subscriber joining at the same instant (`--join-concurrency` = subscribers). Reports the
 * load test's join and join-to-first-packet p50/p95/max. The host (and its worker) on CPU 0, the
 * load generator on CPU 1. Run in a private network namespace (libwebrtc skips `lo` otherwise):
 *
 *   unshare -n bash -c 'ip link set lo up; node bench/src/media-storm.ts [--subscribers 20] [--duration 10] [--out FILE]'
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hostProcess } from '../../test/helpers/host-process.ts';
import { benchArgs, intArg } from './args.ts';
import { pin, processTree } from './pin.ts';

const args = benchArgs('usage: node bench/src/media-storm.ts [--subscribers 20] [--duration 10] [--out FILE]', {
	subscribers: { type: 'string', default: '20' },
	duration: { type: 'string', default: '10' },
	out: { type: 'string', default: '' },
});
const subscribers = intArg('subscribers', args.subscribers, 1, 200);
const duration = intArg('duration', args.duration, 1, 600);
const log = (msg: string): void => {
	process.stderr.write(`[media-storm ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
};

const host = await hostProcess({ extraArgs: ['--max-connections-per-ip', '10000'] });
const tmp = mkdtempSync(join(tmpdir(), 'luwte-media-storm-'));
try {
	pin(
		processTree(process.pid).filter((p) => p !== process.pid),
		'0',
	);
	const opKey = join(tmp, 'operator-key');
	// host-process.ts starts the host with this operator key.
	writeFileSync(opKey, 'lwo_proc', { mode: 0o600 });
	const cli = new URL('../../apps/host-cli/src/main.ts', import.meta.url).pathname;
	const argv = [
		cli,
		'load-test',
		'--server',
		host.url,
		'--publishers',
		'1',
		'--subscribers',
		String(subscribers),
		'--join-concurrency',
		String(subscribers),
		'--duration',
		String(duration),
		'--operator-key-file',
		opKey,
		'--json',
	];
	log(`luwte load-test: 1 publisher, ${subscribers} subscribers joining at once, ${duration} s window`);
	const child = spawn('taskset', ['-c', '1', process.execPath, ...argv], {
		stdio: ['ignore', 'pipe', 'inherit'],
		env: { ...process.env, LUWTE_API_KEY: host.tenant.apiKey },
	});
	let out = '';
	child.stdout.on('data', (d) => {
		out += String(d);
	});
	const code = await new Promise<number | null>((r) => child.once('exit', r));
	if (code !== 0) throw new Error(`luwte load-test exited with ${code}`);
	const report = JSON.parse(out);
	const summary = { date: new Date().toISOString(), subscribers, durationS: duration, report };
	if (args.out) writeFileSync(args.out, `${JSON.stringify(summary, null, 2)}\n`);
	const q = (x: { p50: number; p95: number; max: number } | undefined) =>
		x ? `${x.p50.toFixed(0)} / ${x.p95.toFixed(0)} / ${x.max.toFixed(0)}` : '–';
	process.stdout.write(
		`${subscribers} subscribers at once: join ${q(report.subscribers.joinMs)} ms, join-to-first-packet ${q(report.subscribers.joinToFirstPacketMs)} ms (p50 / p95 / max), loss ${report.subscribers.lossPercent.toFixed(2)} %\n`,
	);
} finally {
	await host.stop('SIGTERM');
	rmSync(host.dataDir, { recursive: true, force: true });
	rmSync(tmp, { recursive: true, force: true });
}
process.exit(0);
