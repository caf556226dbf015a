import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

/**
 * The browser build of the SDK client, made from the SDK's sources on first request and
 * kept in memory: hosts need no separate build step, and the bundle always matches the
 * server's protocol version.
 */
const cache = new Map<string, Promise<string>>();

/** `@luwte/sdk/client` (SessionClient only) or `@luwte/sdk/elements` (the web components). */
export function sdkBundle(specifier: '@luwte/sdk/client' | '@luwte/sdk/elements'): Promise<string> {
	let cached = cache.get(specifier);
	if (cached) return cached;
	cached = (async () => {
		const entry = fileURLToPath(import.meta.resolve(specifier));
		const result = await build({
			entryPoints: [entry],
			bundle: true,
			format: 'esm',
			platform: 'browser',
			target: ['es2022'],
			minify: true,
			sourcemap: false,
			write: false,
			legalComments: 'inline',
			logLevel: 'silent',
		});
		const file = result.outputFiles[0];
		if (!file) throw new Error('esbuild produced no output');
		return file.text;
	})().catch((err: unknown) => {
		cache.delete(specifier);
		throw err;
	});
	cache.set(specifier, cached);
	return cached;
}
