import type { Hono } from 'hono';
import { dashboardPage } from '../pages/dashboard.ts';
import type { Env } from './env.ts';
import { htmlPage, pageCsp } from './security-headers.ts';

/** `/dashboard`: the attendance dashboard. Public HTML; every number comes from the admin API with the tenant's key. */
export function mountDashboard(app: Hono<Env>): void {
	const html = dashboardPage();
	// The page holds an API key: only its own inline script and styles may run (pageCsp).
	const csp = pageCsp(html);
	app.get('/dashboard', (c) => htmlPage(c, html, csp));
}
