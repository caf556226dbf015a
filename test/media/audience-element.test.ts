import { join } from 'node:path';
import { mkdir } from 'node:fs/promises';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SessionClient } from '@luwte/sdk';
import { axeViolations } from '../helpers/axe.ts';
import { chromiumAvailable, launchChromium, servePage } from '../helpers/chromium.ts';
import { startTestHost, type TestHost } from '../helpers/host.ts';
import { webrtc } from '../helpers/wrtc-media.ts';

// A broadcast as the begeleider sees it (issue 14): the audience is a number, never a tile per
// viewer. Before, five viewers were five empty "Camera uit" tiles with mute buttons that pushed
// the controls off the screen.
const outDir = join(import.meta.dirname, '..', '..', 'test-output');
let hostUrl = '';
const providerPage = () => `<!doctype html>
<html lang="nl"><head><meta charset="utf-8"><title>Zorgaanbieder — uitzending</title>
<script type="module" src="${hostUrl}/embed/luwte.js"></script></head>
<body><main><h1>Uitzending</h1><div id="slot"></div></main>
<script>
window.mount = (server, token) => {
	const el = document.createElement('luwte-session');
	el.setAttribute('server', server);
	el.token = token;
	document.getElementById('slot').append(el);
};
</script></body></html>`;

describe.skipIf(!chromiumAvailable())('<luwte-session>: a host with an audience', () => {
	let t: TestHost;
	let browser: Browser;
	let site: Awaited<ReturnType<typeof servePage>>;
	let context: BrowserContext | undefined;
	const viewers: SessionClient[] = [];

	beforeAll(async () => {
		site = await servePage(providerPage);
		t = await startTestHost({ allowedOrigins: { a: [new URL(site.url).origin] } });
		hostUrl = t.host.url;
		browser = await launchChromium();
		await mkdir(outDir, { recursive: true });
	});
	afterAll(async () => {
		for (const v of viewers) await v.leave();
		await context?.close();
		await browser?.close();
		await site?.close();
		await t?.close();
	});

	const inRoot = (page: Page, fn: string) =>
		page.evaluate((body) => new Function('root', body)(document.querySelector('luwte-session')!.shadowRoot), fn);

	it('shows five viewers as "5 kijkers": no tiles for them, the controls stay on screen', async () => {
		const tenant = t.tenants[0]!;
		const sessionId = await t.createSession(tenant, { title: 'Uitzending', kind: 'broadcast' });
		context = await browser.newContext({ viewport: { width: 1000, height: 900 } });
		const page = await context.newPage();
		await page.goto(site.url);
		await page.waitForFunction(() => customElements.get('luwte-session') !== undefined);
		await page.evaluate(([server, tok]) => (window as any).mount(server, tok), [
			t.host.url,
			await t.token(tenant, sessionId, 'host', 'begeleider-1'),
		] as const);
		await page.getByRole('button', { name: 'Meedoen' }).click({ timeout: 60_000 });
		await page.getByRole('button', { name: 'Activiteit beëindigen' }).waitFor({ timeout: 60_000 });

		// Five viewers from Node (libwebrtc), each with its own token; none says which profile.
		for (let i = 1; i <= 5; i++) {
			const v = new SessionClient({ server: t.host.url, webrtc });
			viewers.push(v);
			await v.connect(await t.token(tenant, sessionId, 'viewer', `kijker-${i}`));
		}

		// The count arrives calmly (the element shows a new number at most every few seconds).
		await page.getByRole('status').filter({ hasText: '5 kijkers' }).waitFor({ timeout: 60_000 });
		// No tile and no mute button for any viewer: the grid holds only the begeleider's own view.
		expect(await inRoot(page, "return root.querySelectorAll('.grid .cell').length")).toBe(0);
		expect(await page.getByText('Deelnemer 1').count()).toBe(0);
		expect(await page.getByRole('button', { name: /Microfoon uitzetten/ }).count()).toBe(0);
		// The end button is on screen without scrolling.
		const end = await page.getByRole('button', { name: 'Activiteit beëindigen' }).boundingBox();
		expect(end).not.toBeNull();
		expect(end!.y).toBeGreaterThanOrEqual(0);
		expect(end!.y + end!.height).toBeLessThanOrEqual(900);
		await page.screenshot({ path: join(outDir, 'element-host-audience.png') });
		expect(await axeViolations(page, 'luwte-session')).toEqual([]);

		// The server does know them, as viewers (the admin API lists everyone).
		const info = (await t.api(tenant, 'GET', `/v1/sessions/${sessionId}`)).json as { participants: { role: string }[] };
		expect(info.participants.filter((p) => p.role === 'viewer')).toHaveLength(5);

		// Two leave: the number follows.
		await viewers.pop()!.leave();
		await viewers.pop()!.leave();
		await page.getByRole('status').filter({ hasText: '3 kijkers' }).waitFor({ timeout: 60_000 });
		expect(await inRoot(page, "return root.querySelectorAll('.grid .cell').length")).toBe(0);
	}, 300_000);
});
