import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AttendanceEvent } from '@luwte/engine/attendance';
import { resolveFfmpeg, runTool } from '@luwte/engine/recording';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeViolations } from '../helpers/axe.ts';
import { chromiumAvailable, launchChromium, servePage } from '../helpers/chromium.ts';
import { startTestHost, type TestHost } from '../helpers/host.ts';

// A care provider's page embeds <luwte-library> with a library token from its backend. The
// video is a real H.264/AAC MP4 made by ffmpeg, added to the library as post-processing would.
const outDir = join(import.meta.dirname, '..', '..', 'test-output');
const VIDEO_SECONDS = 40;

let hostUrl = '';
const providerPage = () => `<!doctype html>
<html lang="nl"><head><meta charset="utf-8"><title>Zorgaanbieder — video's</title>
<style>body { font: 16px Georgia, serif; background: #fff; color: #222; margin: 0; } main { max-width: 1000px; margin: 0 auto; padding: 16px; }
button { all: unset; } video { filter: sepia(1); } /* a foreign page's CSS must not leak in */</style>
<script type="module" src="${hostUrl}/embed/luwte.js"></script></head>
<body><main><h1>Kijken wanneer je wilt</h1><div id="slot"></div></main>
<script>
window.errors = [];
window.mount = (server, token, lang) => {
	const el = document.createElement('luwte-library');
	el.setAttribute('server', server);
	el.token = token;
	if (lang) el.setAttribute('lang', lang);
	el.addEventListener('luwte-error', (e) => window.errors.push(e.detail));
	document.getElementById('slot').append(el);
};
</script></body></html>`;

const videoState = (page: Page) =>
	page.evaluate(() => {
		const v = document.querySelector('luwte-library')!.shadowRoot!.querySelector('video');
		return v ? { paused: v.paused, time: v.currentTime, ready: v.readyState, ended: v.ended } : undefined;
	});

/** The text of what has keyboard focus inside the element. */
const focused = (page: Page) =>
	page.evaluate(() => {
		const el = document.querySelector('luwte-library')!;
		return document.activeElement === el ? (el.shadowRoot!.activeElement?.textContent ?? '').trim().replace(/\s+/g, ' ') : '(outside)';
	});

