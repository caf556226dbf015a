import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveFfmpeg, runTool } from '@luwte/engine/recording';
import { AdminClient } from '@luwte/sdk/admin';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeViolations } from '../helpers/axe.ts';
import { chromiumAvailable, launchChromium, servePage } from '../helpers/chromium.ts';
import { startTestHost, type TestHost } from '../helpers/host.ts';

// A care provider's page (another origin) embeds <luwte-library>; staff attached Dutch and English
// subtitles to a real H.264 video through the admin API. Chromium loads them as <track>s.
const outDir = join(import.meta.dirname, '..', '..', 'test-output');
const VIDEO_SECONDS = 20;
const DUTCH = 'WEBVTT\n\n00:00:00.500 --> 00:00:06.000\nGoedemorgen allemaal.\n\n00:00:06.000 --> 00:00:12.000\nWe bewegen rustig mee.\n';
const ENGLISH =
	'WEBVTT\n\n00:00:00.500 --> 00:00:06.000\nGood morning, everyone.\n\n00:00:06.000 --> 00:00:12.000\nWe move along gently.\n';

let hostUrl = '';
const providerPage = () => `<!doctype html>
<html lang="nl"><head><meta charset="utf-8"><title>Zorgaanbieder — video's</title>
<script type="module" src="${hostUrl}/embed/luwte.js"></script></head>
<body><main><h1>Kijken wanneer je wilt</h1><div id="slot"></div></main>
<script>
window.errors = [];
window.mount = (server, token, attrs) => {
	const el = document.createElement('luwte-library');
	el.setAttribute('server', server);
	el.token = token;
	for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
	el.addEventListener('luwte-error', (e) => window.errors.push(e.detail));
	document.getElementById('slot').append(el);
};
</script></body></html>`;

/** Each text track of the video: language, mode, and the text of its active cues. */
const tracks = (page: Page) =>
	page.evaluate(() =>
		Array.from(document.querySelector('luwte-library')!.shadowRoot!.querySelector('video')!.textTracks).map((t) => ({
			lang: t.language,
			mode: t.mode,
			active: Array.from(t.activeCues ?? []).map((c) => (c as VTTCue).text),
		})),
	);

/** Waits until the track of `lang` shows `text` as its active cue. */
const waitForCue = (page: Page, lang: string, text: string) =>
	page.waitForFunction(
		([l, want]) => {
			const video = document.querySelector('luwte-library')!.shadowRoot!.querySelector('video');
			const track = Array.from(video?.textTracks ?? []).find((t) => t.language === l);
			return track?.mode === 'showing' && Array.from(track.activeCues ?? []).some((c) => (c as VTTCue).text === want);
		},
		[lang, text] as const,
		{ timeout: 30_000 },
	);

/** The text of what has keyboard focus inside the element. */
const focused = (page: Page) =>
	page.evaluate(() => {
		const el = document.querySelector('luwte-library')!;
		return document.activeElement === el ? (el.shadowRoot!.activeElement?.textContent ?? '').trim().replace(/\s+/g, ' ') : '(outside)';
	});

const pressed = (page: Page) =>
	page.evaluate(() =>
		Array.from(document.querySelector('luwte-library')!.shadowRoot!.querySelectorAll('.subtitles button')).map(
			(b) => `${b.textContent!.trim()}:${b.getAttribute('aria-pressed')}`,
		),
	);

/**
 * Where the subtitles are drawn: the player is photographed with its track showing and with it
 * hidden, on the same paused frame; the pixels that differ are the subtitle box. Returns its
 * height and how much of it is pure black (the box) and light (the text).
 */
async function cueBox(page: Page, name: string): Promise<{ height: number; blackShare: number; lightShare: number }> {
	const frames = () => page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
	const setShowing = (on: boolean) =>
		page.evaluate((show) => {
			const video = document.querySelector('luwte-library')!.shadowRoot!.querySelector('video')!;
			const track = Array.from(video.textTracks).find((t) => t.mode !== 'disabled');
			if (track) track.mode = show ? 'showing' : 'hidden';
		}, on);
	const player = page.locator('luwte-library .player');
	await frames();
	const on = await player.screenshot({ path: join(outDir, `library-subtitles-${name}.png`) });
	await setShowing(false);
	await frames();
	const off = await player.screenshot();
	await setShowing(true);
	return page.evaluate(
		async ([a, b]) => {
			const pixels = async (b64: string) => {
				const bitmap = await createImageBitmap(await (await fetch(`data:image/png;base64,${b64}`)).blob());
				const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
				const ctx = canvas.getContext('2d')!;
				ctx.drawImage(bitmap, 0, 0);
				return ctx.getImageData(0, 0, bitmap.width, bitmap.height);
			};
			const [p, q] = [await pixels(a), await pixels(b)];
			let top = Number.POSITIVE_INFINITY;
			let bottom = -1;
			let left = Number.POSITIVE_INFINITY;
			let right = -1;
			for (let y = 0; y < p.height; y++)
				for (let x = 0; x < p.width; x++) {
					const i = (y * p.width + x) * 4;
					if (
						Math.abs(p.data[i]! - q.data[i]!) +
							Math.abs(p.data[i + 1]! - q.data[i + 1]!) +
							Math.abs(p.data[i + 2]! - q.data[i + 2]!) >
						24
					) {
						top = Math.min(top, y);
						bottom = Math.max(bottom, y);
						left = Math.min(left, x);
						right = Math.max(right, x);
					}
				}
			let black = 0;
			let light = 0;
			for (let y = top; y <= bottom; y++)
				for (let x = left; x <= right; x++) {
					const i = (y * p.width + x) * 4;
					const [r, g, bl] = [p.data[i]!, p.data[i + 1]!, p.data[i + 2]!];
					if (r < 8 && g < 8 && bl < 8) black++;
					else if (r > 230 && g > 230 && bl > 230) light++;
				}
			const area = Math.max(1, (bottom - top + 1) * (right - left + 1));
			return { height: bottom - top + 1, blackShare: black / area, lightShare: light / area };
		},
		[on.toString('base64'), off.toString('base64')] as const,
	);
}

