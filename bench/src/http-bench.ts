/**
 * HTTP throughput with autocannon: Luwte's token issue, session read and embed script, each against
 * a bare Hono route (bench/src/http/bare-server.ts) in the same run, with Luwte's hardening limits on
 * (the defaults a host ships with: API rate 50/s with a burst of 500 per tenant, 600 tokens a minute)
 * and off. Every server is its own process pinned to CPU 0; autocannon runs here, on CPU 1 (say
 * `taskset -c 1`, or let the script pin itself with --pin).
 *
 *   node bench/src/http-bench.ts [--duration 5] [--connections 10] [--pin] [--json] [--out FILE]
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { createInterface } from 'node:readline';
import autocannon from 'autocannon';
import { benchArgs, intArg } from './args.ts';
import { type HttpReport, type HttpRow, httpTable } from './http/report.ts';
import { pin } from './pin.ts';
import { processCpuNs } from './procfs.ts';

const args = benchArgs('usage: node bench/src/http-bench.ts [--duration 5] [--connections 10] [--pin] [--json] [--out FILE]', {
	duration: { type: 'string', default: '5' },
	connections: { type: 'string', default: '10' },
	pin: { type: 'boolean', default: false },
	out: { type: 'string', default: '' },
});
const durationS = intArg('duration', args.duration, 1, 120);
const connections = intArg('connections', args.connections, 1, 1000);
const node = process.execPath;
const log = (msg: string): void => {
	process.stderr.write(`[http-bench ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
};

interface Server {
	child: ChildProcess;
	info: Record<string, any>;
}

/** Starts a server script pinned to CPU 0 and reads the JSON line it prints once it listens. */
async function startServer(script: string, argv: string[]): Promise<Server> {
	const path = new URL(script, import.meta.url).pathname;
	const child = spawn('taskset', ['-c', '0', node, path, ...argv], { stdio: ['pipe', 'pipe', 'inherit'] });
	const lines = createInterface({ input: child.stdout! });
	const info = await new Promise<Record<string, any>>((resolve, reject) => {
		const timer = setTimeout(() => reject(new Error(`${script} did not start within 120 s`)), 120_000);
		lines.once('line', (l) => {
			clearTimeout(timer);
			resolve(JSON.parse(l));
		});
		child.once('exit', (code) => reject(new Error(`${script} exited with ${code}`)));
	});
	return { child, info };
}

async function stopServer(s: Server): Promise<void> {
	if (s.child.exitCode !== null) return;
	const gone = new Promise((r) => s.child.once('exit', r));
	s.child.kill('SIGTERM');
	const t = setTimeout(() => s.child.kill('SIGKILL'), 15_000);
	await gone;
	clearTimeout(t);
}

async function measure(
	what: string,
	server: string,
	pid: number,
	opts: { url: string; method?: 'GET' | 'POST'; headers?: Record<string, string>; body?: string },
	warm = false,
): Promise<HttpRow> {
	const c0 = processCpuNs(pid);
	const me0 = process.cpuUsage();
	const t0 = performance.now();
	const r = await autocannon({ ...opts, connections, duration: warm ? 1 : durationS });
	const wallNs = (performance.now() - t0) * 1e6;
	const me = process.cpuUsage(me0);
	const seconds = r.duration;
	const row: HttpRow = {
		route: what,
		server,
		requestsPerSecond: r.requests.total / seconds,
		okPerSecond: r['2xx'] / seconds,
		refusedPerSecond: (r.statusCodeStats?.['429']?.count ?? 0) / seconds,
		otherNon2xx: r.non2xx - (r.statusCodeStats?.['429']?.count ?? 0),
		errors: r.errors + r.timeouts,
		latencyP50Ms: r.latency.p50,
		latencyP99Ms: r.latency.p99,
		serverCpuPct: ((processCpuNs(pid) - c0) / wallNs) * 100,
		clientCpuPct: (((me.user + me.system) * 1000) / wallNs) * 100,
	};
	if (!warm)
		log(
			`${what} @ ${server}: ${row.requestsPerSecond.toFixed(0)} req/s (${row.okPerSecond.toFixed(0)} 2xx, ${row.refusedPerSecond.toFixed(0)} 429), p50 ${row.latencyP50Ms} ms, p99 ${row.latencyP99Ms} ms, server ${row.serverCpuPct.toFixed(0)} %, autocannon ${row.clientCpuPct.toFixed(0)} %`,
		);
	return row;
}

