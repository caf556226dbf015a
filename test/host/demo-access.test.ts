import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from '@luwte/engine/log';
import { startHost, type Host, type HostOptions } from '@luwte/host-web';
import { isLoopbackAddress } from '../../apps/host-web/src/http/demo.ts';
import { afterAll, describe, expect, it } from 'vitest';
import { freePortRange } from '../helpers/ports.ts';

// The demo hands out host tokens without a key. It is served only to this machine, judged by
// the socket's remote address (never by Host or Origin, which the sender chooses), unless the
// operator starts the host with `--demo`.

/** An address on `lo` that is not loopback (198.18.0.0/15 is for tests, RFC 2544), so a request can come from "elsewhere". */
const ELSEWHERE = '198.18.99.1';

/** Only inside a private network namespace (as `npm test` runs) may the test add an address. */
function elsewhereAvailable(): boolean {
	if (process.platform !== 'linux' || process.getuid?.() !== 0) return false;
	if (Object.keys(networkInterfaces()).some((i) => i !== 'lo')) return false;
	try {
		execFileSync('ip', ['addr', 'replace', `${ELSEWHERE}/32`, 'dev', 'lo'], { stdio: 'ignore' });
	} catch {
		return false;
	}
	return networkInterfaces().lo?.some((a) => a.address === ELSEWHERE) ?? false;
}

function captureLog(): Logger & { lines: { level: string; event: string; fields?: unknown }[] } {
	const lines: { level: string; event: string; fields?: unknown }[] = [];
	const at = (level: string) => (event: string, fields?: unknown) => void lines.push({ level, event, fields });
	return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

const dirs: string[] = [];
async function devHost(opts: Partial<HostOptions> & { hostname?: string } = {}): Promise<Host> {
	const dataDir = opts.dataDir ?? (await mkdtemp(join(tmpdir(), 'luwte-demo-')));
	if (!opts.dataDir) dirs.push(dataDir);
	return startHost({
		port: 0,
		hostname: '127.0.0.1',
		logLevel: 'silent',
		...opts,
		dataDir,
		engine: { workerCount: 1, webRtc: { listenIp: '127.0.0.1', portRange: await freePortRange(3), enableTcp: false } },
	});
}

async function demoAnswers(url: string, headers: Record<string, string> = {}) {
	const page = await (await fetch(`${url}/`, { headers })).text();
	const join = (await fetch(`${url}/demo/join`, { headers })).status;
	const made = await fetch(`${url}/demo/sessions`, {
		method: 'POST',
		// The very headers the finding used: they match the host, yet must not count.
		headers: { ...headers, origin: url, 'content-type': 'application/json' },
		body: JSON.stringify({ title: 'Quiz' }),
	});
	return {
		demoPage: page.includes('Nieuwe activiteit maken'),
		join,
		create: made.status,
		hostToken: ((await made.json()) as any).hostToken,
	};
}

describe('the demo only for this machine, or with --demo', () => {
	afterAll(async () => {
		for (const d of dirs) await rm(d, { recursive: true, force: true });
	});

	it('knows loopback addresses, IPv4-mapped too', () => {
		for (const a of ['127.0.0.1', '127.0.0.2', '127.255.0.9', '::1', '::ffff:127.0.0.1', '::FFFF:127.1.2.3'])
			expect(isLoopbackAddress(a), a).toBe(true);
		for (const a of ['198.18.99.1', '10.0.0.1', '::ffff:10.0.0.1', '0.0.0.0', '::', 'fe80::1', '1127.0.0.1', '127.0.0.1.example']) {
			expect(isLoopbackAddress(a), a).toBe(false);
		}
	});

	it('serves the demo over loopback, but not to a request a proxy forwarded', async () => {
		const host = await devHost();
		try {
			expect(await demoAnswers(host.url)).toMatchObject({
				demoPage: true,
				join: 200,
				create: 200,
				hostToken: expect.stringMatching(/^ey/),
			});
			for (const forwarded of [
				{ 'x-forwarded-for': '203.0.113.7' },
				{ forwarded: 'for=203.0.113.7' },
				{ 'x-real-ip': '203.0.113.7' },
			]) {
				expect(await demoAnswers(host.url, forwarded)).toMatchObject({
					demoPage: false,
					join: 404,
					create: 404,
					hostToken: undefined,
				});
			}
		} finally {
			await host.close();
		}
	});

	it.skipIf(!elsewhereAvailable())(
		'refuses the demo to a non-loopback address, with matching Host and Origin; --demo serves it',
		async () => {
			const closed = await devHost({ hostname: ELSEWHERE });
			try {
				expect(closed.url).toContain(ELSEWHERE);
				expect(await demoAnswers(closed.url)).toEqual({ demoPage: false, join: 404, create: 404, hostToken: undefined });
			} finally {
				await closed.close();
			}
			const open = await devHost({ hostname: ELSEWHERE, demo: true });
			try {
				expect(await demoAnswers(open.url)).toMatchObject({ demoPage: true, join: 200, create: 200 });
			} finally {
				await open.close();
			}
		},
	);
});

describe('the development tenant', () => {
	it('is retired with a warning once tenants exist, and kept beside them with --dev', async () => {
		const dataDir = await mkdtemp(join(tmpdir(), 'luwte-devtenant-'));
		dirs.push(dataDir);
		const first = await devHost({ dataDir });
		const devKey = first.devApiKey!;
		expect(devKey).toMatch(/^lwk_/);
		const operatorKey = (await readFile(first.operatorKeyPath!, 'utf8')).trim();
		const made = await fetch(`${first.url}/v1/tenants`, {
			method: 'POST',
			headers: { authorization: `Bearer ${operatorKey}`, 'content-type': 'application/json' },
			body: JSON.stringify({ id: 'zorg-west', name: 'Zorg West' }),
		});
		expect(made.status).toBe(201);
		await first.close();

		const log = captureLog();
		const second = await devHost({ dataDir, logger: log });
		try {
			expect(second.devApiKey).toBeUndefined();
			expect(second.tenants.list().map((t) => t.id)).toEqual(['zorg-west']);
			expect(log.lines.filter((l) => l.level === 'warn').map((l) => l.event)).toContain('tenants.dev_tenant_retired');
			expect((await fetch(`${second.url}/v1/sessions`, { headers: { authorization: `Bearer ${devKey}` } })).status).toBe(401);
			expect((await demoAnswers(second.url)).join).toBe(404);
		} finally {
			await second.close();
		}

		const third = await devHost({ dataDir, dev: true });
		try {
			expect(third.devApiKey).toBe(devKey);
			expect(
				third.tenants
					.list()
					.map((t) => t.id)
					.sort(),
			).toEqual(['dev', 'zorg-west']);
			expect((await fetch(`${third.url}/v1/sessions`, { headers: { authorization: `Bearer ${devKey}` } })).status).toBe(200);
			const demo = await demoAnswers(third.url);
			expect(demo).toMatchObject({ demoPage: true, create: 200 });
			// The demo's session belongs to the development tenant, never to a real one.
			expect((await third.engine.listSessions('zorg-west')).sessions).toEqual([]);
			// Still not written into the tenants file: the development tenant is this host's alone.
			expect(JSON.parse(await readFile(join(dataDir, 'tenants.json'), 'utf8')).map((t: { id: string }) => t.id)).toEqual([
				'zorg-west',
			]);
		} finally {
			await third.close();
		}
	});
});
