import { createHash } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import { secureHeaders } from 'hono/secure-headers';

/** For JSON, scripts and files: nothing in them may run, load or be framed. */
export const API_CSP = "default-src 'none'; frame-ancestors 'none'";

/**
 * The headers every response gets (Hono's `secureHeaders`): a CSP that allows nothing, no MIME
 * sniffing, no referrer, no framing (`X-Frame-Options: DENY` and `frame-ancestors 'none'`; the
 * host's pages hold tokens and keys, and nothing of Luwte is meant to be framed: a care provider's
 * page embeds the script `/embed/luwte.js`, not a frame). A route that needs more sets its own
 * header first and keeps it (`overwrite: false`): the pages their hash-based CSP (`pageCsp`), the
 * embed scripts and library media `Cross-Origin-Resource-Policy: cross-origin`.
 * HSTS is left to whoever terminates TLS (the operator's proxy): the host itself speaks plain HTTP.
 */
export function securityHeaders(): MiddlewareHandler {
	return secureHeaders({
		contentSecurityPolicy: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] },
		xFrameOptions: 'DENY',
		referrerPolicy: 'no-referrer',
		strictTransportSecurity: false,
		overwrite: false,
	});
}

const sha256 = (text: string) => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

/**
 * A policy that allows exactly a page's own inline scripts and styles and requests to this host
 * (`connect-src 'self'` covers its WebSocket too): the pages hold API keys or join tokens, so
 * nothing injected or loaded from elsewhere may run beside them. `scripts: 'self'` lets the page
 * import the host's own scripts (`/embed/luwte.js`).
 */
export function pageCsp(html: string, opts: { scripts?: 'self' } = {}): string {
	const hashes = (tag: string) => [...html.matchAll(new RegExp(`<${tag}[^>]*>([\\s\\S]*?)</${tag}>`, 'g'))].map((m) => sha256(m[1]!));
	const scripts = [...(opts.scripts === 'self' ? ["'self'"] : []), ...hashes('script')];
	return [
		"default-src 'none'",
		`script-src ${scripts.join(' ') || "'none'"}`,
		`style-src ${hashes('style').join(' ') || "'none'"}`,
		"connect-src 'self'",
		"img-src 'self' data:",
		"media-src 'self' blob:",
		"base-uri 'none'",
		"form-action 'none'",
		"frame-ancestors 'none'",
	].join('; ');
}

/** Answers one of the host's own HTML pages with its CSP. */
export function htmlPage(c: Context, html: string, csp = pageCsp(html)): Response {
	c.header('content-security-policy', csp);
	c.header('cache-control', 'no-store');
	return c.html(html);
}
