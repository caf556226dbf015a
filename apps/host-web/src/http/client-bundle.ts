import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

/**
 * The browser build of the SDK client, made from the SDK's sources on first request and
 * kept in memory: hosts need no separate build step, and the bundle always matches the
 * server's protocol version.
 */
let cached: Promise<string> | undefined;

export function clientBundle(): Promise<string> {
	cached ??= (async () => {
		const entry = fileURLToPath(import.meta.resolve('@luwte/sdk/client'));
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
		cached = undefined;
		throw err;
	});
	return cached;
}
