import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { build, type Plugin } from 'esbuild';

/**
 * zod re-exports every locale it has (`z.locales`), and esbuild cannot drop them: about 300 KB of
 * error messages in some forty languages. The SDK only uses zod's default (English) messages, so
 * the browser bundle gets a locales module with English alone.
 */
const englishOnlyZodLocales: Plugin = {
	name: 'zod-english-only',
	setup(b) {
		b.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
			args.importer.includes(`${'/'}zod${'/'}`)
				? { path: join(dirname(args.importer), '..', 'locales', 'index.js'), namespace: 'zod-locales' }
				: undefined,
		);
		b.onLoad({ filter: /.*/, namespace: 'zod-locales' }, (args) => ({
			contents: `export { default as en } from ${JSON.stringify(join(dirname(args.path), 'en.js'))};`,
			loader: 'js',
			resolveDir: dirname(args.path),
		}));
	},
};

/**
 * The browser build of the SDK client, made from the SDK's sources on first request and
 * kept in memory: hosts need no separate build step, and the bundle always matches the
 * server's protocol version.
 */
const cache = new Map<string, Promise<string>>();

/** `@luwte/sdk/client` (SessionClient only) or `@luwte/sdk/elements` (the web components). */
export function sdkBundle(specifier: '@luwte/sdk/client' | '@luwte/sdk/elements'): Promise<string> {
	let cached = cache.get(specifier);
	if (cached !== undefined) return cached;
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
			plugins: [englishOnlyZodLocales],
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
