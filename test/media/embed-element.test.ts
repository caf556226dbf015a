import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeViolations } from '../helpers/axe.ts';
import { chromiumAvailable, launchChromium, servePage } from '../helpers/chromium.ts';
import { startTestHost, type TestHost } from '../helpers/host.ts';
import { fakeMedia, webrtc } from '../helpers/wrtc-media.ts';
import { SessionClient } from '@luwte/sdk';

// A care provider's page on its own origin embeds <luwte-session> with one script tag. A
// begeleider (host) and a client (participant) join from two browser contexts.
const outDir = join(import.meta.dirname, '..', '..', 'test-output');

let hostUrl = '';
const providerPage = () => `<!doctype html>
<html lang="nl"><head><meta charset="utf-8"><title>Zorgaanbieder — digitale dagbesteding</title>
<style>body { font: 16px Georgia, serif; background: #fff; color: #222; margin: 0; } main { max-width: 1000px; margin: 0 auto; padding: 16px; }
button { all: unset; } video { filter: sepia(1); } /* a foreign page's CSS must not leak in */</style>
<script type="module" src="${hostUrl}/embed/luwte.js"></script></head>
<body><main><h1>Samen bewegen</h1><div id="slot"></div></main>
<script>
window.events = [];
window.mount = (server, token, lang) => {
	const el = document.createElement('luwte-session');
	el.setAttribute('server', server);
	el.token = token;
	if (lang) el.setAttribute('lang', lang);
	for (const n of ['luwte-joined', 'luwte-left', 'luwte-error']) el.addEventListener(n, (e) => window.events.push({ type: n, detail: e.detail }));
	document.getElementById('slot').append(el);
};
</script></body></html>`;

async function videoFrames(page: Page, selector: string): Promise<{ width: number; frames: number }> {
	return page.evaluate((sel) => {
		const v = document.querySelector('luwte-session')!.shadowRoot!.querySelector(sel) as HTMLVideoElement | null;
		return { width: v?.videoWidth ?? 0, frames: v?.getVideoPlaybackQuality().totalVideoFrames ?? 0 };
	}, selector);
}

async function inboundAudio(page: Page): Promise<number> {
	return page.evaluate(async () => {
		let bytes = 0;
		(await (document.querySelector('luwte-session') as any).receiveStats())?.forEach((s: any) => {
			if (s.type === 'inbound-rtp' && s.kind === 'audio') bytes += s.bytesReceived;
		});
		return bytes;
	});
}

