import { createHash } from 'node:crypto';
import { mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { type Host, startHost } from '@luwte/host-web';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chooseEncoding } from '../../apps/host-web/src/embed/accept-encoding.ts';
import { buildIdentity } from '../../apps/host-web/src/embed/build.ts';
import { readCached, writeCached } from '../../apps/host-web/src/embed/cache.ts';
import { startTestHost, type TestHost } from '../helpers/host.ts';
import { freePortRange } from '../helpers/ports.ts';

interface Raw {
	status: number;
	headers: Record<string, string | string[] | undefined>;
	body: Buffer;
}

/** A GET without fetch's own decoding: the bytes exactly as the host sent them. */
function rawGet(url: string, headers: Record<string, string> = {}): Promise<Raw> {
	return new Promise((resolve, reject) => {
		const req = request(url, { headers }, (res) => {
			const chunks: Buffer[] = [];
			res.on('data', (c: Buffer) => chunks.push(c));
			res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
			res.on('error', reject);
		});
		req.setTimeout(30_000, () => req.destroy(new Error(`GET ${url}: no answer in 30 s`)));
		req.on('error', reject);
		req.end();
	});
}

describe('the embed scripts, served like a CDN', () => {
	let t: TestHost;
	beforeAll(async () => {
		t = await startTestHost();
	}, 120_000);
	afterAll(async () => {
		await t?.close();
	});

	it('is built before the host reports ready: the versioned paths are known at once', () => {
		expect(t.host.embed.version).toMatch(/^\d+\.\d+\.\d+[0-9A-Za-z.-]*-[0-9a-f]{12}$/);
		expect(t.host.embed.path('luwte.js')).toBe(`/embed/${t.host.embed.version}/luwte.js`);
		expect([...t.host.embed.files.keys()].sort()).toEqual(['luwte-client.js', 'luwte.js']);
	});

	for (const name of ['luwte.js', 'luwte-client.js'] as const) {
		it(`serves ${name} in brotli, gzip or plain bytes by Accept-Encoding, all the same script`, async () => {
			for (const path of [`/embed/${name}`, t.host.embed.path(name)]) {
				const plain = await rawGet(`${t.host.url}${path}`);
				expect(plain.status, path).toBe(200);
				expect(plain.headers['content-encoding'], path).toBeUndefined();
				expect(plain.headers.vary, path).toBe('Accept-Encoding');
				expect(Number(plain.headers['content-length']), path).toBe(plain.body.length);
				expect(plain.body.toString('utf8')).toContain(name === 'luwte.js' ? 'luwte-session' : 'SessionClient');

				const br = await rawGet(`${t.host.url}${path}`, { 'accept-encoding': 'br' });
				expect(br.headers['content-encoding'], path).toBe('br');
				expect(br.headers.vary, path).toBe('Accept-Encoding');
				expect(brotliDecompressSync(br.body).equals(plain.body), path).toBe(true);
				expect(br.body.length).toBeLessThan(plain.body.length / 3);

				const gz = await rawGet(`${t.host.url}${path}`, { 'accept-encoding': 'gzip' });
				expect(gz.headers['content-encoding'], path).toBe('gzip');
				expect(gunzipSync(gz.body).equals(plain.body), path).toBe(true);
				expect(br.body.length).toBeLessThan(gz.body.length);

				// What browsers send: brotli wins over gzip whatever the order; q=0 refuses a coding.
				expect(
					(await rawGet(`${t.host.url}${path}`, { 'accept-encoding': 'gzip, deflate, br, zstd' })).headers['content-encoding'],
				).toBe('br');
				expect((await rawGet(`${t.host.url}${path}`, { 'accept-encoding': 'br;q=0, gzip' })).headers['content-encoding']).toBe(
					'gzip',
				);
				const identity = await rawGet(`${t.host.url}${path}`, { 'accept-encoding': 'identity' });
				expect(identity.headers['content-encoding']).toBeUndefined();
				expect(identity.body.equals(plain.body)).toBe(true);
			}
		});
	}

	it('gives each representation a strong ETag, the same under the alias and the versioned path, and answers 304 to it', async () => {
		const alias = `${t.host.url}/embed/luwte.js`;
		const versioned = `${t.host.url}${t.host.embed.path('luwte.js')}`;
		const sha = createHash('sha256')
			.update((await rawGet(alias)).body)
			.digest('hex');
		const tags: string[] = [];
		for (const enc of ['identity', 'gzip', 'br']) {
			const a = await rawGet(alias, { 'accept-encoding': enc });
			const v = await rawGet(versioned, { 'accept-encoding': enc });
			const etag = a.headers.etag as string;
			expect(etag).toMatch(/^"[0-9a-f]{32}(-br|-gz)?"$/); // strong: no W/
			expect(etag.startsWith(`"${sha.slice(0, 32)}`)).toBe(true);
			expect(v.headers.etag).toBe(etag);
			tags.push(etag);
			for (const url of [alias, versioned]) {
				const again = await rawGet(url, { 'accept-encoding': enc, 'if-none-match': etag });
				expect(again.status, `${url} ${enc}`).toBe(304);
				expect(again.body.length).toBe(0);
				expect(again.headers.etag).toBe(etag);
				expect(again.headers.vary).toBe('Accept-Encoding');
				expect(again.headers['cache-control']).toBe(
					url === alias ? 'public, max-age=300, must-revalidate' : 'public, max-age=31536000, immutable',
				);
			}
			// Weak comparison (RFC 9110): a cache's W/ form and a list match too.
			expect((await rawGet(alias, { 'accept-encoding': enc, 'if-none-match': `"other", W/${etag}` })).status).toBe(304);
		}
		expect(new Set(tags).size).toBe(3);
		const changed = await rawGet(alias, { 'if-none-match': '"0123456789abcdef0123456789abcdef"' });
		expect(changed.status).toBe(200);
		expect(changed.body.length).toBeGreaterThan(0);
	});

	it('caches the versioned path for a year as immutable and the alias for five minutes', async () => {
		const v = await rawGet(`${t.host.url}${t.host.embed.path('luwte.js')}`, { 'accept-encoding': 'br' });
		expect(v.headers['cache-control']).toBe('public, max-age=31536000, immutable');
		const a = await rawGet(`${t.host.url}/embed/luwte.js`, { 'accept-encoding': 'br' });
		expect(a.headers['cache-control']).toBe('public, max-age=300, must-revalidate');
		for (const r of [v, a]) {
			expect(r.headers['access-control-allow-origin']).toBe('*');
			expect(r.headers['cross-origin-resource-policy']).toBe('cross-origin');
			expect(r.headers['content-type']).toBe('text/javascript; charset=utf-8');
		}
	});

	it('answers 404 for a version it does not hold', async () => {
		const other = t.host.embed.version.replace(/[0-9a-f]{12}$/, '000000000000');
		for (const path of [`/embed/${other}/luwte.js`, `/embed/0.0.1/luwte-client.js`, `/embed/${t.host.embed.version}/other.js`]) {
			const res = await fetch(`${t.host.url}${path}`);
			expect(res.status, path).toBe(404);
			expect(res.headers.get('cache-control') ?? '', path).not.toContain('immutable');
			expect((await res.json()).error.code).toBe('not_found');
		}
	});

	it('lists the current paths and their integrity in /embed/manifest.json', async () => {
		const res = await fetch(`${t.host.url}/embed/manifest.json`);
		expect(res.status).toBe(200);
		expect(res.headers.get('access-control-allow-origin')).toBe('*');
		const m = await res.json();
		expect(m.version).toBe(t.host.embed.version);
		for (const name of ['luwte.js', 'luwte-client.js'] as const) {
			const body = (await rawGet(`${t.host.url}${m.files[name].path}`)).body;
			expect(m.files[name].path).toBe(t.host.embed.path(name));
			expect(m.files[name].integrity).toBe(`sha384-${createHash('sha384').update(body).digest('base64')}`);
			expect(m.files[name].bytes.identity).toBe(body.length);
		}
	});
});

