import { createHash } from 'node:crypto';
import type { Hono } from 'hono';
import { dashboardPage } from '../pages/dashboard.ts';
import type { Env } from './env.ts';

const sha256 = (text: string) => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

/**
 * A policy that allows exactly this page's own inline script and styles and requests to this
 * host: the page holds an API key, so nothing injected or loaded from elsewhere may run beside it.
 */
export function contentSecurityPolicy(html: string): string {
	const hashes = (tag: string) => [...html.matchAll(new RegExp(`<${tag}[^>]*>([\\s\\S]*?)</${tag}>`, 'g'))].map((m) => sha256(m[1]!));
	return [
		"default-src 'none'",
		`script-src ${hashes('script').join(' ') || "'none'"}`,
		`style-src ${hashes('style').join(' ') || "'none'"}`,
		"connect-src 'self'",
		"img-src 'self' data:",
		"base-uri 'none'",
		"form-action 'none'",
		"frame-ancestors 'none'",
	].join('; ');
}

/** `/dashboard`: the attendance dashboard. Public HTML; every number comes from the admin API with the tenant's key. */
export function mountDashboard(app: Hono<Env>): void {
	const html = dashboardPage();
	const csp = contentSecurityPolicy(html);
	app.get('/dashboard', (c) => {
		c.header('content-security-policy', csp);
		c.header('referrer-policy', 'no-referrer');
		c.header('cache-control', 'no-store');
		return c.html(html);
	});
}
