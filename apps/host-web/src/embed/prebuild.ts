/**
 * Builds the `/embed/` scripts into the disk cache ahead of the first start: at install time, or
 * as the user who owns `node_modules` when the service's user may not write there (every start
 * would build them again otherwise). `node apps/host-web/src/embed/prebuild.ts` (npm run build:embed)
 */
import { embedEntries, type EmbedFileName } from './build.ts';
import { loadEmbedBundles } from './bundles.ts';
import { defaultCacheDir, readCached } from './cache.ts';

const started = performance.now();
const bundles = await loadEmbedBundles();
for (const f of bundles.files.values())
	process.stdout.write(
		`${bundles.path(f.name)}: ${f.bytes.identity.length} bytes, gzip ${f.bytes.gzip.length}, brotli ${f.bytes.br.length}\n`,
	);
for (const name of Object.keys(embedEntries) as EmbedFileName[]) {
	if (!(await readCached(defaultCacheDir, name))) {
		process.stderr.write(`${name} is not in ${defaultCacheDir}: is the folder writable? The host will build it at every start.\n`);
		process.exit(1);
	}
}
process.stdout.write(`cached in ${defaultCacheDir} (${Math.round(performance.now() - started)} ms)\n`);
