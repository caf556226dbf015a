import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startHost, type Host } from '@luwte/host-web';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeViolations } from '../helpers/axe.ts';
import { chromiumAvailable, launchChromium, servePage } from '../helpers/chromium.ts';
import { startTestHost, type TestHost } from '../helpers/host.ts';
import { freePortRange } from '../helpers/ports.ts';

describe('pages of a development host', () => {
	let host: Host;
	let dataDir: string;
	beforeAll(async () => {
		dataDir = await mkdtemp(join(tmpdir(), 'luwte-pages-'));
		host = await startHost({
			port: 0,
			hostname: '127.0.0.1',
			dataDir,
			logLevel: 'silent',
			engine: { workerCount: 1, webRtc: { listenIp: '127.0.0.1', portRange: await freePortRange(3), enableTcp: false } },
		});
	});
	afterAll(async () => {
		await host?.close();
		await rm(dataDir, { recursive: true, force: true });
	});

	it('shows the embedding guide with a snippet for this host', async () => {
		const html = await (await fetch(`${host.url}/embed/`)).text();
		expect(html).toContain(`&lt;script type=&quot;module&quot; src=&quot;${host.url}/embed/luwte.js&quot;&gt;`);
		expect(html).toContain('lang="nl"');
	});

	it("serves the embed bundle to any site, without zod's other languages", async () => {
		const res = await fetch(`${host.url}/embed/luwte.js`);
		expect(res.headers.get('access-control-allow-origin')).toBe('*');
		expect(res.headers.get('content-type')).toContain('javascript');
		const js = await res.text();
		expect(js).toContain('luwte-session');
		// zod ships ~40 locales (~300 KB); the bundle keeps English only.
		expect(js.length).toBeLessThan(600_000);
	});

	it('creates demo sessions only for its own page', async () => {
		const refused = await fetch(`${host.url}/demo/sessions`, {
			method: 'POST',
			body: '{"title":"x"}',
			headers: { origin: 'https://elders.example' },
		});
		expect(refused.status).toBe(403);
		const ok = await fetch(`${host.url}/demo/sessions`, {
			method: 'POST',
			headers: { origin: host.url, 'content-type': 'application/json' },
			body: JSON.stringify({ title: 'Quiz', module: 'talent-en-ambitie' }),
		});
		expect(ok.status).toBe(200);
		const d = await ok.json();
		expect(d.hostToken).toMatch(/^ey/);
		expect(host.engine.session('dev', d.sessionId).info()).toMatchObject({ title: 'Quiz', module: 'talent-en-ambitie' });
	});

	it.skipIf(!chromiumAvailable())('lets a newcomer make an activity and open it, keyboard only, without violations', async () => {
		const browser = await launchChromium();
		try {
			const context = await browser.newContext();
			const page = await context.newPage();
			await page.goto(`${host.url}/`);
			// Through the DevTools protocol: the page's CSP refuses an injected <script>, as it should.
			expect((await axeViolations(page)).map((v) => v.id)).toEqual([]);
			await page.getByLabel('Naam van de activiteit').fill('Samen zingen');
			await page.getByRole('button', { name: 'Nieuwe activiteit maken' }).press('Enter');
			const participantLink = page.getByRole('link', { name: 'Open als deelnemer' });
			await participantLink.waitFor();
			const href = (await participantLink.getAttribute('href'))!;
			expect(href.startsWith('/demo/join#token=')).toBe(true);
			const tab = await context.newPage();
			await tab.goto(`${host.url}${href}`);
			await tab.getByRole('button', { name: 'Meedoen' }).waitFor();
			expect(tab.url()).toBe(`${host.url}/demo/join`); // the token left the address bar
		} finally {
			await browser.close();
		}
	});
	it.skipIf(!chromiumAvailable())('cannot be framed by another website: the join page stays empty in its iframe', async () => {
		const site = await servePage(() => `<!doctype html><title>Elders</title><iframe src="${host.url}/demo/join"></iframe>`);
		const browser = await launchChromium();
		try {
			const page = await (await browser.newContext()).newPage();
			const blocked = new Promise<string>((resolve) =>
				page.on('console', (m) => {
					if (/frame-ancestors|refused to frame/i.test(m.text())) resolve(m.text());
				}),
			);
			await page.goto(site.url);
			expect(await blocked).toMatch(/frame-ancestors/);
			const frame = page.frames().find((f) => f !== page.mainFrame())!;
			// The frame shows the browser's error page: not the join page, its slot or the element.
			expect(frame.url()).not.toContain('/demo/join');
			expect(await frame.locator('#slot, luwte-session').count()).toBe(0);
		} finally {
			await browser.close();
			await site.close();
		}
	});
});

describe('pages of a host with real tenants', () => {
	let t: TestHost;
	beforeAll(async () => {
		t = await startTestHost();
	});
	afterAll(() => t?.close());

	it('offers no demo: sessions need a tenant key', async () => {
		expect(await (await fetch(`${t.host.url}/`)).text()).not.toContain('Nieuwe activiteit maken');
		expect((await fetch(`${t.host.url}/demo/join`)).status).toBe(404);
		const r = await fetch(`${t.host.url}/demo/sessions`, { method: 'POST', headers: { origin: t.host.url }, body: '{"title":"x"}' });
		expect(r.status).toBe(404);
	});

	it('serves the dashboard as one self-contained Dutch page that may run only its own script', async () => {
		const res = await fetch(`${t.host.url}/dashboard`);
		expect(res.status).toBe(200);
		const html = await res.text();
		expect(html).toContain('lang="nl"');
		expect(html).toContain('API-sleutel van uw organisatie');
		// Nothing loaded from elsewhere, and no other script may run beside the key.
		expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href=|https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
		const csp = res.headers.get('content-security-policy') ?? '';
		expect(csp).toMatch(/script-src 'sha256-[A-Za-z0-9+/=]+'(;|$)/);
		expect(csp).toContain("connect-src 'self'");
		expect(csp).not.toContain('unsafe-inline');
		expect(res.headers.get('referrer-policy')).toBe('no-referrer');
	});
});
