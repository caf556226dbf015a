import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePortRange } from './helpers/ports.ts';

const bin = join(import.meta.dirname, '..', 'apps', 'host-cli', 'bin', 'luwte.mjs');

function serve(dataDir: string, rtc: { min: number; max: number }) {
	const child = spawn(
		process.execPath,
		[
			bin,
			'serve',
			'--port',
			'0',
			'--host',
			'127.0.0.1',
			'--data-dir',
			dataDir,
			'--workers',
			'1',
			'--rtc-port-min',
			String(rtc.min),
			'--rtc-port-max',
			String(rtc.max),
			'--log-level',
			'warn',
		],
		{ stdio: ['ignore', 'pipe', 'pipe'] },
	);
	let out = '';
	child.stdout!.on('data', (d) => (out += d));
	const ready = new Promise<{ url: string; key: string | undefined }>((resolve, reject) => {
		const timer = setTimeout(() => reject(new Error(`no start line: ${out}`)), 30_000);
		child.stdout!.on('data', () => {
			const url = /listening on (http:\/\/\S+)/.exec(out)?.[1];
			if (url && /API key|\n/.test(out.slice(out.indexOf(url)))) {
				clearTimeout(timer);
				setTimeout(() => resolve({ url, key: /API key: (\S+)/.exec(out)?.[1] }), 50);
			}
		});
		child.once('exit', (code) => reject(new Error(`exited ${code}: ${out}`)));
	});
	return { child, ready, output: () => out };
}

async function runLuwte(args: string[]): Promise<{ code: number | null; out: string; err: string }> {
	const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
	let out = '';
	let err = '';
	child.stdout!.on('data', (d) => (out += d));
	child.stderr!.on('data', (d) => (err += d));
	const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
	return { code, out, err };
}

function stop(child: ChildProcess): Promise<number | null> {
	return new Promise((resolve) => {
		child.once('exit', (code) => resolve(code));
		child.kill('SIGTERM');
	});
}

describe('luwte serve', () => {
	const dirs: string[] = [];
	afterAll(async () => {
		for (const d of dirs) await rm(d, { recursive: true, force: true });
	});

	it('starts the host, prints a development key that works, and keeps it across restarts', async () => {
		const dataDir = await mkdtemp(join(tmpdir(), 'luwte-cli-'));
		dirs.push(dataDir);
		const rtc = await freePortRange(3);
		const first = serve(dataDir, rtc);
		const { url, key } = await first.ready;
		expect(key).toMatch(/^lwk_/);
		const health = await fetch(`${url}/healthz`);
		expect(health.status).toBe(200);
		expect(await health.json()).toMatchObject({ status: 'ok', workers: 1 });
		const created = await fetch(`${url}/v1/sessions`, {
			method: 'POST',
			headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
			body: JSON.stringify({ title: 'Geheugentraining' }),
		});
		expect(created.status).toBe(201);
		expect((await stat(join(dataDir, 'dev-tenant.json'))).mode & 0o777).toBe(0o600);
		expect(await stop(first.child)).toBe(0);

		const second = serve(dataDir, rtc);
		expect((await second.ready).key).toBe(key);
		expect(await stop(second.child)).toBe(0);
	});

	it('simulates a trace: abr simulate --json gives the documented keys', async () => {
		const dir = await mkdtemp(join(tmpdir(), 'luwte-abr-'));
		dirs.push(dir);
		const trace = join(dir, 'trace.csv');
		await writeFile(trace, 't_ms,kbps\n0,3000\n600000,3000\n');
		// A cold receiver starts calm on half resolution and goes up once after the 10 s hold
		// (worked out by hand in test/engine/abr.test.ts); a warm one starts on full resolution.
		const cold = await runLuwte(['abr', 'simulate', '--trace', trace, '--profile', 'calm', '--cold', '--json']);
		expect(cold.code).toBe(0);
		expect(JSON.parse(cold.out)).toEqual({
			profile: 'calm',
			durationSeconds: 600,
			spatialSwitches: 1,
			temporalSwitches: 0,
			spatialSwitchesPerHour: 6,
			freezeSeconds: 0,
			meanKbps: 1188.3,
		});
		const warm = await runLuwte(['abr', 'simulate', '--trace', trace, '--profile', 'calm', '--json']);
		expect(JSON.parse(warm.out)).toMatchObject({ spatialSwitches: 0, meanKbps: 1200 });
		await writeFile(trace, 't_ms,kbps\n0,3000\n0,100\n');
		const bad = await runLuwte(['abr', 'simulate', '--trace', trace]);
		expect(bad.code).toBe(1);
		expect(bad.err).toContain('line 3');
		expect((await runLuwte(['abr', 'simulate', '--trace', trace, '--profile', 'wild'])).code).toBe(2);
	});

	it('explains a bad option and exits with 2', async () => {
		const child = spawn(process.execPath, [bin, 'serve', '--prot', '80'], { stdio: ['ignore', 'pipe', 'pipe'] });
		let err = '';
		child.stderr!.on('data', (d) => (err += d));
		const code = await new Promise((resolve) => child.once('exit', resolve));
		expect(code).toBe(2);
		expect(err).toContain('--prot');
		expect(err).toContain('Usage');
	});
});