async function main(): Promise<void> {
	if (args.pin) pin([process.pid], '1');
	const on = await startServer('./http/luwte-server.ts', ['--limits', 'on']);
	const off = await startServer('./http/luwte-server.ts', ['--limits', 'off']);
	const script = off.info.manifest.files['luwte.js'];
	const bare = await startServer('./http/bare-server.ts', ['--bundle-bytes', String(script.bytes.br)]);
	// taskset execs node: the PID is the server's.
	const pidOf = (s: Server) => s.child.pid as number;
	const rows: HttpRow[] = [];
	try {
		const luwte = (s: Server, limits: string) => {
			const auth = { authorization: `Bearer ${s.info.apiKey}` };
			return {
				token: (warm = false) =>
					measure(
						'token issue',
						`luwte, limits ${limits}`,
						pidOf(s),
						{
							url: `${s.info.url}/v1/sessions/${s.info.session}/tokens`,
							method: 'POST',
							headers: { ...auth, 'content-type': 'application/json' },
							body: JSON.stringify({ role: 'participant', participantId: 'bench-p1' }),
						},
						warm,
					),
				session: (warm = false) =>
					measure(
						'session read',
						`luwte, limits ${limits}`,
						pidOf(s),
						{ url: `${s.info.url}/v1/sessions/${s.info.session}`, headers: auth },
						warm,
					),
				bundle: (warm = false) =>
					measure(
						'embed script',
						`luwte, limits ${limits}`,
						pidOf(s),
						{
							url: `${s.info.url}${script.path}`,
							headers: { 'accept-encoding': 'br, gzip' },
						},
						warm,
					),
			};
		};
		const b = {
			token: (warm = false) =>
				measure(
					'token issue',
					'bare Hono',
					pidOf(bare),
					{
						url: `${bare.info.url}/tokens`,
						method: 'POST',
						headers: { 'content-type': 'application/json' },
						body: JSON.stringify({ role: 'participant', participantId: 'bench-p1' }),
					},
					warm,
				),
			session: (warm = false) => measure('session read', 'bare Hono', pidOf(bare), { url: `${bare.info.url}/session` }, warm),
			bundle: (warm = false) => measure('embed script', 'bare Hono', pidOf(bare), { url: `${bare.info.url}/bundle` }, warm),
		};
		const lOff = luwte(off, 'off');
		const lOn = luwte(on, 'on');
		// A first pass warms every route up (JIT, caches) and is thrown away.
		for (const warm of [true, false]) {
			for (const route of ['session', 'bundle', 'token'] as const) {
				const measured = [await b[route](warm), await lOff[route](warm), await lOn[route](warm)];
				if (!warm) rows.push(...measured);
			}
		}
	} finally {
		await Promise.all([on, off, bare].map(stopServer));
	}
	const report: HttpReport = {
		date: new Date().toISOString(),
		cores: os.availableParallelism(),
		cpuModel: os.cpus()[0]?.model ?? 'unknown',
		node: process.version,
		autocannon: { connections, durationS },
		rows,
	};
	if (args.out) writeFileSync(args.out, `${JSON.stringify(report, null, 2)}\n`);
	process.stdout.write(args.json ? `${JSON.stringify(report, null, 2)}\n` : `${httpTable(report)}\n`);
}

await main();
process.exit(0);
