import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SessionClient } from '@luwte/sdk';
import { axeViolations } from '../helpers/axe.ts';
import { chromiumAvailable, launchChromium, servePage } from '../helpers/chromium.ts';
import { startTestHost, type TestHost } from '../helpers/host.ts';
import { fakeMedia, webrtc } from '../helpers/wrtc-media.ts';

// A calm screen (issue 17, part 4): a client who asked the system for reduced motion, who needs
// large text, and who pins a sign-language interpreter and a second person beside the begeleider.
// The begeleider, the interpreter and two other clients publish from Node (libwebrtc).
const outDir = join(import.meta.dirname, '..', '..', 'test-output');
let hostUrl = '';

// The page's own measuring tools, so the checks read the same in every step.
const providerPage = () => `<!doctype html>
<html lang="nl"><head><meta charset="utf-8"><title>Zorgaanbieder — rustig scherm</title>
<script type="module" src="${hostUrl}/embed/luwte.js"></script></head>
<body><main><h1>Samen zingen</h1><div id="slot"></div></main>
<script>
window.mount = (tag, attrs, token) => {
	const el = document.createElement(tag);
	for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
	if (token) el.token = token;
	document.getElementById('slot').append(el);
};
const root = (tag = 'luwte-session') => document.querySelector(tag).shadowRoot;
// In page coordinates: Tab scrolling the page to a focused button is no layout change.
const box = (el) => { const r = el.getBoundingClientRect(); return { x: r.x + scrollX, y: r.y + scrollY, w: r.width, h: r.height }; };
window.calm = {
	/** Every tile's box (stage, pin places, grid), keyed by where it is. */
	tiles: () => [...root().querySelectorAll('.stage > .tile, .pin-place > .tile, .grid .tile')].map((t, i) => ({ key: (t.closest('.pin-place')?.className ?? t.closest('.cell, .stage, .self')?.className ?? '') + '#' + (t.dataset.participant ?? i), ...box(t) })),
	/** Transition and animation durations of every element of the shadow root (and its ::before/::after) that are not 0. */
	moving: (tag) => {
		const out = [];
		for (const el of root(tag).querySelectorAll('*')) {
			for (const pseudo of [null, '::before', '::after']) {
				const s = getComputedStyle(el, pseudo);
				const durations = [...s.transitionDuration.split(','), ...s.animationDuration.split(',')].map((d) => parseFloat(d) || 0);
				const delays = [...s.transitionDelay.split(','), ...s.animationDelay.split(',')].map((d) => parseFloat(d) || 0);
				if (durations.some((d) => d > 0) || delays.some((d) => d > 0) || (s.animationName !== 'none' && pseudo === null)) out.push(el.tagName + '.' + el.className + (pseudo ?? '') + ' ' + s.animationName + ' ' + s.animationDuration + ' ' + s.transitionDuration);
			}
		}
		return out;
	},
	/** Text or controls that are cut off or lie over one another. */
	layoutProblems: (tag = 'luwte-session') => {
		const r = root(tag);
		const problems = [];
		const frame = r.querySelector('.frame');
		if (frame.scrollWidth > frame.clientWidth + 1) problems.push('the frame scrolls sideways');
		const buttons = [...r.querySelectorAll('button')].filter((b) => b.offsetParent !== null);
		for (const b of buttons) if (b.scrollWidth > b.clientWidth + 1 || b.scrollHeight > b.clientHeight + 1) problems.push('cut off: ' + b.textContent.trim());
		const overlap = (a, b) => Math.min(a.x + a.w, b.x + b.w) - Math.max(a.x, b.x) > 1 && Math.min(a.y + a.h, b.y + b.h) - Math.max(a.y, b.y) > 1;
		for (let i = 0; i < buttons.length; i++) for (let j = i + 1; j < buttons.length; j++) if (overlap(box(buttons[i]), box(buttons[j]))) problems.push('buttons overlap: ' + buttons[i].textContent.trim() + ' / ' + buttons[j].textContent.trim());
		for (const t of r.querySelectorAll('.tile')) {
			const tb = box(t);
			const name = t.querySelector('.name');
			const ph = t.querySelector('.placeholder');
			for (const el of [name, ph]) {
				if (!el) continue;
				const b = box(el);
				if (b.x < tb.x - 1 || b.y < tb.y - 1 || b.x + b.w > tb.x + tb.w + 1 || b.y + b.h > tb.y + tb.h + 1) problems.push('outside its tile: ' + el.textContent.trim());
			}
			if (name && ph && overlap(box(name), box(ph))) problems.push('name over text: ' + name.textContent.trim());
		}
		return problems;
	},
};
</script></body></html>`;