describe('the demo join page', () => {
	let host: Host;
	let dataDir: string;
	beforeAll(async () => {
		dataDir = await mkdtemp(join(tmpdir(), 'luwte-embed-demo-'));
		host = await startHost({
			port: 0,
			hostname: '127.0.0.1',
			dataDir,
			logLevel: 'silent',
			engine: { workerCount: 1, webRtc: { listenIp: '127.0.0.1', portRange: await freePortRange(3), enableTcp: false } },
		});
	}, 120_000);
	afterAll(async () => {
		await host?.close();
		await rm(dataDir, { recursive: true, force: true });
	});

	it('imports the element from its versioned path', async () => {
		const html = await (await fetch(`${host.url}/demo/join`)).text();
		expect(html).toContain(`import "${host.embed.path('luwte.js')}";`);
		// The guide's snippet is copied onto other sites: it keeps the alias, which outlives upgrades.
		expect(await (await fetch(`${host.url}/embed/`)).text()).toContain(`${host.url}/embed/luwte.js`);
	});
});

describe('choosing an encoding', () => {
	it('prefers brotli, then gzip, honours q=0 and *', () => {
		const cases: [string | undefined, string][] = [
			[undefined, 'identity'],
			['', 'identity'],
			['identity', 'identity'],
			['deflate', 'identity'],
			['gzip', 'gzip'],
			['x-gzip', 'gzip'],
			['br', 'br'],
			['gzip;q=1.0, br;q=0.1', 'br'],
			['BR', 'br'],
			['br;q=0, gzip;q=0.5', 'gzip'],
			['br; q=0 , gzip;q=0', 'identity'],
			['*', 'br'],
			['*;q=0, gzip', 'gzip'],
			['gzip, *;q=0', 'gzip'],
			// A malformed weight is ignored, as if absent.
			['br;q=zzz, gzip', 'br'],
		];
		expect(cases.map(([h]) => [h, chooseEncoding(h)])).toEqual(cases);
	});
});

