import { readFileSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AdminClient } from '@luwte/sdk/admin';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeViolations, type AxeViolation } from '../helpers/axe.ts';
import { chromiumAvailable, launchChromium } from '../helpers/chromium.ts';
import { startTestHost, type TestHost } from '../helpers/host.ts';

// A team leader opens /dashboard on a host loaded with the March 2024 example set
// (examples/billing), logs in with the organisation's key and looks at March.
const examples = join(import.meta.dirname, '..', '..', 'examples', 'billing');
const read = (f: string) => readFileSync(join(examples, f), 'utf8');
const outDir = join(import.meta.dirname, '..', '..', 'test-output');

async function seriousViolations(page: Page): Promise<AxeViolation[]> {
	return (await axeViolations(page)).filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

describe.skipIf(!chromiumAvailable())('the attendance dashboard', () => {
	let t: TestHost;
	let browser: Browser;
	let context: BrowserContext;
	let page: Page;
	const urls: string[] = [];
	const cspErrors: string[] = [];

	beforeAll(async () => {
		t = await startTestHost();
		const admin = new AdminClient({ server: t.host.url, apiKey: t.tenants[0]!.apiKey });
		await admin.setContracts(JSON.parse(read('contracts.json')));
		await admin.setIndications(JSON.parse(read('indications.json')));
		await t.host.attendance.append(
			read('events.jsonl')
				.trim()
				.split('\n')
				.map((l) => JSON.parse(l)),
		);
		browser = await launchChromium();
		context = await browser.newContext({ acceptDownloads: true });
		context.on('request', (r) => urls.push(r.url()));
		page = await context.newPage();
		page.on('console', (m) => {
			if (/Content Security Policy/i.test(m.text())) cspErrors.push(m.text());
		});
	}, 60_000);
	afterAll(async () => {
		await browser?.close();
		await t?.close();
	});

	const api = async (path: string) =>
		(await fetch(`${t.host.url}${path}`, { headers: { authorization: `Bearer ${t.tenants[0]!.apiKey}` } })).json();

	it('refuses a wrong key with a clear Dutch message and keeps nothing', async () => {
		await page.goto(`${t.host.url}/dashboard`);
		await page.getByLabel('API-sleutel van uw organisatie').fill('lwk_dit-is-niet-de-sleutel');
		await page.getByRole('button', { name: 'Inloggen' }).press('Enter');
		await expect.poll(() => page.getByRole('alert').textContent()).toContain('Deze API-sleutel is niet juist');
		expect(await page.getByLabel('API-sleutel van uw organisatie').isVisible()).toBe(true);
		expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
	});

	it('shows March 2024: active accounts per team against the target, attendance per module and the no-shows', async () => {
		await page.getByLabel('API-sleutel van uw organisatie').fill(t.tenants[0]!.apiKey);
		await page.getByRole('button', { name: 'Inloggen' }).click();
		await page.getByLabel('Van maand').fill('2024-03');
		await page.getByLabel('Tot en met maand').fill('2024-03');
		await page.getByLabel('Peildatum actieve accounts').fill('2024-04-01');
		await page.getByRole('button', { name: 'Toon overzicht' }).click();
		await expect
			.poll(() => page.getByRole('status').textContent())
			.toBe('Overzicht van maart 2024 (actieve accounts op 1 april 2024).');

		// Bars: one per team plus the overall one, as wide as the API's percentages.
		const expected = await api('/v1/reports/active-accounts?date=2024-04-01');
		const bars = await page
			.locator('#active rect.bar')
			.evaluateAll((rs) => rs.map((r) => [r.getAttribute('data-team'), r.getAttribute('width')]));
		expect(bars).toEqual([
			['Alle teams', `${Number(expected.overall.percent)}%`],
			...expected.teams.map((x: { team: string; percent: string }) => [x.team, `${Number(x.percent)}%`]),
		]);
		// By hand (examples/billing/README.md): team Zuid is cor, els, fenna and gijs; gijs never came.
		expect(bars).toContainEqual(['Zuid', '75%']);
		const chartText = await page.locator('#active .chart').textContent();
		expect(chartText).toContain('Zuid: 75,0 % actief (3 van 4 cliënten)');
		expect(chartText).toContain('Noord: 100,0 % actief (3 van 3 cliënten)');
		// The target line at 10 % in every row, and named in text.
		expect(chartText).toContain('Doel 10,0 %');
		const targets = await page.locator('#active line.target').evaluateAll((ls) => [...new Set(ls.map((l) => l.getAttribute('x1')))]);
		expect(targets).toEqual(['10%']);
		// The chart's text alternative carries the same numbers.
		expect(await page.getByRole('img', { name: /Actieve accounts op 1 april 2024/ }).getAttribute('aria-label')).toContain(
			'Zuid: 75,0 % actief (3 van 4 cliënten)',
		);

		// Attendance per module, as the API counts it.
		const modules = (await api('/v1/reports/modules?from=2024-03&to=2024-03')).modules as {
			module: string;
			sessions: number;
			attendances: number;
			minutes: number;
		}[];
		const communicatie = modules.find((m) => m.module === 'communicatie')!;
		const moduleText = await page.locator('#modules .chart').textContent();
		expect(moduleText).toContain(
			`Communicatie${communicatie.sessions} activiteiten${communicatie.attendances} aanwezigheden${communicatie.minutes} minuten`,
		);
		expect(await page.locator('#modules .chart .module').count()).toBe(modules.length);

		// No-shows: the 5 March session had one (gijs); the pseudonym only after asking.
		const row = page.locator('#noshows tbody tr', { hasText: '5 maart 2024' });
		expect(await row.locator('th, td').allTextContents()).toEqual([
			'di 5 maart 2024 om 10:00',
			'Communicatie',
			'4',
			'1',
			'Toon pseudoniemenclient-gijs',
		]);
		expect(await page.getByText('client-gijs').isVisible()).toBe(false);
		await row.getByText('Toon pseudoniemen').click();
		expect(await page.getByText('client-gijs').isVisible()).toBe(true);

		// The billing summary (expected-2024-03.csv): four lines, 35 + 35 + 94,50 + 36,50 = € 201,00, nine exceptions.
		expect(await page.locator('#billing-summary').textContent()).toMatch(
			/^4 declaratieregels over maart 2024, 8 activiteiten, samen €\s201,00\. 9 uitzonderingen/,
		);
		expect(await page.locator('#billing tr', { hasText: 'Korter aanwezig dan de drempel' }).locator('td').textContent()).toBe('2');
	});

	it('downloads the billing CSV of the period, byte for byte the export', async () => {
		const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download CSV' }).click()]);
		expect(download.suggestedFilename()).toBe('luwte-declaratie-2024-03-2024-03.csv');
		expect(await readFile((await download.path())!, 'utf8')).toBe(read('expected-2024-03.csv'));
	});

	it('has no serious accessibility violations, no CSP errors, and never puts the key in a URL', async () => {
		expect(await seriousViolations(page)).toEqual([]);
		expect(cspErrors).toEqual([]);
		expect(urls.some((u) => u.includes('/v1/billing?'))).toBe(true);
		for (const u of urls) expect(decodeURIComponent(u)).not.toContain(t.tenants[0]!.apiKey);
	});

	it('reflows at 200 % zoom (320 CSS pixels wide): no sideways scrolling, chart labels inside their chart', async () => {
		await mkdir(outDir, { recursive: true });
		await page.setViewportSize({ width: 1280, height: 900 });
		await page.screenshot({ path: join(outDir, 'dashboard.png'), fullPage: true });
		await page.setViewportSize({ width: 320, height: 640 });
		await page.screenshot({ path: join(outDir, 'dashboard-320.png'), fullPage: true });
		const layout = await page.evaluate(() => ({
			overflow: document.documentElement.scrollWidth - document.documentElement.clientWidth,
			outside: [...document.querySelectorAll('.chart')].flatMap((chart) => {
				const box = chart.getBoundingClientRect();
				return [...chart.querySelectorAll('div, span, text')]
					.filter((t) => t.getBoundingClientRect().right > box.right + 1)
					.map((t) => t.textContent);
			}),
		}));
		expect(layout).toEqual({ overflow: 0, outside: [] });
		await page.setViewportSize({ width: 1280, height: 900 });
	});

	it('keeps the key for this tab only, until "Uitloggen"', async () => {
		await page.reload();
		await expect.poll(() => page.getByRole('status').textContent()).toMatch(/^Overzicht van/);
		await page.getByRole('button', { name: 'Uitloggen' }).click();
		expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
		expect(await page.getByLabel('API-sleutel van uw organisatie').isVisible()).toBe(true);
		expect(await page.locator('#active').textContent()).toBe('');
		await page.reload();
		expect(await page.getByLabel('API-sleutel van uw organisatie').isVisible()).toBe(true);
	});
});
