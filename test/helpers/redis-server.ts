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
 * `bind` puts it on another address of this namespace instead (the cluster rig's bridge, which
 * the hosts' namespaces reach); the port is still one that is free on loopback.
 */
export async function startRedis(opts: { bind?: string } = {}): Promise<TestRedis> {
	const bind = opts.bind ?? '127.0.0.1';
	const port = (await freePortRange(1)).min;
	const dir = mkdtempSync(join(tmpdir(), 'luwte-redis-'));
	let child: ChildProcess | undefined;
	const start = async () => {
		// setpriv execs redis-server (same pid) with a parent-death signal: a test process killed
		// outright leaves no server behind.
		child = spawn(
			'setpriv',
			[
				'--pdeathsig',
				'KILL',
				'--',
				'/usr/bin/redis-server',
				'--port',
				String(port),
				'--bind',
				bind,
				// Without a password Redis answers only loopback clients; the rig's bridge exists only
				// inside the test's private namespaces.
				...(bind === '127.0.0.1' ? [] : ['--protected-mode', 'no']),
				'--save',
				'',
				'--appendonly',
				'yes',
				'--appendfsync',
				'always',
				'--dir',
				dir,
			],
			{
				stdio: 'ignore',
			},
		);
		const deadline = Date.now() + 60_000;
		while (!(await answersPing(bind, port))) {
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
	try {
		await start();
	} catch (err) {
		// A server that never answered must not outlive the test.
		await kill('SIGKILL');
		rmSync(dir, { recursive: true, force: true });
		throw err;
	}
	return {
		url: `redis://${bind}:${port}`,
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

function answersPing(host: string, port: number): Promise<boolean> {
	return new Promise((resolve) => {
		const s = createConnection({ port, host });
		s.once('error', () => resolve(false));
		s.once('connect', () => s.write('PING\r\n'));
		s.once('data', (d) => {
			s.destroy();
			resolve(d.toString().startsWith('+PONG'));
		});
	});
}
