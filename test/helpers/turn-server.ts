import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A real coturn (Debian's `turnserver`) for tests, with the TURN REST API shared secret
 * (`use-auth-secret`) the host's credentials are made with. It listens on `ip` and relays from the same address (TURN over UDP and TCP on `port`).
 */
export interface TestTurn {
	secret: string;
	/** The TURN URLs for the host's config. */
	urls: string[];
	/** What coturn logged (allocations, refusals), for assertions and failure messages. */
	log(): string;
	close(): Promise<void>;
}

export const turnBinary = '/usr/bin/turnserver';

export function turnUnavailable(): string | undefined {
	return existsSync(turnBinary) ? undefined : 'coturn (turnserver) not installed';
}

export async function startTurn(opts: {
	ip: string;
	port: number;
	/** TURN over TLS here too, with a self-signed certificate for turn.luwte.test. */
	tlsPort?: number;
	relayPorts: { min: number; max: number };
}): Promise<TestTurn> {
	const dir = mkdtempSync(join(tmpdir(), 'luwte-turn-'));
	const secret = `turn-test-secret-${process.pid}-${Date.now()}`;
	const lines = [
		`listening-ip=${opts.ip}`,
		`relay-ip=${opts.ip}`,
		`listening-port=${opts.port}`,
		`min-port=${opts.relayPorts.min}`,
		`max-port=${opts.relayPorts.max}`,
		'use-auth-secret',
		`static-auth-secret=${secret}`,
		'realm=luwte.test',
		'fingerprint',
		'no-cli',
		'no-multicast-peers',
		'no-dtls',
		`pidfile=${join(dir, 'turnserver.pid')}`,
		'log-file=stdout',
		'simple-log',
		'verbose',
	];
	if (opts.tlsPort !== undefined) {
		const f = (name: string) => join(dir, name);
		execFileSync(
			'openssl',
			[
				'req',
				'-x509',
				'-newkey',
				'rsa:2048',
				'-nodes',
				'-days',
				'1',
				'-subj',
				'/CN=turn.luwte.test',
				'-addext',
				'subjectAltName=DNS:turn.luwte.test',
				'-keyout',
				f('key.pem'),
				'-out',
				f('cert.pem'),
			],
			{ stdio: 'ignore', timeout: 30_000 },
		);
		lines.push(`tls-listening-port=${opts.tlsPort}`, `cert=${f('cert.pem')}`, `pkey=${f('key.pem')}`);
	} else {
		lines.push('no-tls');
	}
	writeFileSync(join(dir, 'turnserver.conf'), `${lines.join('\n')}\n`);
	const child: ChildProcess = spawn(turnBinary, ['-c', join(dir, 'turnserver.conf')], { stdio: ['ignore', 'pipe', 'pipe'] });
	let log = '';
	child.stdout!.on('data', (d) => {
		log = (log + String(d)).slice(-200_000);
	});
	child.stderr!.on('data', (d) => {
		log = (log + String(d)).slice(-200_000);
	});
	const deadline = Date.now() + 30_000;
	while (!(await tcpAnswers(opts.ip, opts.port))) {
		if (child.exitCode !== null) throw new Error(`turnserver exited with ${child.exitCode}:\n${log}`);
		if (Date.now() > deadline) throw new Error(`turnserver did not listen within 30 s:\n${log}`);
		await new Promise((r) => setTimeout(r, 100));
	}
	const urls = [`turn:${opts.ip}:${opts.port}?transport=udp`, `turn:${opts.ip}:${opts.port}?transport=tcp`];
	return {
		secret,
		urls,
		log: () => log,
		async close() {
			if (child.exitCode === null && child.signalCode === null) {
				const exited = new Promise((r) => child.once('exit', r));
				child.kill('SIGTERM');
				const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
				await exited;
				clearTimeout(timer);
			}
			rmSync(dir, { recursive: true, force: true });
		},
	};
}

function tcpAnswers(host: string, port: number): Promise<boolean> {
	return new Promise((resolve) => {
		const s = createConnection({ host, port });
		s.once('connect', () => {
			s.destroy();
			resolve(true);
		});
		s.once('error', () => resolve(false));
	});
}
