import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashApiKey, newApiKey, newTokenSecret } from '@luwte/engine/auth';
import { freePortRange } from './ports.ts';
import type { TestTenant } from './host.ts';

/**
 * A real `luwte serve` in its own process, for what only a process shows: a SIGKILL (a crash)
 * or a SIGTERM (a restart), then the same host started again on the same ports and data.
 */
export interface HostProcess {
	url: string;
	dataDir: string;
	tenant: TestTenant;
	/** Admin API call as the tenant. */
	api(method: string, path: string, body?: unknown): Promise<{ status: number; json: any }>;
	start(): Promise<void>;
	/** Sends the signal and resolves with the exit code once the process is gone. */
	stop(signal: NodeJS.Signals): Promise<number | null>;
	/** Everything the process wrote (both runs), for failure messages. */
	output(): string;
}

export async function hostProcess(
	opts: {
		redisUrl?: string;
		extraArgs?: string[];
		/** The process's descriptor limit (`ulimit -n`, soft and hard), as an operator's unit would set it. */
		descriptorLimit?: number;
	} = {},
): Promise<HostProcess> {
	const dataDir = mkdtempSync(join(tmpdir(), 'luwte-proc-'));
	const tenant: TestTenant = { id: 'zorg-a', apiKey: newApiKey() };
	writeFileSync(
		join(dataDir, 'tenants.json'),
		JSON.stringify([
			{ id: tenant.id, name: 'Zorg A', apiKeyHashes: [hashApiKey(tenant.apiKey)], tokenSecret: newTokenSecret(), allowedOrigins: [] },
		]),
		{ mode: 0o600 },
	);
	const ports = await freePortRange(4);
	const httpPort = ports.min;
	const bin = new URL('../../apps/host-cli/src/main.ts', import.meta.url).pathname;
	let child: ChildProcess | undefined;
	let log = '';
	const url = `http://127.0.0.1:${httpPort}`;
	const start = async () => {
		const args = [
			bin,
			'serve',
			'--port',
			String(httpPort),
			'--host',
			'127.0.0.1',
			'--data-dir',
			dataDir,
			'--workers',
			'1',
			'--rtc-port-min',
			String(ports.min + 1),
			'--rtc-port-max',
			String(ports.max),
			'--announced-address',
			'127.0.0.1',
			'--log-level',
			'warn',
			...(opts.redisUrl ? ['--redis-url', opts.redisUrl] : []),
			...(opts.extraArgs ?? []),
		];
		// `ulimit -n` in a shell that then becomes node: the limit the host starts under, as with systemd's LimitNOFILE.
		const [command, argv] =
			opts.descriptorLimit === undefined
				? [process.execPath, args]
				: ['/bin/sh', ['-c', `ulimit -n ${opts.descriptorLimit} && exec "$0" "$@"`, process.execPath, ...args]];
		const c = spawn(command, argv, {
			stdio: ['ignore', 'pipe', 'pipe'],
			env: { ...process.env, LUWTE_OPERATOR_KEY: 'lwo_proc' },
		});
		child = c;
		await new Promise<void>((resolve, reject) => {
			const timer = setTimeout(() => reject(new Error(`host did not start within 60 s:\n${log}`)), 60_000);
			c.stdout!.on('data', (d) => {
				log += String(d);
				if (log.includes(`listening on ${url}`)) {
					clearTimeout(timer);
					resolve();
				}
			});
			c.stderr!.on('data', (d) => {
				log += String(d);
			});
			c.once('exit', (code) => {
				clearTimeout(timer);
				reject(new Error(`host exited with ${code} while starting:\n${log}`));
			});
		});
		c.removeAllListeners('exit');
	};
	const stop = async (signal: NodeJS.Signals) => {
		const c = child;
		if (!c || c.exitCode !== null || c.signalCode !== null) return c?.exitCode ?? null;
		const exited = new Promise<number | null>((resolve) => c.once('exit', (code) => resolve(code)));
		c.kill(signal);
		return exited;
	};
	const api: HostProcess['api'] = async (method, path, body) => {
		const res = await fetch(`${url}${path}`, {
			method,
			headers: { authorization: `Bearer ${tenant.apiKey}`, 'content-type': 'application/json' },
			...(body !== undefined ? { body: JSON.stringify(body) } : {}),
		});
		return { status: res.status, json: await res.json() };
	};
	await start();
	return { url, dataDir, tenant, api, start, stop, output: () => log };
}
