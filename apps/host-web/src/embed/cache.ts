import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Metafile } from 'esbuild';
import { buildIdentity, type EmbedFileName } from './build.ts';

/** A bundle and its precompressed forms, as served. */
export interface BundleBytes {
	identity: Buffer;
	br: Buffer;
	gzip: Buffer;
}

interface CacheEntry {
	identity: string;
	/** Every input file with its size and modification time when the bundle was built. */
	inputs: [path: string, size: number, mtimeMs: number][];
	sha256: string;
}

/**
 * Built bundles kept on disk beside the installed packages (`node_modules/.cache/luwte-embed`), so a
 * restarted host (or the next test process) skips esbuild and brotli's slowest level when no input
 * changed: brotli 11 takes about 2 s a bundle on one core. A missing, stale or unreadable cache
 * only means a build; a folder that cannot be written is not an error.
 */
export const defaultCacheDir = fileURLToPath(new URL('../../node_modules/.cache/luwte-embed/', import.meta.url));

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/** The cached bundle, if it was built with the same options from input files that are all unchanged. */
export async function readCached(dir: string, name: EmbedFileName): Promise<BundleBytes | undefined> {
	try {
		const entry = JSON.parse(await readFile(join(dir, `${name}.json`), 'utf8')) as CacheEntry;
		if (entry.identity !== buildIdentity || !Array.isArray(entry.inputs) || entry.inputs.length === 0) return undefined;
		const current = await Promise.all(entry.inputs.map(([path]) => stat(path)));
		if (current.some((s, i) => s.size !== entry.inputs[i]![1] || s.mtimeMs !== entry.inputs[i]![2])) return undefined;
		const base = join(dir, `${entry.sha256}.js`);
		const [identity, br, gzip] = await Promise.all([readFile(base), readFile(`${base}.br`), readFile(`${base}.gz`)]);
		// A torn or foreign file is rebuilt, never served.
		return sha256(identity) === entry.sha256 ? { identity, br, gzip } : undefined;
	} catch {
		return undefined;
	}
}

/** Keeps a fresh build for the next start; written file by file with renames, the entry last. */
export async function writeCached(dir: string, name: EmbedFileName, bytes: BundleBytes, metafile: Metafile): Promise<void> {
	try {
		await mkdir(dir, { recursive: true });
		// esbuild names inputs relative to the working directory; virtual modules carry a `namespace:` prefix.
		const paths = Object.keys(metafile.inputs).map((p) => resolve(p.replace(/^[a-z-]+:/, '')));
		const inputs = await Promise.all(
			paths
				.filter((p) => isAbsolute(p))
				.map(async (p): Promise<CacheEntry['inputs'][number]> => {
					const s = await stat(p);
					return [p, s.size, s.mtimeMs];
				}),
		);
		const entry: CacheEntry = { identity: buildIdentity, inputs, sha256: sha256(bytes.identity) };
		const base = join(dir, `${entry.sha256}.js`);
		const tmp = `.${process.pid}.${Date.now()}.tmp`;
		for (const [path, data] of [
			[base, bytes.identity],
			[`${base}.br`, bytes.br],
			[`${base}.gz`, bytes.gzip],
			[join(dir, `${name}.json`), JSON.stringify(entry)],
		] as const) {
			await writeFile(path + tmp, data);
			await rename(path + tmp, path);
		}
		await pruneUnused(dir);
	} catch {
		// A read-only installation: every start builds.
	}
}

/** Removes bundles no entry names any more (older than ten minutes: another process may be reading one). */
async function pruneUnused(dir: string): Promise<void> {
	const files = await readdir(dir);
	const kept = new Set<string>();
	for (const f of files.filter((f) => f.endsWith('.json'))) {
		try {
			kept.add((JSON.parse(await readFile(join(dir, f), 'utf8')) as CacheEntry).sha256);
		} catch {
			// Being replaced right now: its bundle is young and stays anyway.
		}
	}
	for (const f of files) {
		const hash = /^([0-9a-f]{64})\.js(?:\.br|\.gz)?$/.exec(f)?.[1];
		if (hash === undefined || kept.has(hash)) continue;
		const path = join(dir, f);
		if (Date.now() - (await stat(path)).mtimeMs > 600_000) await rm(path, { force: true });
	}
}