describe.skipIf(!chromiumAvailable())('<luwte-library> subtitles', () => {
	let t: TestHost;
	let browser: Browser;
	let site: Awaited<ReturnType<typeof servePage>>;
	let workDir = '';
	const contexts: BrowserContext[] = [];

	beforeAll(async () => {
		site = await servePage(providerPage);
		t = await startTestHost({ allowedOrigins: { a: [new URL(site.url).origin] } });
		hostUrl = t.host.url;
		workDir = await mkdtemp(join(tmpdir(), 'luwte-lib-subs-'));
		const { ffmpeg } = resolveFfmpeg();
		await runTool(
			ffmpeg,
			[
				...['-y', '-v', 'error', '-f', 'lavfi', '-i', `testsrc2=size=640x360:rate=25:duration=${VIDEO_SECONDS}`],
				...['-c:v', 'libx264', '-preset', 'veryfast', '-pix_fmt', 'yuv420p', '-g', '25', '-movflags', '+faststart'],
				join(workDir, 'gym.mp4'),
			],
			{ timeoutMs: 60_000 },
		);
		const item = await t.host.library.addItem({
			tenantId: 'zorg-a',
			title: 'Ochtendgym',
			module: 'fit-en-vitaal',
			durationSeconds: VIDEO_SECONDS,
			recordedAt: Date.parse('2026-11-20T09:30:00Z'),
			sourceDir: workDir,
			media: 'gym.mp4',
		});
		const admin = new AdminClient({ server: t.host.url, apiKey: t.tenants[0]!.apiKey });
		await admin.putLibrarySubtitles(item.id, 'nl', { vtt: DUTCH });
		await admin.putLibrarySubtitles(item.id, 'en', { vtt: ENGLISH });
		browser = await launchChromium();
		await mkdir(outDir, { recursive: true });
	}, 90_000);
	afterAll(async () => {
		for (const c of contexts) await c.close();
		await browser?.close();
		await site?.close();
		await t?.close();
		if (workDir) await rm(workDir, { recursive: true, force: true });
	});

	/** Opens the video in a page with the element's attributes and the browser's languages. */
	async function openVideo(attrs: Record<string, string>, locale = 'nl-NL'): Promise<Page> {
		const r = await t.api(t.tenants[0]!, 'POST', '/v1/library/tokens', { participantId: 'client-51' });
		const context = await browser.newContext({ viewport: { width: 1000, height: 1000 }, locale });
		contexts.push(context);
		const page = await context.newPage();
		await page.goto(site.url);
		await page.waitForFunction(() => customElements.get('luwte-library') !== undefined);
		await page.evaluate(([server, tok, a]) => (window as any).mount(server, tok, a), [
			t.host.url,
			r.json.token as string,
			attrs,
		] as const);
		const en = attrs.lang === 'en';
		await page.getByRole('button', { name: en ? /Fit and vital/ : /Fit en Vitaal/ }).click();
		await page.getByRole('button', { name: en ? 'Watch: Ochtendgym' : 'Bekijken: Ochtendgym' }).click();
		await page.getByRole('heading', { name: 'Ochtendgym' }).waitFor();
		await page.waitForFunction(
			() => (document.querySelector('luwte-library')!.shadowRoot!.querySelector('video')?.readyState ?? 0) >= 1,
		);
		return page;
	}

	const seek = (page: Page, seconds: number) =>
		page.evaluate((s) => {
			document.querySelector('luwte-library')!.shadowRoot!.querySelector('video')!.currentTime = s;
		}, seconds);

	it('shows Dutch subtitles by default for a Dutch viewer, large on a solid dark box; the buttons switch them, by keyboard too', async () => {
		const page = await openVideo({});
		expect(await pressed(page)).toEqual(['Uit:false', 'Nederlands:true', 'English:false']);
		await seek(page, 2);
		await waitForCue(page, 'nl', 'Goedemorgen allemaal.');
		expect(await tracks(page)).toEqual([
			{ lang: 'nl', mode: 'showing', active: ['Goedemorgen allemaal.'] },
			{ lang: 'en', mode: 'disabled', active: [] },
		]);
		// The subtitle box as drawn (::cue): light text on a solid black box, 1.5 × the element's 20 px.
		const box = await cueBox(page, 'small');
		expect(box.blackShare).toBeGreaterThan(0.6);
		expect(box.lightShare).toBeGreaterThan(0.03);
		expect(box.height).toBeGreaterThanOrEqual(28);
		expect(await axeViolations(page, 'luwte-library')).toEqual([]);
		await page.screenshot({ path: join(outDir, 'library-subtitles.png') });

		// Keyboard: from Afspelen, Tab reaches "Uit"; Enter switches the subtitles off.
		const player = await page.locator('luwte-library .player').boundingBox();
		await page.getByRole('button', { name: 'Afspelen' }).focus();
		await page.keyboard.press('Tab');
		expect(await focused(page)).toBe('Uit');
		await page.keyboard.press('Enter');
		await page.waitForFunction(() =>
			Array.from(document.querySelector('luwte-library')!.shadowRoot!.querySelector('video')!.textTracks).every(
				(t) => t.mode === 'disabled',
			),
		);
		expect(await pressed(page)).toEqual(['Uit:true', 'Nederlands:false', 'English:false']);
		// English instead: its cue at 8 s; the video's box did not move.
		await page.keyboard.press('Tab');
		await page.keyboard.press('Tab');
		expect(await focused(page)).toBe('English');
		await page.keyboard.press('Enter');
		await seek(page, 8);
		await waitForCue(page, 'en', 'We move along gently.');
		expect((await tracks(page)).map((tr) => tr.mode)).toEqual(['disabled', 'showing']);
		expect(await page.locator('luwte-library .player').boundingBox()).toEqual(player);
		expect(await axeViolations(page, 'luwte-library')).toEqual([]);

		// The choice holds when the viewer opens the video again.
		await page.getByRole('button', { name: 'Terug', exact: true }).click();
		await page.getByRole('button', { name: 'Bekijken: Ochtendgym' }).click();
		await page.getByRole('heading', { name: 'Ochtendgym' }).waitFor();
		// The item's details (its subtitles) come after the heading: wait for their buttons.
		await page.waitForFunction(
			() => document.querySelector('luwte-library')!.shadowRoot!.querySelectorAll('.subtitles button').length === 3,
			null,
			{ timeout: 30_000 },
		);
		expect(await pressed(page)).toEqual(['Uit:false', 'Nederlands:false', 'English:true']);
		expect(await page.evaluate(() => (window as any).errors)).toEqual([]);
	}, 60_000);

	it('follows lang="en" and the subtitles attribute, and larger text makes them larger', async () => {
		const english = await openVideo({ lang: 'en' });
		expect(await english.getByRole('group', { name: 'Subtitles' }).count()).toBe(1);
		expect(await pressed(english)).toEqual(['Off:false', 'Nederlands:false', 'English:true']);
		await seek(english, 2);
		await waitForCue(english, 'en', 'Good morning, everyone.');

		const off = await openVideo({ subtitles: 'off' });
		expect(await pressed(off)).toEqual(['Uit:true', 'Nederlands:false', 'English:false']);
		expect((await tracks(off)).map((tr) => tr.mode)).toEqual(['disabled', 'disabled']);

		// subtitles="en" on a Dutch page, with a page that asks for larger text.
		const asked = await openVideo({ subtitles: 'en', style: '--luwte-font-size: 1.75rem' }, 'en-US');
		expect(await pressed(asked)).toEqual(['Uit:false', 'Nederlands:false', 'English:true']);
		await seek(asked, 2);
		await waitForCue(asked, 'en', 'Good morning, everyone.');
		const large = await cueBox(asked, 'large');
		const small = await cueBox(english, 'small-en');
		expect(large.blackShare).toBeGreaterThan(0.6);
		// 1.75rem against 1.25rem: the box grows with the text (1.4 ×, within a few pixels of rounding).
		expect(large.height / small.height).toBeGreaterThan(1.25);
		expect(large.height / small.height).toBeLessThan(1.55);
		console.log(
			`subtitle box: ${small.height} px high at 1.25rem, ${large.height} px at 1.75rem; black ${(small.blackShare * 100).toFixed(0)} %`,
		);

		// No subtitles in a language the viewer reads (German browser, no attribute, lang="de"): off.
		const german = await openVideo({ lang: 'de' }, 'de-DE');
		expect((await tracks(german)).map((tr) => tr.mode)).toEqual(['disabled', 'disabled']);
	}, 60_000);
});