describe('the disk cache of built scripts', () => {
	it('hands back a build only while every input file is unchanged', async () => {
		const dir = await mkdtemp(join(tmpdir(), 'luwte-embed-cache-'));
		try {
			const input = join(dir, 'input.ts');
			await writeFile(input, 'export const a = 1;');
			const identity = Buffer.from('console.log(1)');
			const bytes = { identity, br: Buffer.from('br'), gzip: Buffer.from('gz') };
			await writeCached(join(dir, 'cache'), 'luwte.js', bytes, { inputs: { [input]: { bytes: 19, imports: [] } }, outputs: {} });
			const hit = await readCached(join(dir, 'cache'), 'luwte.js');
			expect(hit?.identity.equals(identity)).toBe(true);
			expect(hit?.br.toString()).toBe('br');
			expect(await readCached(join(dir, 'cache'), 'luwte-client.js')).toBeUndefined();
			// An edited input (another modification time) means a new build.
			await utimes(input, new Date(), new Date(Date.now() + 5_000));
			expect(await readCached(join(dir, 'cache'), 'luwte.js')).toBeUndefined();
			// So does a build with other options or another esbuild (buildIdentity), and a torn bundle file.
			await writeCached(join(dir, 'cache'), 'luwte.js', bytes, { inputs: { [input]: { bytes: 19, imports: [] } }, outputs: {} });
			expect(await readCached(join(dir, 'cache'), 'luwte.js')).toBeDefined();
			const sha = createHash('sha256').update(identity).digest('hex');
			await writeFile(join(dir, 'cache', `${sha}.js`), 'console.log(2)');
			expect(await readCached(join(dir, 'cache'), 'luwte.js')).toBeUndefined();
			expect(buildIdentity).toContain('esbuild');
		} finally {
			await rm(dir, { recursive: true, force: true });
		}
	});
});
