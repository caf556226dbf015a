import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePortRange } from './ports.ts';

export interface TestRedis {
	url: string;
	port: number;
	dir: string;
	pid: number;
	/** SIGKILL (a crash: only what the AOF holds survives) or a clean stop; then `start` again. */
	kill(signal?: NodeJS.Signals): Promise<void>;
	start(): Promise<void>;
	close(): Promise<void>;
}

/**
 * A real redis-server (Debian's) on a free loopback port, with its own folder and the AOF
 * fsynced on every write, so acknowledged writes survive a SIGKILL of the server.
 */
export async function startRedis(): Promise<TestRedis> {
	const port = (await freePortRange(1)).min;
	const dir = mkdtempSync(join(tmpdir(), 'luwte-redis-'));
	let child: ChildProcess | undefined;
	const start = async () => {
		child = spawn(
			'/usr/bin/redis-server',
			['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'yes', '--appendfsync', 'always', '--dir', dir],
			{
				stdio: 'ignore',
			},
		);
		const deadline = Date.now() + 60_000;
		while (!(await answersPing(port))) {
			if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode}`);
			if (Date.now() > deadline) throw new Error('redis-server did not answer within 60 s');
			await new Promise((r) => setTimeout(r, 50));
		}
	};
	const kill = async (signal: NodeJS.Signals = 'SIGTERM') => {
		const c = child;
		if (!c || c.exitCode !== null || c.signalCode !== null) return;
		const exited = new Promise((r) => c.once('exit', r));
		process.kill(c.pid!, signal);
		await exited;
	};
	await start();
	return {
		url: `redis://127.0.0.1:${port}`,
		port,
		dir,
		get pid() {
			return child!.pid!;
		},
		kill,
		start,
		async close() {
			await kill();
			rmSync(dir, { recursive: true, force: true });
		},
	};
}

function answersPing(port: number): Promise<boolean> {
	return new Promise((resolve) => {
		const s = createConnection({ port, host: '127.0.0.1' });
		s.once('error', () => resolve(false));
		s.once('connect', () => s.write('PING\r\n'));
		s.once('data', (d) => {
			s.destroy();
			resolve(d.toString().startsWith('+PONG'));
		});
	});
}
