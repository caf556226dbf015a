import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { seededRandom } from '@luwte/engine/abr';
import { AttendanceLog, RedisLedgerStore, type LedgerStore } from '@luwte/engine/attendance';
import { afterAll, describe, expect, it } from 'vitest';
import { startRedis, type TestRedis } from '../helpers/redis-server.ts';

// The acceptance: a process writing events is killed with SIGKILL at random moments;
// after a restart every event whose append was acknowledged is in the ledger exactly once.

const writer = join(import.meta.dirname, 'crash-writer.ts');
const ROUNDS = 6;

/** Runs the writer until it has acknowledged `minAcks` events, waits `extraMs` more, kills it. */
async function runAndKill(args: string[], minAcks: number, extraMs: number, killAlso?: () => Promise<void>): Promise<{ acked: string[] }> {
	const child = spawn(process.execPath, [writer, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
	const acked: string[] = [];
	let stderr = '';
	let buf = '';
	let ready = false;
	child.stderr.on('data', (d) => (stderr += d));
	const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
	await new Promise<void>((resolve, reject) => {
		const timer = setTimeout(() => reject(new Error(`writer did not reach ${minAcks} acks in 60 s: ${stderr}`)), 60_000);
		child.stdout.on('data', (d: Buffer) => {
			buf += d.toString();
			const lines = buf.split('\n');
			buf = lines.pop()!;
			for (const line of lines) {
				if (line === 'ready') ready = true;
				else if (line.startsWith('ack ')) acked.push(line.slice(4));
			}
			if (ready && acked.length >= minAcks) {
				clearTimeout(timer);
				resolve();
			}
		});
		void exited.then(() => reject(new Error(`writer exited early: ${stderr}`)));
	});
	await new Promise((r) => setTimeout(r, extraMs));
	if (killAlso) await killAlso();
	child.kill('SIGKILL');
	await exited;
	// Acks printed before the kill are still in the pipe: read them all.
	for (const line of buf.split('\n')) if (line.startsWith('ack ')) acked.push(line.slice(4));
	return { acked };
}

async function idsIn(store: LedgerStore): Promise<Map<string, number>> {
	const counts = new Map<string, number>();
	for await (const e of store.replay()) counts.set(e.id, (counts.get(e.id) ?? 0) + 1);
	return counts;
}

async function crashRounds(
	seed: number,
	args: (round: number) => string[],
	reopen: () => Promise<LedgerStore>,
	killAlso?: (round: number) => (() => Promise<void>) | undefined,
) {
	const rand = seededRandom(seed);
	const acked = new Set<string>();
	let retry: string[] = [];
	for (let round = 0; round < ROUNDS; round++) {
		const r = await runAndKill(
			[...args(round), String(round), retry.join(',')],
			20 + Math.floor(rand() * 200),
			Math.floor(rand() * 120),
			killAlso?.(round),
		);
		for (const id of r.acked) acked.add(id);
		// Next round retries a few acknowledged events and a few that may have been in flight.
		const last = r.acked.at(-1)!;
		const [, n] = /^r\d+-(\d+)$/.exec(last) ?? [];
		retry = [...r.acked.slice(0, 3), ...(n ? [0, 1, 2, 40, 41].map((k) => `r${round}-${Number(n) + k}`) : [])];
		const store = await reopen();
		try {
			const counts = await idsIn(store);
			const missing = [...acked].filter((id) => counts.get(id) !== 1);
			expect(missing, `round ${round}: acknowledged events not present exactly once`).toEqual([]);
			expect(
				[...counts.values()].every((c) => c === 1),
				`round ${round}: an event ID twice`,
			).toBe(true);
		} finally {
			await store.close();
		}
	}
	return acked;
}

describe('crash: SIGKILL while appending', () => {
	const cleanup: (() => unknown)[] = [];
	afterAll(async () => {
		for (const c of cleanup) await c();
	});

	it('file store: every acknowledged event is present exactly once, and the file replays cleanly', async () => {
		const dir = mkdtempSync(join(tmpdir(), 'luwte-crash-'));
		cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
		const acked = await crashRounds(
			6,
			() => ['file', dir],
			() => AttendanceLog.open(dir),
		);
		expect(acked.size).toBeGreaterThan(ROUNDS * 20);
		const log = await AttendanceLog.open(dir);
		try {
			expect(log.skippedAtOpen).toBe(0);
			// After open the file holds only whole lines, each a valid event.
			const text = readFileSync(log.path, 'utf8');
			expect(text.endsWith('\n')).toBe(true);
			for (const line of text.split('\n').filter(Boolean)) expect(() => JSON.parse(line)).not.toThrow();
		} finally {
			await log.close();
		}
	});

	it('Redis store: also when redis-server itself is killed with SIGKILL', async () => {
		const redis: TestRedis = await startRedis();
		cleanup.push(() => redis.close());
		const prefix = 'luwte:crash';
		await crashRounds(
			7,
			() => ['redis', `${redis.url}|${prefix}`],
			() => RedisLedgerStore.open({ url: redis.url, prefix }),
			// Every other round the server dies too (its AOF is fsynced before each reply), then restarts.
			(round) =>
				round % 2 === 1
					? async () => {
							await redis.kill('SIGKILL');
							await redis.start();
						}
					: undefined,
		);
	});
});
