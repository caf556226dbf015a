import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { extname } from 'node:path';
import { Readable } from 'node:stream';
import { type MediaFile, mediaSignature, verifyMediaSignature, type Tenant, type TenantRegistry } from '@luwte/engine/auth';
import type { Library, LibraryItem } from '@luwte/engine/library';
import type { Context, Hono } from 'hono';
import { HostError } from '../errors.ts';
import type { Env } from './env.ts';

/** Media links live at least this long, and twice the item's length, so a slow viewer can still seek. */
const MIN_LINK_SECONDS = 4 * 3600;

const contentTypes: Record<string, string> = {
	'.mp4': 'video/mp4',
	'.webm': 'video/webm',
	'.jpg': 'image/jpeg',
	'.jpeg': 'image/jpeg',
	'.png': 'image/png',
	'.webp': 'image/webp',
	'.vtt': 'text/vtt; charset=utf-8',
};

/** `subtitles.<BCP-47 tag>.vtt` in a link: the item's subtitles in that language. */
const SUBTITLE_FILE = /^subtitles\.([A-Za-z0-9-]{2,35})\.vtt$/;

/**
 * `GET /v1/library/media/{tenantId}/{itemId}/{media|thumbnail|subtitles.<lang>.vtt}?exp=…&sig=…`:
 * the file of a published item, with Range support. Not an operation of the JSON API: `<video src>` and
 * `<img src>` cannot send a header, so the viewer routes hand out these signed, short-lived links
 * (they name the tenant, the item and an expiry, never the client).
 */
export function mountLibraryMedia(app: Hono<Env>, given: Library | undefined, tenants: TenantRegistry): void {
	const library = (): Library => {
		if (!given) throw new HostError('unavailable', 'this host has no library');
		return given;
	};
	app.get('/v1/library/media/:tenantId/:itemId/:file', async (c) => {
		const file = c.req.param('file');
		const subtitleLang = SUBTITLE_FILE.exec(file)?.[1];
		if (file !== 'media' && file !== 'thumbnail' && subtitleLang === undefined) throw new HostError('not_found', 'no such file');
		const tenant = tenants.get(c.req.param('tenantId'));
		const exp = Number(c.req.query('exp'));
		const sig = c.req.query('sig') ?? '';
		if (!tenant || !verifyMediaSignature(tenant, c.req.param('itemId'), file as MediaFile, exp, sig)) {
			throw new HostError('forbidden', 'this media link is not valid or has expired; open the item again');
		}
		// Checked on every request, so unpublishing stops a link at once.
		const item = await publishedItem(library(), tenant.id, c.req.param('itemId'));
		const path =
			subtitleLang !== undefined
				? library().subtitlePath(item, subtitleLang)
				: library().filePath(item, file as 'media' | 'thumbnail');
		if (!path)
			throw new HostError(
				'not_found',
				subtitleLang !== undefined ? `this item has no ${subtitleLang} subtitles` : 'this item has no thumbnail',
			);
		return serveFile(c, path);
	});
}

/** A published item of the tenant; anything else (unpublished, flagged, another tenant's) is not found. */
export async function publishedItem(library: Library, tenantId: string, itemId: string): Promise<LibraryItem> {
	const item = await library.get(tenantId, itemId);
	if (item.status !== 'published') throw new HostError('not_found', `library item ${itemId} not found`);
	return item;
}

/** A link relative to the server; the expiry is rounded up to the hour so a thumbnail's link (and the browser's cache) stays the same for a while. */
export function signedMediaPath(tenant: Tenant, item: LibraryItem, file: MediaFile): string {
	const ttl = Math.max(MIN_LINK_SECONDS, Math.ceil(item.durationSeconds * 2));
	const exp = Math.ceil((Date.now() / 1000 + ttl) / 3600) * 3600;
	const sig = mediaSignature(tenant, item.id, file, exp);
	return `/v1/library/media/${encodeURIComponent(tenant.id)}/${item.id}/${file}?exp=${exp}&sig=${sig}`;
}

/**
 * `Range: bytes=…` of one range: start and end (inclusive), `unsatisfiable`, or undefined to send
 * the whole file (no header, a malformed one, or several ranges, which a server may answer whole).
 */
export function parseRange(header: string | undefined, size: number): { start: number; end: number } | 'unsatisfiable' | undefined {
	const m = header === undefined ? null : /^bytes=(\d*)-(\d*)$/.exec(header.trim());
	if (!m || (m[1] === '' && m[2] === '')) return undefined;
	if (m[1] === '') {
		const suffix = Number(m[2]);
		if (suffix === 0 || size === 0) return 'unsatisfiable';
		return { start: Math.max(0, size - suffix), end: size - 1 };
	}
	const start = Number(m[1]);
	const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
	if (start >= size) return 'unsatisfiable';
	if (end < start) return undefined;
	return { start, end };
}

async function serveFile(c: Context, path: string): Promise<Response> {
	const size = (await stat(path)).size;
	const headers: Record<string, string> = {
		'content-type': contentTypes[extname(path)] ?? 'application/octet-stream',
		'accept-ranges': 'bytes',
		'cache-control': 'private, max-age=3600',
		'x-content-type-options': 'nosniff',
		// A care provider's page (another origin) shows it in <video>/<img>.
		'cross-origin-resource-policy': 'cross-origin',
	};
	const range = parseRange(c.req.header('range'), size);
	if (range === 'unsatisfiable') {
		return new Response(null, { status: 416, headers: { ...headers, 'content-range': `bytes */${size}` } });
	}
	const { start, end } = range ?? { start: 0, end: size - 1 };
	const length = size === 0 ? 0 : end - start + 1;
	const body =
		c.req.method === 'HEAD' || length === 0
			? null
			: (Readable.toWeb(createReadStream(path, { start, end })) as ReadableStream<Uint8Array>);
	return new Response(body, {
		status: range ? 206 : 200,
		headers: { ...headers, 'content-length': String(length), ...(range ? { 'content-range': `bytes ${start}-${end}/${size}` } : {}) },
	});
}
