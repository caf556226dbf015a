import type { Context, Hono } from 'hono';
import type { Env } from '../http/env.ts';
import { chooseEncoding, type Encoding } from './accept-encoding.ts';
import type { EmbedBundles, EmbedFile } from './bundles.ts';
import { type EmbedFileName, embedEntries } from './build.ts';

/** Under a versioned path the bytes never change: a year, and browsers need not even revalidate. */
export const IMMUTABLE = 'public, max-age=31536000, immutable';
/** The stable alias integrators already use: five minutes, then a revalidation (mostly a 304). */
export const ALIAS = 'public, max-age=300, must-revalidate';

const suffix: Record<Encoding, string> = { identity: '', br: '-br', gzip: '-gz' };

/** A strong ETag per representation: the same script's brotli bytes are another representation than its plain ones. */
const etagOf = (file: EmbedFile, encoding: Encoding) => `"${file.sha256.slice(0, 32)}${suffix[encoding]}"`;

/** Whether `If-None-Match` names any representation of this script (weak comparison, RFC 9110 §13.1.2). */
function notModified(header: string | undefined, file: EmbedFile): boolean {
	if (!header) return false;
	const ours = new Set((['identity', 'br', 'gzip'] as const).map((e) => etagOf(file, e)));
	return header.split(',').some((t) => {
		const tag = t.trim().replace(/^W\//, '');
		return tag === '*' || ours.has(tag);
	});
}

/**
 * The browser scripts: `/embed/<version>/<name>` (immutable) and the alias `/embed/<name>`, each
 * from memory in brotli, gzip or plain bytes by `Accept-Encoding`, with an ETag and 304s; and
 * `/embed/manifest.json`, the current paths with their integrity for a backend that renders pages.
 * Public code: any site may load them.
 */
export function mountEmbedBundles(app: Hono<Env>, bundles: Promise<EmbedBundles>): void {
	const names = Object.keys(embedEntries) as EmbedFileName[];
	for (const name of names) {
		app.get(`/embed/${name}`, async (c) => serve(c, (await bundles).files.get(name), ALIAS));
		app.get(`/embed/:version/${name}`, async (c) => {
			const b = await bundles;
			if (c.req.param('version') !== b.version) {
				c.header('cache-control', 'no-store');
				return c.json(
					{ error: { code: 'not_found', message: `no such version of ${name}; the current one is ${b.path(name)}` } },
					404,
				);
			}
			return serve(c, b.files.get(name), IMMUTABLE);
		});
	}
	app.get('/embed/manifest.json', async (c) => {
		const b = await bundles;
		publicScriptHeaders(c);
		c.header('cache-control', ALIAS);
		return c.json({
			version: b.version,
			files: Object.fromEntries(
				[...b.files.values()].map((f) => [
					f.name,
					{
						path: b.path(f.name),
						integrity: f.integrity,
						bytes: { identity: f.bytes.identity.length, br: f.bytes.br.length, gzip: f.bytes.gzip.length },
					},
				]),
			),
		});
	});
}

function publicScriptHeaders(c: Context<Env>): void {
	c.header('access-control-allow-origin', '*');
	// A classic <script src> from another site is a no-cors load: allowed past the same-origin default.
	c.header('cross-origin-resource-policy', 'cross-origin');
}

function serve(c: Context<Env>, file: EmbedFile | undefined, cacheControl: string): Response {
	if (!file) throw new Error('embed bundle missing');
	const encoding = chooseEncoding(c.req.header('accept-encoding'));
	publicScriptHeaders(c);
	c.header('content-type', 'text/javascript; charset=utf-8');
	c.header('cache-control', cacheControl);
	c.header('vary', 'Accept-Encoding');
	c.header('etag', etagOf(file, encoding));
	if (notModified(c.req.header('if-none-match'), file)) return c.body(null, 304);
	if (encoding !== 'identity') c.header('content-encoding', encoding);
	const bytes = file.bytes[encoding];
	c.header('content-length', String(bytes.length));
	// Node's buffers here sit on plain ArrayBuffers (zlib, readFile), never shared memory.
	return c.body(bytes as Uint8Array<ArrayBuffer>);
}
