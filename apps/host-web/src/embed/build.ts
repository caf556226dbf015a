import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Metafile, type Plugin, version as esbuildVersion } from 'esbuild';

/** The scripts the host serves under `/embed/`, by file name: what each one bundles. */
export const embedEntries = {
	/** The web components (`<luwte-session>`, `<luwte-library>`). */
	'luwte.js': '@luwte/sdk/elements',
	/** The bare `SessionClient`. */
	'luwte-client.js': '@luwte/sdk/client',
} as const;

export type EmbedFileName = keyof typeof embedEntries;

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
 * What decides a bundle's bytes besides its input files: a cached bundle built with other options
 * or another esbuild is not reused (cache.ts). Raise the last number when the options change.
 */
export const buildIdentity = `esbuild ${esbuildVersion}; es2022 esm minify; zod-english-only; 1`;

export interface BuiltBundle {
	code: Uint8Array;
	/** Which files went in and how many bytes each left in the output. */
	metafile: Metafile;
}

/** Bundles one SDK entry for browsers, from the SDK's sources (the bundle always matches the server's protocol). */
export async function buildBundle(specifier: (typeof embedEntries)[EmbedFileName]): Promise<BuiltBundle> {
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
		metafile: true,
		legalComments: 'inline',
		logLevel: 'silent',
		plugins: [englishOnlyZodLocales],
	});
	const file = result.outputFiles[0];
	if (!file) throw new Error('esbuild produced no output');
	return { code: file.contents, metafile: result.metafile };
}
