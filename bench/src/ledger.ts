/**
 * Ledger throughput: durable events per second with group commit (many appends in flight share
 * one fsync) against one fsync per event (each append awaited before the next), in the same run
 * on the same disk, for the embedded file store and the Redis Streams store.
 *
 *   node bench/src/ledger.ts [--events 100000] [--baseline-events 5000] [--concurrency 64]
 *                            [--seconds 15] [--dir bench/out/ledger] [--redis URL | --no-redis]
 *
 * Without --redis it starts Debian's /usr/bin/redis-server itself (AOF, appendfsync always) in a
 * folder under --dir, on a free loopback port, and stops it at the end. Every variant stops at
 * its event count or after --seconds, whichever comes first. Markdown table on stdout.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { AttendanceLog, RedisLedgerStore, type AttendanceEventInput, type LedgerStore } from '@luwte/engine/attendance';

const { values: args } = parseArgs({
	options: {
		events: { type: 'string', default: '100000' },
		'baseline-events': { type: 'string', default: '5000' },
		concurrency: { type: 'string', default: '64' },
		seconds: { type: 'string', default: '15' },
		dir: { type: 'string', default: 'bench/out/ledger' },
		redis: { type: 'string' },
		'no-redis': { type: 'boolean', default: false },
	},
});
const events = Number(args.events);
const baselineEvents = Number(args['baseline-events']);
const concurrency = Number(args.concurrency);
const limitMs = Number(args.seconds) * 1000;

let seq = 0;
function heartbeat(): AttendanceEventInput {
	const i = seq++;
	return {
		id: `b${process.pid}-${i}`,
		tenantId: `zorg-${i % 4}`,
		type: 'participant.heartbeat',
		sessionId: `s_${i % 50}`,
		participantId: `client-${i % 2700}`,
		connectionId: `c-${i % 2700}`,
	};
}

interface Result {
	events: number;
	seconds: number;
	perSecond: number;
}

/** `concurrency` appenders, each awaiting its own append before the next: like many connections. */
async function run(store: LedgerStore, total: number, inFlight: number): Promise<Result> {
	const start = performance.now();
	let done = 0;
	let issued = 0;
	const worker = async () => {
		while (issued < total && performance.now() - start < limitMs) {
			issued++;
			const r = await store.append(heartbeat());
			if (!r.stored) throw new Error('a fresh event was not stored');
			done++;
		}
	};
	await Promise.all(Array.from({ length: inFlight }, worker));
	const seconds = (performance.now() - start) / 1000;
	return { events: done, seconds, perSecond: done / seconds };
}

async function freePort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const s = createServer();
		s.once('error', reject);
		s.listen(0, '127.0.0.1', () => {
			const port = (s.address() as { port: number }).port;
			s.close(() => resolve(port));
		});
	});
}

async function startRedis(dir: string): Promise<{ url: string; stop(): Promise<void> }> {
	await mkdir(dir, { recursive: true });
	const port = await freePort();
	const child = spawn(
		'/usr/bin/redis-server',
		['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'yes', '--appendfsync', 'always', '--dir', dir],
		{
			stdio: 'ignore',
		},
	);
	const url = `redis://127.0.0.1:${port}`;
	for (let i = 0; ; i++) {
		try {
			const probe = await RedisLedgerStore.open({ url, prefix: 'probe' });
			await probe.close();
			break;
		} catch (err) {
			if (i > 100) throw err;
			await new Promise((r) => setTimeout(r, 100));
		}
	}
	return {
		url,
		async stop() {
			const exited = new Promise((r) => child.once('exit', r));
			child.kill('SIGTERM');
			await exited;
		},
	};
}

const rows: string[] = [];
async function measure(name: string, open: () => Promise<LedgerStore>): Promise<void> {
	const grouped = await open();
	process.stderr.write(`${name}: group commit, ${concurrency} in flight…\n`);
	const g = await run(grouped, events, concurrency);
	await grouped.close();
	const single = await open();
	process.stderr.write(`${name}: one fsync per event…\n`);
	const b = await run(single, baselineEvents, 1);
	await single.close();
	const fmt = (r: Result) => `${Math.round(r.perSecond).toLocaleString('en-US')} (${r.events} in ${r.seconds.toFixed(1)} s)`;
	rows.push(`| ${name} | ${fmt(g)} | ${fmt(b)} | ${(g.perSecond / b.perSecond).toFixed(1)}× |`);
}

const dir = join(args.dir, String(process.pid));
await mkdir(dir, { recursive: true });
try {
	await measure('file (`AttendanceLog`)', () => AttendanceLog.open(join(dir, 'file')));
	if (!args['no-redis'] && (args.redis || existsSync('/usr/bin/redis-server'))) {
		const server = args.redis ? undefined : await startRedis(join(dir, 'redis'));
		const url = args.redis ?? server!.url;
		try {
			await measure('Redis Streams (AOF, appendfsync always)', () => RedisLedgerStore.open({ url, prefix: `bench:${process.pid}` }));
		} finally {
			await server?.stop();
		}
	}
} finally {
	await rm(dir, { recursive: true, force: true });
}
console.log(
	`${os.cpus().length} cores, ${os.cpus()[0]?.model ?? '?'}, Node ${process.version}; group commit: ${concurrency} appends in flight\n`,
);
console.log('| store | durable events/s, group commit | durable events/s, one fsync per event | ratio |');
console.log('|---|---|---|---|');
for (const r of rows) console.log(r);