describe.skipIf(!chromiumAvailable())('<luwte-library> on a care provider site', () => {
	let t: TestHost;
	let browser: Browser;
	let site: Awaited<ReturnType<typeof servePage>>;
	let workDir = '';
	let itemId = '';
	const contexts: BrowserContext[] = [];

	beforeAll(async () => {
		site = await servePage(providerPage);
		t = await startTestHost({ allowedOrigins: { a: [new URL(site.url).origin] } });
		hostUrl = t.host.url;
		workDir = await mkdtemp(join(tmpdir(), 'luwte-lib-el-'));
		const { ffmpeg } = resolveFfmpeg();
		const lavfi = [
			'-f',
			'lavfi',
			'-i',
			`testsrc2=size=320x180:rate=25:duration=${VIDEO_SECONDS}`,
			'-f',
			'lavfi',
			'-i',
			`sine=frequency=330:sample_rate=48000:duration=${VIDEO_SECONDS}`,
		];
		await runTool(
			ffmpeg,
			[
				'-y',
				'-v',
				'error',
				...lavfi,
				'-c:v',
				'libx264',
				'-preset',
				'veryfast',
				'-pix_fmt',
				'yuv420p',
				'-g',
				'50',
				'-c:a',
				'aac',
				'-b:a',
				'64k',
				'-movflags',
				'+faststart',
				join(workDir, 'gym.mp4'),
			],
			{ timeoutMs: 60_000 },
		);
		await runTool(
			ffmpeg,
			['-y', '-v', 'error', '-ss', '2', '-i', join(workDir, 'gym.mp4'), '-frames:v', '1', join(workDir, 'gym.jpg')],
			{ timeoutMs: 30_000 },
		);
		const item = await t.host.library.addItem({
			tenantId: 'zorg-a',
			title: 'Ochtendgym',
			module: 'fit-en-vitaal',
			description: 'Rustig wakker worden met bewegen vanuit je stoel.',
			durationSeconds: VIDEO_SECONDS,
			recordedAt: Date.parse('2026-11-20T09:30:00Z'),
			sourceDir: workDir,
			media: 'gym.mp4',
			thumbnail: 'gym.jpg',
		});
		itemId = item.id;
		browser = await launchChromium();
		await mkdir(outDir, { recursive: true });
	});
	afterAll(async () => {
		for (const c of contexts) await c.close();
		await browser?.close();
		await site?.close();
		await t?.close();
		if (workDir) await rm(workDir, { recursive: true, force: true });
	});

	async function open(participantId: string, lang?: string): Promise<Page> {
		const r = await t.api(t.tenants[0]!, 'POST', '/v1/library/tokens', { participantId });
		const context = await browser.newContext({ viewport: { width: 1000, height: 900 } });
		contexts.push(context);
		const page = await context.newPage();
		await page.goto(site.url);
		await page.waitForFunction(() => customElements.get('luwte-library') !== undefined);
		await page.evaluate(([server, tok, l]) => (window as any).mount(server, tok, l), [
			t.host.url,
			r.json.token as string,
			lang,
		] as const);
		return page;
	}

	async function watchEvents(): Promise<AttendanceEvent[]> {
		const out: AttendanceEvent[] = [];
		for await (const e of t.host.attendance.replay({ type: 'library.watch' })) if (e.itemId === itemId) out.push(e);
		return out;
	}

	async function waitForEvent(predicate: (e: AttendanceEvent) => boolean, timeoutMs = 10_000): Promise<AttendanceEvent> {
		const until = Date.now() + timeoutMs;
		for (;;) {
			const hit = (await watchEvents()).find(predicate);
			if (hit) return hit;
			if (Date.now() > until) throw new Error(`no such watch event; have ${JSON.stringify(await watchEvents())}`);
			await new Promise((r) => setTimeout(r, 200));
		}
	}

	it('lists the modules, opens a video by keyboard, plays it only when asked, and reports watching', async () => {
		const page = await open('client-41');
		const fit = page.getByRole('button', { name: /Fit en Vitaal/ });
		await fit.waitFor();
		expect((await fit.textContent())!.replace(/\s+/g, ' ').trim()).toBe('Fit en Vitaal 1 video');
		expect(await page.getByRole('button', { name: /Communicatie/ }).textContent()).toContain("0 video's");
		expect((await fit.boundingBox())!.height).toBeGreaterThanOrEqual(56);
		expect(await axeViolations(page, 'luwte-library')).toEqual([]);
		await page.screenshot({ path: join(outDir, 'library-modules.png') });
		// Loading the library does not take the focus away from the page.
		expect(await focused(page)).toBe('(outside)');

		// Keyboard only: Tab to the third module, Enter; Tab to the video, Enter.
		for (let i = 0; i < 3; i++) await page.keyboard.press('Tab');
		expect(await focused(page)).toBe('Fit en Vitaal 1 video');
		await page.keyboard.press('Enter');
		await page.getByRole('heading', { name: 'Fit en Vitaal' }).waitFor();
		expect(await page.getByText('Rustig wakker worden met bewegen vanuit je stoel.').count()).toBe(1);
		await page.waitForFunction(() => {
			const img = document.querySelector('luwte-library')!.shadowRoot!.querySelector('.thumb img') as HTMLImageElement | null;
			return (img?.naturalWidth ?? 0) > 0;
		});
		expect(await axeViolations(page, 'luwte-library')).toEqual([]);
		// Focus moved to the new heading: "Terug" is one Shift+Tab away, the first video one Tab.
		await page.keyboard.press('Shift+Tab');
		expect(await focused(page)).toBe('Terug');
		await page.keyboard.press('Tab');
		expect(await focused(page)).toBe('Bekijken');
		await page.keyboard.press('Enter');
		await page.getByRole('heading', { name: 'Ochtendgym' }).waitFor();

		// Nothing plays by itself, even with the media loaded and autoplay allowed by the browser.
		await page.waitForFunction(
			() => (document.querySelector('luwte-library')!.shadowRoot!.querySelector('video')?.readyState ?? 0) >= 1,
		);
		await page.waitForTimeout(1500);
		expect(await videoState(page)).toMatchObject({ paused: true, time: 0 });
		expect(await watchEvents()).toEqual([]);
		expect(await page.getByRole('button', { name: 'Afspelen' }).count()).toBe(1);
		expect(await axeViolations(page, 'luwte-library')).toEqual([]);

		await page.keyboard.press('Tab');
		expect(await focused(page)).toBe('Afspelen');
		await page.keyboard.press('Enter');
		await page.waitForFunction(
			() => (document.querySelector('luwte-library')!.shadowRoot!.querySelector('video')?.currentTime ?? 0) > 1,
			null,
			{ timeout: 15_000 },
		);
		expect(await waitForEvent((e) => e.event === 'started')).toMatchObject({
			participantId: 'client-41',
			positionSeconds: 0,
			module: 'fit-en-vitaal',
			tenantId: 'zorg-a',
		});
		expect(await page.getByRole('button', { name: 'Pauze' }).count()).toBe(1);
		expect(await axeViolations(page, 'luwte-library')).toEqual([]);
		await page.screenshot({ path: join(outDir, 'library-player.png') });

		// While it plays, the place is reported about every 15 seconds.
		const progress = await waitForEvent((e) => e.event === 'progress', 25_000);
		expect(progress.positionSeconds as number).toBeGreaterThanOrEqual(13);
		const played = (await videoState(page))!;
		expect(played.paused).toBe(false);

		// Seeking ahead works (the server answers range requests) and playing goes on from there.
		await page.getByRole('button', { name: '10 seconden vooruit' }).click();
		await page.waitForFunction(
			(from) => (document.querySelector('luwte-library')!.shadowRoot!.querySelector('video')?.currentTime ?? 0) > from + 10.5,
			played.time,
			{
				timeout: 10_000,
			},
		);
		await page.getByRole('button', { name: 'Zachter' }).click();
		expect(await page.evaluate(() => document.querySelector('luwte-library')!.shadowRoot!.querySelector('video')!.volume)).toBeCloseTo(
			0.9,
		);
		expect(await page.getByText('Volume 90%').count()).toBe(1);
		await page.getByRole('button', { name: 'Pauze' }).click();
		const stoppedAt = (await videoState(page))!.time;
		expect(stoppedAt).toBeLessThan(VIDEO_SECONDS - 4);
		await waitForEvent((e) => e.event === 'progress' && Math.abs((e.positionSeconds as number) - stoppedAt) < 0.2);
		expect(t.host.library.resumePosition('zorg-a', itemId, 'client-41')).toBeCloseTo(stoppedAt, 0);

		// Back to the list and in again: the element offers to continue where the client stopped.
		await page.getByRole('button', { name: 'Terug', exact: true }).click();
		await page.getByRole('button', { name: 'Bekijken: Ochtendgym' }).click();
		const m = Math.floor(stoppedAt / 60);
		const s = String(Math.floor(stoppedAt) % 60).padStart(2, '0');
		const resume = page.getByRole('button', { name: `Verder kijken vanaf ${m}:${s}` });
		await resume.waitFor();
		expect(await page.getByRole('button', { name: 'Opnieuw beginnen' }).count()).toBe(1);
		expect(await videoState(page)).toMatchObject({ paused: true, time: 0 });
		await page.screenshot({ path: join(outDir, 'library-resume.png') });
		await resume.click();
		await page.waitForFunction(
			(from) => (document.querySelector('luwte-library')!.shadowRoot!.querySelector('video')?.currentTime ?? 0) > from + 1,
			stoppedAt,
			{
				timeout: 10_000,
			},
		);

		// To the end: finished is reported, and next time it starts from the beginning again.
		await page.getByText('De video is afgelopen.').waitFor({ timeout: 20_000 });
		await waitForEvent((e) => e.event === 'finished');
		expect(t.host.library.resumePosition('zorg-a', itemId, 'client-41')).toBeUndefined();
		await page.getByRole('button', { name: 'Terug', exact: true }).click();
		await page.getByRole('button', { name: 'Bekijken: Ochtendgym' }).click();
		await page.getByRole('button', { name: 'Afspelen' }).waitFor();
		expect(await page.getByRole('button', { name: /Verder kijken/ }).count()).toBe(0);
		expect(await page.evaluate(() => (window as any).errors)).toEqual([]);
	}, 120_000);

	it('speaks English with lang="en", and says plainly when access has expired', async () => {
		const page = await open('client-42', 'en');
		await page.getByRole('button', { name: /Fit and vital/ }).click();
		await page.getByRole('button', { name: 'Watch: Ochtendgym' }).click();
		await page.getByRole('button', { name: 'Play' }).waitFor();

		// The page renews the token: the view stays; a token that does not work shows at the next step.
		await page.evaluate(() => {
			(document.querySelector('luwte-library') as any).token = 'not-a-token';
		});
		expect(await page.getByRole('button', { name: 'Play' }).count()).toBe(1);
		await page.getByRole('button', { name: 'Back', exact: true }).click();
		await page.getByText('Your access to the library does not work (any more). Please reload the page.').waitFor();
		expect(await page.evaluate(() => (window as any).errors.map((e: { code: string }) => e.code))).toEqual(['unauthorized']);
	});
});