describe.skipIf(!chromiumAvailable())('<luwte-session> and <luwte-library>: a calm screen', () => {
	let t: TestHost;
	let browser: Browser;
	let site: Awaited<ReturnType<typeof servePage>>;
	const contexts: BrowserContext[] = [];
	const others: { client: SessionClient; media: ReturnType<typeof fakeMedia> }[] = [];

	beforeAll(async () => {
		site = await servePage(providerPage);
		t = await startTestHost({ allowedOrigins: { a: [new URL(site.url).origin] } });
		hostUrl = t.host.url;
		browser = await launchChromium();
		await mkdir(outDir, { recursive: true });
	});
	afterAll(async () => {
		for (const o of others) {
			o.media.stop();
			await o.client.leave();
		}
		for (const c of contexts) await c.close();
		await browser?.close();
		await site?.close();
		await t?.close();
	});

	async function openPage(reducedMotion: 'reduce' | 'no-preference'): Promise<Page> {
		const context = await browser.newContext({ viewport: { width: 1000, height: 900 }, reducedMotion });
		contexts.push(context);
		const page = await context.newPage();
		await page.goto(site.url);
		await page.waitForFunction(() => customElements.get('luwte-session') !== undefined);
		return page;
	}

	const pinButton = (page: Page, participantId: string) =>
		page.locator(`luwte-session .grid .cell:has([data-participant="${participantId}"]) button.pin`);
	const pressed = (page: Page, participantId: string) => pinButton(page, participantId).getAttribute('aria-pressed');
	const onStage = (page: Page, place: 1 | 2) =>
		page.evaluate(
			(p) =>
				document.querySelector('luwte-session')!.shadowRoot!.querySelector<HTMLElement>(`.pin-${p} .tile`)?.dataset.participant ??
				null,
			place,
		);

	it('moves nothing with reduced motion, pins two (keyboard too) without moving a tile, refuses a third, and grows its text without clipping', async () => {
		const tenant = t.tenants[0]!;
		const sessionId = await t.createSession(tenant, { title: 'Samen zingen' });
		for (const [role, id] of [
			['host', 'begeleider-1'],
			['participant', 'tolk'],
			['participant', 'client-2'],
			['participant', 'client-3'],
		] as const) {
			const client = new SessionClient({ server: t.host.url, webrtc });
			const media = fakeMedia(320, 180, 10);
			others.push({ client, media });
			await client.connect(await t.token(tenant, sessionId, role, id));
			await client.publish({ camera: media.camera, microphone: media.microphone });
		}

		const page = await openPage('reduce');
		await page.evaluate(([server, tok]) => (window as any).mount('luwte-session', { server }, tok), [
			t.host.url,
			await t.token(tenant, sessionId, 'participant', 'client-1'),
		] as const);
		await page.getByRole('button', { name: 'Meedoen' }).click({ timeout: 60_000 });
		// Everyone's picture is in before anything is measured.
		await page.waitForFunction(
			() => {
				const r = document.querySelector('luwte-session')!.shadowRoot!;
				const playing = (sel: string) => ((r.querySelector(sel) as HTMLVideoElement | null)?.videoWidth ?? 0) > 0;
				return (
					playing('.stage [data-participant="begeleider-1"] video') &&
					['tolk', 'client-2', 'client-3'].every((id) => playing(`.grid [data-participant="${id}"] video`))
				);
			},
			null,
			{ timeout: 60_000 },
		);

		// Reduced motion: not one element of the shadow root moves (the video's fade is there otherwise).
		expect(await page.evaluate(() => (window as any).calm.moving())).toEqual([]);
		await page.emulateMedia({ reducedMotion: 'no-preference' });
		expect((await page.evaluate(() => (window as any).calm.moving())).some((m: string) => m.startsWith('VIDEO'))).toBe(true);
		await page.emulateMedia({ reducedMotion: 'reduce' });
		expect(await axeViolations(page, 'luwte-session')).toEqual([]);

		// Pin the interpreter with the keyboard only: Tab to their toggle, press Space.
		const before = await page.evaluate(() => (window as any).calm.tiles());
		const tolkName = await pinButton(page, 'tolk').getAttribute('aria-label');
		expect(tolkName).toMatch(/^Deelnemer \d: Vastzetten$/);
		let reached = false;
		for (let i = 0; i < 40 && !reached; i++) {
			await page.keyboard.press('Tab');
			reached = await page.evaluate(
				(name) => document.querySelector('luwte-session')!.shadowRoot!.activeElement?.getAttribute('aria-label') === name,
				tolkName,
			);
		}
		expect(reached).toBe(true);
		await page.keyboard.press('Space');
		await page.waitForFunction(
			() =>
				((
					document
						.querySelector('luwte-session')!
						.shadowRoot!.querySelector('.pin-1 [data-participant="tolk"] video') as HTMLVideoElement | null
				)?.videoWidth ?? 0) > 0,
			null,
			{ timeout: 30_000 },
		);
		expect(await pressed(page, 'tolk')).toBe('true');
		// Every tile keeps its box: the stage, both pin places, the grid (the tolk's cell now says where they are).
		const after = await page.evaluate(() => (window as any).calm.tiles());
		expect(after.map((b: { key: string }) => b.key.replace(/#.*/, ''))).toEqual(
			before.map((b: { key: string }) => b.key.replace(/#.*/, '')),
		);
		for (const [i, b] of before.entries()) {
			for (const k of ['x', 'y', 'w', 'h'] as const) expect(Math.abs(after[i][k] - b[k]), `${b.key} ${k}`).toBeLessThanOrEqual(1);
		}
		expect(await page.getByText('Staat groot in beeld').count()).toBe(1);

		// A second pin by mouse; a third is refused in words, and nothing changes.
		await pinButton(page, 'client-2').click();
		await page.waitForFunction(
			() => document.querySelector('luwte-session')!.shadowRoot!.querySelector('.pin-2 [data-participant="client-2"]') !== null,
		);
		expect(await axeViolations(page, 'luwte-session')).toEqual([]);
		await page.screenshot({ path: join(outDir, 'element-pins.png') });
		await pinButton(page, 'client-3').click();
		await page
			.getByRole('status')
			.filter({ hasText: 'Je kunt twee mensen vastzetten. Maak eerst iemand los.' })
			.waitFor({ timeout: 10_000 });
		expect(await pressed(page, 'client-3')).toBe('false');
		// Pressed again: said again (the live region's text goes away for one update and comes back).
		await page.evaluate(() => {
			const status = document.querySelector('luwte-session')!.shadowRoot!.querySelector('#session-status')!;
			const seen: string[] = [];
			(window as any).statusSeen = seen;
			new MutationObserver(() => seen.push(status.textContent ?? '')).observe(status, {
				childList: true,
				subtree: true,
				characterData: true,
			});
		});
		await pinButton(page, 'client-3').click();
		await page.waitForFunction(() => {
			const seen: string[] = (window as any).statusSeen;
			return seen.includes('') && seen.at(-1)!.startsWith('Je kunt twee mensen vastzetten');
		});
		expect([await onStage(page, 1), await onStage(page, 2)]).toEqual(['tolk', 'client-2']);

		// Unpin the interpreter: their place is free, client-2 stays where it was; then client-3 fits.
		await pinButton(page, 'tolk').click();
		await page.getByText('Vrije plek').waitFor({ timeout: 10_000 });
		expect(await pressed(page, 'tolk')).toBe('false');
		expect([await onStage(page, 1), await onStage(page, 2)]).toEqual([null, 'client-2']);
		await pinButton(page, 'client-3').click();
		await page.waitForFunction(
			() => document.querySelector('luwte-session')!.shadowRoot!.querySelector('.pin-1 [data-participant="client-3"]') !== null,
		);
		expect(await page.locator('luwte-session #session-status').textContent()).toBe('');

		// Large text: the viewer's own toggle; everything grows, nothing is cut off or covered.
		const size = () => page.evaluate(() => parseFloat(getComputedStyle(document.querySelector('luwte-session')!).fontSize));
		const normal = await size();
		expect(await page.evaluate(() => (window as any).calm.layoutProblems())).toEqual([]);
		const toggle = page.getByRole('button', { name: 'Grote letters' });
		expect(await toggle.getAttribute('aria-pressed')).toBe('false');
		await toggle.click();
		expect(await toggle.getAttribute('aria-pressed')).toBe('true');
		expect(await page.evaluate(() => document.querySelector('luwte-session')!.hasAttribute('large-text'))).toBe(true);
		expect(await size()).toBeCloseTo(normal * 1.4, 1);
		const leave = await page.getByRole('button', { name: 'Verlaten' }).boundingBox();
		expect(leave!.height).toBeGreaterThanOrEqual(56 * 1.4 - 1);
		expect(await page.evaluate(() => (window as any).calm.layoutProblems())).toEqual([]);
		expect(await page.evaluate(() => (window as any).calm.moving())).toEqual([]);
		expect(await axeViolations(page, 'luwte-session')).toEqual([]);
		await page.screenshot({ path: join(outDir, 'element-large-text.png'), fullPage: true });
		// A narrow window (a tablet on its side, a half screen): the pin places go under the stage, still nothing cut off.
		await page.setViewportSize({ width: 480, height: 900 });
		await page.waitForFunction(
			() => {
				const r = document.querySelector('luwte-session')!.shadowRoot!;
				return (
					r.querySelector('.pin-1')!.getBoundingClientRect().top >=
					r.querySelector('.stage > .tile')!.getBoundingClientRect().bottom
				);
			},
			null,
			{ timeout: 10_000 },
		);
		expect(await page.evaluate(() => (window as any).calm.layoutProblems())).toEqual([]);
		await page.screenshot({ path: join(outDir, 'element-large-text-narrow.png'), fullPage: true });

		// Remembered on this device: the library on another page of the site opens large, and calm too.
		const library = await contexts[0]!.newPage();
		await library.goto(site.url);
		await library.waitForFunction(() => customElements.get('luwte-library') !== undefined);
		await library.evaluate(() => (window as any).mount('luwte-library', {}));
		await library.getByRole('button', { name: 'Grote letters', pressed: true }).waitFor({ timeout: 10_000 });
		expect(await library.evaluate(() => document.querySelector('luwte-library')!.hasAttribute('large-text'))).toBe(true);
		expect(await library.evaluate(() => (window as any).calm.moving('luwte-library'))).toEqual([]);
		expect(await library.evaluate(() => (window as any).calm.layoutProblems('luwte-library'))).toEqual([]);
		expect(await axeViolations(library, 'luwte-library')).toEqual([]);
	}, 180_000);

	it('takes large-text from the page when the viewer has not chosen, and the viewer may turn it off (in English)', async () => {
		const page = await openPage('no-preference');
		await page.evaluate(() => (window as any).mount('luwte-library', { 'large-text': '', lang: 'en' }));
		const toggle = page.getByRole('button', { name: 'Large text' });
		expect(await toggle.getAttribute('aria-pressed', { timeout: 10_000 })).toBe('true');
		await toggle.click();
		expect(await toggle.getAttribute('aria-pressed')).toBe('false');
		expect(await page.evaluate(() => document.querySelector('luwte-library')!.hasAttribute('large-text'))).toBe(false);
		expect(await page.evaluate(() => localStorage.getItem('luwte.large-text'))).toBe('0');
	});
});