/** Polls an asynchronous condition (a page's state) until it holds; fails with `what` after `timeoutMs`. */
async function until(what: string, pred: () => Promise<boolean>, timeoutMs: number): Promise<void> {
	const t0 = Date.now();
	while (!(await pred())) {
		if (Date.now() - t0 > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
		await new Promise((r) => setTimeout(r, 200));
	}
}

async function tileBoxes(page: Page) {
	return page.evaluate(() =>
		[...document.querySelector('luwte-session')!.shadowRoot!.querySelectorAll('.tile')].map((t) => {
			const r = t.getBoundingClientRect();
			return [Math.round(r.x), Math.round(r.y), Math.round(r.width), Math.round(r.height)];
		}),
	);
}

describe.skipIf(!chromiumAvailable())('<luwte-session> embedded on a care provider site', () => {
	let t: TestHost;
	let browser: Browser;
	let site: Awaited<ReturnType<typeof servePage>>;
	let foreignSite: Awaited<ReturnType<typeof servePage>>;
	const contexts: BrowserContext[] = [];

	beforeAll(async () => {
		site = await servePage(providerPage);
		foreignSite = await servePage(providerPage);
		t = await startTestHost({ allowedOrigins: { a: [new URL(site.url).origin] } });
		hostUrl = t.host.url;
		browser = await launchChromium();
		await mkdir(outDir, { recursive: true });
	});
	afterAll(async () => {
		for (const c of contexts) await c.close();
		await browser?.close();
		await site?.close();
		await foreignSite?.close();
		await t?.close();
	});

	async function open(url: string, token: string, lang?: string): Promise<Page> {
		const context = await browser.newContext({ viewport: { width: 1000, height: 900 } });
		contexts.push(context);
		const page = await context.newPage();
		await page.goto(url);
		await page.waitForFunction(() => customElements.get('luwte-session') !== undefined);
		await page.evaluate(([server, tok, l]) => (window as any).mount(server, tok, l), [t.host.url, token, lang] as const);
		await page.getByRole('button', { name: lang === 'en' ? 'Join' : 'Meedoen' }).waitFor({ timeout: 60_000 });
		await page.waitForFunction(
			() => !(document.querySelector('luwte-session')!.shadowRoot!.querySelector('button.join') as HTMLButtonElement).disabled,
			null,
			{ timeout: 60_000 },
		);
		return page;
	}

	it('lets a begeleider and a client join and see and hear each other, calmly and accessibly', async () => {
		const tenant = t.tenants[0]!;
		const sessionId = await t.createSession(tenant, { title: 'Samen bewegen', module: 'fit-en-vitaal' });
		const hostPage = await open(site.url, await t.token(tenant, sessionId, 'host', 'begeleider-5'));
		const clientPage = await open(site.url, await t.token(tenant, sessionId, 'participant', 'client-21'));

		// Preview: camera check and one big join button, no accessibility violations.
		expect(await clientPage.getByText('Je camera werkt.').count()).toBe(1);
		expect(await axeViolations(clientPage, 'luwte-session')).toEqual([]);
		const joinBox = await clientPage.getByRole('button', { name: 'Meedoen' }).boundingBox();
		expect(joinBox!.height).toBeGreaterThanOrEqual(44);
		await clientPage.screenshot({ path: join(outDir, 'element-preview.png') });

		await hostPage.getByRole('button', { name: 'Meedoen' }).click();
		await clientPage.keyboard.press('Tab'); // keyboard use: the join button takes focus and Enter presses it
		await clientPage.keyboard.press('Enter');

		// The client sees the begeleider big on the stage; the begeleider sees the client in the grid.
		await clientPage.waitForFunction(
			() =>
				((document.querySelector('luwte-session')!.shadowRoot!.querySelector('.stage video') as HTMLVideoElement | null)
					?.videoWidth ?? 0) > 0,
			null,
			{ timeout: 60_000 },
		);
		await hostPage.waitForFunction(
			() =>
				((
					document
						.querySelector('luwte-session')!
						.shadowRoot!.querySelector('.grid [data-participant="client-21"] video') as HTMLVideoElement | null
				)?.videoWidth ?? 0) > 0,
			null,
			{ timeout: 60_000 },
		);
		const c1 = await videoFrames(clientPage, '.stage video');
		const h1 = await videoFrames(hostPage, '.grid [data-participant="client-21"] video');
		const ca1 = await inboundAudio(clientPage);
		const ha1 = await inboundAudio(hostPage);
		const boxes1 = { client: await tileBoxes(clientPage), host: await tileBoxes(hostPage) };
		// Watch for at least 3 s (the fake microphones beep: speaking indicators come and go), and
		// until media has clearly advanced at both ends, which a busy machine may take longer for.
		const watchedFrom = Date.now();
		await until(
			'video frames and audio bytes to advance at both ends',
			async () =>
				Date.now() - watchedFrom >= 3000 &&
				(await videoFrames(clientPage, '.stage video')).frames > c1.frames + 10 &&
				(await videoFrames(hostPage, '.grid [data-participant="client-21"] video')).frames > h1.frames + 10 &&
				(await inboundAudio(clientPage)) > ca1 &&
				(await inboundAudio(hostPage)) > ha1,
			60_000,
		);
		const c2 = await videoFrames(clientPage, '.stage video');
		const h2 = await videoFrames(hostPage, '.grid [data-participant="client-21"] video');
		expect(c2.frames).toBeGreaterThan(c1.frames + 10);
		expect(h2.frames).toBeGreaterThan(h1.frames + 10);
		expect(await inboundAudio(clientPage)).toBeGreaterThan(ca1);
		expect(await inboundAudio(hostPage)).toBeGreaterThan(ha1);
		// Nothing moves or resizes while people speak.
		expect(await tileBoxes(clientPage)).toEqual(boxes1.client);
		expect(await tileBoxes(hostPage)).toEqual(boxes1.host);

		await clientPage.screenshot({ path: join(outDir, 'element-client-joined.png') });
		await hostPage.screenshot({ path: join(outDir, 'element-host-joined.png') });
		expect(await axeViolations(clientPage, 'luwte-session')).toEqual([]);
		expect(await axeViolations(hostPage, 'luwte-session')).toEqual([]);
		expect(await clientPage.evaluate(() => (window as any).events.map((e: any) => e.type))).toEqual(['luwte-joined']);

		// Muting is seen by the other side, in words.
		await clientPage.getByRole('button', { name: 'Microfoon uit' }).click();
		await hostPage.getByText('Deelnemer 1 · microfoon uit').waitFor({ timeout: 30_000 });
		expect(await clientPage.getByRole('button', { name: 'Microfoon aan' }).getAttribute('aria-pressed')).toBe('true');

		// Media failure (the worker carrying the session dies): a plain-language message, and
		// both come back by themselves on the replacement worker.
		const worker = t.host.engine.workers.slots[0]!.worker;
		process.kill(worker.pid, 'SIGKILL');
		await clientPage.getByText('De verbinding is even weg. We proberen het opnieuw.').waitFor({ timeout: 30_000 });
		expect(await axeViolations(clientPage, 'luwte-session')).toEqual([]);
		await clientPage.screenshot({ path: join(outDir, 'element-reconnecting.png') });
		for (const page of [clientPage, hostPage]) {
			await page.waitForFunction(() => (document.querySelector('luwte-session') as any).phase === 'joined', null, {
				timeout: 60_000,
			});
		}
		await clientPage.waitForFunction(
			() =>
				((document.querySelector('luwte-session')!.shadowRoot!.querySelector('.stage video') as HTMLVideoElement | null)
					?.videoWidth ?? 0) > 0,
			null,
			{ timeout: 60_000 },
		);
		// The microphone stays off after the reconnect, as the client left it.
		expect(await clientPage.getByRole('button', { name: 'Microfoon aan' }).count()).toBe(1);

		// Leaving says goodbye and tells the page.
		await clientPage.getByRole('button', { name: 'Verlaten' }).click();
		await clientPage.getByText('Je hebt de activiteit verlaten. Tot de volgende keer!').waitFor({ timeout: 30_000 });
		expect(await clientPage.evaluate(() => (window as any).events.map((e: any) => e.type))).toContain('luwte-left');
	}, 300_000);

	it('gives the begeleider control: mute a client, spotlight, share a screen, end the activity', async () => {
		const tenant = t.tenants[0]!;
		const sessionId = await t.createSession(tenant, { title: 'Muziekquiz' });
		const hostPage = await open(site.url, await t.token(tenant, sessionId, 'host', 'begeleider-6'));
		const clientPage = await open(site.url, await t.token(tenant, sessionId, 'participant', 'client-30'));
		await hostPage.getByRole('button', { name: 'Meedoen' }).click();
		await clientPage.getByRole('button', { name: 'Meedoen' }).click();
		// The begeleider knows this client before the next one joins: tiles are numbered in the order
		// they are first seen, and "Deelnemer 1" below must be this client on a slow machine too.
		await hostPage.waitForFunction(
			() => document.querySelector('luwte-session')!.shadowRoot!.querySelector('.grid [data-participant="client-30"]') !== null,
			null,
			{ timeout: 60_000 },
		);
		// A second client joins from Node (libwebrtc), so the spotlight has someone else to show.
		const other = new SessionClient({ server: t.host.url, webrtc });
		const otherMedia = fakeMedia(320, 180, 10);
		try {
			await other.connect(await t.token(tenant, sessionId, 'participant', 'client-31'));
			await other.publish({ camera: otherMedia.camera, microphone: otherMedia.microphone });

			// Mute: the client is told in words and can switch the microphone on again.
			await hostPage.getByRole('button', { name: 'Deelnemer 1: Microfoon uitzetten' }).click({ timeout: 60_000 });
			await clientPage
				.getByText('De begeleider heeft je microfoon uitgezet. Je kunt hem zelf weer aanzetten.')
				.waitFor({ timeout: 30_000 });
			expect(await clientPage.getByRole('button', { name: 'Microfoon aan' }).count()).toBe(1);

			// Spotlight: the other client comes on the stage of this client.
			await hostPage.getByRole('button', { name: 'Deelnemer 2: In beeld' }).click({ timeout: 60_000 });
			await clientPage.waitForFunction(
				() => document.querySelector('luwte-session')!.shadowRoot!.querySelector('.stage [data-participant="client-31"]') !== null,
				null,
				{ timeout: 30_000 },
			);
			await hostPage.getByRole('button', { name: 'Deelnemer 2: Uit beeld' }).click();
			await clientPage.waitForFunction(
				() =>
					document.querySelector('luwte-session')!.shadowRoot!.querySelector('.stage [data-participant="begeleider-6"]') !== null,
				null,
				{ timeout: 30_000 },
			);

			// Screen share (a canvas stands in for the screen picker of a headless browser).
			await hostPage.evaluate(async () => {
				const canvas = Object.assign(document.createElement('canvas'), { width: 640, height: 360 });
				const g = canvas.getContext('2d')!;
				setInterval(() => {
					g.fillStyle = '#2a6f97';
					g.fillRect(0, 0, 640, 360);
					g.fillStyle = '#fff';
					g.font = '40px sans-serif';
					g.fillText(`Dia 1: Welkom ${new Date().getSeconds()}`, 40, 180);
				}, 100);
				await (document.querySelector('luwte-session') as any).shareScreen(canvas.captureStream(10).getVideoTracks()[0]);
			});
			await clientPage.getByText('Gedeeld scherm').waitFor({ timeout: 30_000 });
			// The begeleider's camera stays in view beside the shared screen.
			expect(
				await clientPage.evaluate(
					() =>
						document.querySelector('luwte-session')!.shadowRoot!.querySelector('.grid [data-participant="begeleider-6"]') !==
						null,
				),
			).toBe(true);
			await clientPage.waitForFunction(
				() =>
					((document.querySelector('luwte-session')!.shadowRoot!.querySelector('.stage video') as HTMLVideoElement | null)
						?.videoWidth ?? 0) > 0,
				null,
				{ timeout: 30_000 },
			);
			await clientPage.screenshot({ path: join(outDir, 'element-screen-share.png') });
			await hostPage.screenshot({ path: join(outDir, 'element-host-controls.png') });
			expect(await axeViolations(hostPage, 'luwte-session')).toEqual([]);

			// End: two steps, then everyone is told the activity is over.
			await hostPage.getByRole('button', { name: 'Activiteit beëindigen' }).click();
			await hostPage.getByRole('button', { name: 'Ja, nu beëindigen' }).click();
			await clientPage.getByText('De activiteit is afgelopen. Tot de volgende keer!').waitFor({ timeout: 30_000 });
			expect((await t.api(tenant, 'GET', `/v1/sessions/${sessionId}`)).json.state).toBe('ended');
		} finally {
			otherMedia.stop();
			await other.leave();
		}
	}, 300_000);

	it('shows a viewer only the leader, and a day-care room everyone big (in English here)', async () => {
		const tenant = t.tenants[0]!;
		const sessionId = await t.createSession(tenant, { title: 'Lezing', kind: 'online' });
		const leader = new SessionClient({ server: t.host.url, webrtc });
		const client = new SessionClient({ server: t.host.url, webrtc });
		const leaderMedia = fakeMedia(320, 180, 10);
		const clientMedia = fakeMedia(320, 180, 10);
		try {
			await leader.connect(await t.token(tenant, sessionId, 'host', 'begeleider-7'));
			await leader.publish({ camera: leaderMedia.camera, microphone: leaderMedia.microphone });
			await client.connect(await t.token(tenant, sessionId, 'participant', 'client-50'));
			await client.publish({ camera: clientMedia.camera, microphone: clientMedia.microphone });

			const viewer = await open(site.url, await t.token(tenant, sessionId, 'viewer', 'kijker-1'));
			expect(await viewer.getByText('Je kijkt mee. Niemand ziet of hoort jou.').count()).toBe(1);
			await viewer.getByRole('button', { name: 'Meedoen' }).click();
			await viewer.waitForFunction(
				() =>
					((
						document
							.querySelector('luwte-session')!
							.shadowRoot!.querySelector('.stage [data-participant="begeleider-7"] video') as HTMLVideoElement | null
					)?.videoWidth ?? 0) > 0,
				null,
				{ timeout: 60_000 },
			);
			expect(
				await viewer.evaluate(() =>
					document.querySelector('luwte-session')!.shadowRoot!.querySelector('[data-participant="client-50"]'),
				),
			).toBeNull();
			expect(await viewer.getByRole('button', { name: 'Microfoon uit' }).count()).toBe(0);
			expect(await axeViolations(viewer, 'luwte-session')).toEqual([]);

			const room = await open(site.url, await t.token(tenant, sessionId, 'location', 'locatie-zuid'), 'en');
			await room.getByRole('button', { name: 'Join' }).click();
			await room.waitForFunction(
				() =>
					((
						document
							.querySelector('luwte-session')!
							.shadowRoot!.querySelector('.grid [data-participant="client-50"] video') as HTMLVideoElement | null
					)?.videoWidth ?? 0) > 0,
				null,
				{ timeout: 60_000 },
			);
			expect(
				await room.evaluate(() =>
					document.querySelector('luwte-session')!.shadowRoot!.querySelector('.room')!.classList.contains('grid-only'),
				),
			).toBe(true);
			expect(await room.getByRole('button', { name: 'Microphone off' }).count()).toBe(1);
			await room.screenshot({ path: join(outDir, 'element-location.png') });
		} finally {
			leaderMedia.stop();
			clientMedia.stop();
			await leader.leave();
			await client.leave();
		}
	}, 240_000);

	it('refuses the same page on a site the care organisation did not allow, with a clear message', async () => {
		const tenant = t.tenants[0]!;
		const sessionId = await t.createSession(tenant, { title: 'Geheugenspel' });
		const page = await open(foreignSite.url, await t.token(tenant, sessionId, 'participant', 'client-22'));
		await page.getByRole('button', { name: 'Meedoen' }).click();
		await page
			.getByText('Deze website mag deze activiteit niet tonen. Neem contact op met je zorgorganisatie.')
			.waitFor({ timeout: 30_000 });
		const events = await page.evaluate(() => (window as any).events);
		expect(events.at(-1)).toMatchObject({ type: 'luwte-error', detail: { code: 'origin_not_allowed' } });
		await page.screenshot({ path: join(outDir, 'element-origin-refused.png') });
	}, 120_000);
});
