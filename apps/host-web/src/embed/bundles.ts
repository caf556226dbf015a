import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';
import { buildBundle, type EmbedFileName, embedEntries } from './build.ts';
import { type BundleBytes, defaultCacheDir, readCached, writeCached } from './cache.ts';

const brotli = promisify(brotliCompress);
const gzipped = promisify(gzip);

/** One script under `/embed/`, in every encoding the host serves. */
export interface EmbedFile {
	readonly name: EmbedFileName;
	readonly bytes: BundleBytes;
	/** SHA-256 of the script itself (hex): its strong ETag and part of the set's version. */
	readonly sha256: string;
	/** Subresource Integrity of the script (`<script integrity>`). */
	readonly integrity: string;
}

/**
 * The host's browser scripts, built and compressed once before it takes requests (node:zlib has
 * brotli and gzip: no library needed), held in memory and served as files are by a CDN.
 */
export class EmbedBundles {
	/** `<SDK version>-<hash of all scripts>`: changes whenever any script's bytes change. */
	readonly version: string;
	readonly files: ReadonlyMap<EmbedFileName, EmbedFile>;

	constructor(sdkVersion: string, files: EmbedFile[]) {
		this.files = new Map(files.map((f) => [f.name, f]));
		const set = createHash('sha256');
		for (const f of files) set.update(`${f.name} ${f.sha256}\n`);
		this.version = `${sdkVersion}-${set.digest('hex').slice(0, 12)}`;
	}

	/** The versioned, immutable path of a script (`/embed/0.1.0-1a2b3c4d5e6f/luwte.js`). */
	path(name: EmbedFileName): string {
		return `/embed/${this.version}/${name}`;
	}
}

/**
 * The bundles for this process: built (or read from the disk cache) once, shared by every host it
 * starts. A failed build is not kept: the next start tries again.
 */
let loading: Promise<EmbedBundles> | undefined;
export function loadEmbedBundles(opts: { cacheDir?: string | false } = {}): Promise<EmbedBundles> {
	if (opts.cacheDir !== undefined) return load(opts.cacheDir);
	loading ??= load(defaultCacheDir).catch((err: unknown) => {
		loading = undefined;
		throw err;
	});
	return loading;
}

async function load(cacheDir: string | false): Promise<EmbedBundles> {
	const names = Object.keys(embedEntries) as EmbedFileName[];
	const files = await Promise.all(names.map((name) => loadFile(name, cacheDir)));
	return new EmbedBundles(await sdkVersion(), files);
}

async function loadFile(name: EmbedFileName, cacheDir: string | false): Promise<EmbedFile> {
	let bytes = cacheDir === false ? undefined : await readCached(cacheDir, name);
	if (!bytes) {
		const built = await buildBundle(embedEntries[name]);
		bytes = await compress(Buffer.from(built.code));
		if (cacheDir !== false) await writeCached(cacheDir, name, bytes, built.metafile);
	}
	return {
		name,
		bytes,
		sha256: createHash('sha256').update(bytes.identity).digest('hex'),
		integrity: `sha384-${createHash('sha384').update(bytes.identity).digest('base64')}`,
	};
}

/** The strongest levels: compressed once per build, so their cost (about 2 s for brotli 11) is paid once. */
export async function compress(identity: Buffer): Promise<BundleBytes> {
	const [br, gz] = await Promise.all([
		brotli(identity, {
			params: {
				[constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
				[constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
				[constants.BROTLI_PARAM_SIZE_HINT]: identity.length,
			},
		}),
		gzipped(identity, { level: constants.Z_BEST_COMPRESSION }),
	]);
	return { identity, br, gzip: gz };
}

/** `@luwte/sdk`'s version, from the package.json above its entry. */
async function sdkVersion(): Promise<string> {
	const entry = new URL(import.meta.resolve('@luwte/sdk'));
	for (let dir = new URL('./', entry), i = 0; i < 6; dir = new URL('../', dir), i++) {
		try {
			const pkg = JSON.parse(await readFile(new URL('package.json', dir), 'utf8')) as { name?: string; version?: string };
			if (pkg.name === '@luwte/sdk' && typeof pkg.version === 'string') return pkg.version.replace(/[^0-9A-Za-z.-]/g, '-');
		} catch {
			// No package.json at this level: one up.
		}
	}
	return '0.0.0';
}
