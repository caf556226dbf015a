import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeViolations } from '../helpers/axe.ts';
import { chromiumAvailable, launchChromium, servePage } from '../helpers/chromium.ts';
import { startTestHost, type TestHost } from '../helpers/host.ts';
import { waitFor } from '../helpers/wait.ts';

// A begeleider (host) and a client (participant) on a care provider's page record an activity
// through <luwte-session>: the indicator, the client's own consent, the host's controls.
const outDir = join(import.meta.dirname, '..', '..', 'test-output');

let hostUrl = '';
const providerPage = () => `<!doctype html>
<html lang="nl"><head><meta charset="utf-8"><title>Zorgaanbieder — digitale dagbesteding</title>
<style>body { font: 16px Georgia, serif; background: #fff; color: #222; margin: 0; } main { max-width: 1000px; margin: 0 auto; padding: 16px; }</style>
<script type="module" src="${hostUrl}/embed/luwte.js"></script></head>
<body><main><h1>Samen koken</h1><div id="slot"></div></main>
<script>
window.mount = (server, token) => {
	const el = document.createElement('luwte-session');
	el.setAttribute('server', server);
	el.token = token;
	document.getElementById('slot').append(el);
};
</script></body></html>`;

/** What the recording indicator says (its live region), whitespace folded. */
const indicator = (page: Page) =>
	page.evaluate(() => {
		const live = document.querySelector('luwte-session')!.shadowRoot!.querySelector('[part="recording"] [aria-live]');
		return { text: (live?.textContent ?? '').replace(/\s+/g, ' ').trim(), live: live?.getAttribute('aria-live') ?? null };
	});

const untilIndicator = (page: Page, text: string) =>
	page.waitForFunction(
		(want) => {
			const live = document.querySelector('luwte-session')!.shadowRoot!.querySelector('[part="recording"] [aria-live]');
			return (live?.textContent ?? '').replace(/\s+/g, ' ').trim() === want;
		},
		text,
		{ timeout: 60_000 },
	);

/** Logs the live region's text at every change, as a screen reader would hear it. */
const recordAnnouncements = (page: Page) =>
	page.evaluate(() => {
		const live = document.querySelector('luwte-session')!.shadowRoot!.querySelector('[part="recording"] [aria-live]')!;
		const log: string[] = [];
		(window as any).announcements = log;
		new MutationObserver(() => log.push((live.textContent ?? '').replace(/\s+/g, ' ').trim())).observe(live, {
			subtree: true,
			childList: true,
			characterData: true,
		});
	});
const announcements = (page: Page): Promise<string[]> => page.evaluate(() => (window as any).announcements);

/** Animations and transitions on the indicator and everything in it (none may flash or pulse). */
const indicatorMotion = (page: Page) =>
	page.evaluate(() => {
		const rec = document.querySelector('luwte-session')!.shadowRoot!.querySelector('[part="recording"]')!;
		return [rec, ...rec.querySelectorAll('*')].flatMap((el) => {
			const cs = getComputedStyle(el);
			const moving = cs.transitionDuration.split(',').some((d) => parseFloat(d) > 0);
			return cs.animationName !== 'none' || moving
				? [`${el.className}: ${cs.animationName} / ${cs.transitionProperty} ${cs.transitionDuration}`]
				: [];
		});
	});

const box = (page: Page, selector: string) =>
	page.evaluate((sel) => {
		// Page coordinates: clicking the controls below may scroll the window.
		const r = document.querySelector('luwte-session')!.shadowRoot!.querySelector(sel)!.getBoundingClientRect();
		return [Math.round(r.x + scrollX), Math.round(r.y + scrollY), Math.round(r.width), Math.round(r.height)];
	}, selector);

/** The host's list "In de opname:". */
const recordedList = (page: Page) =>
	page.evaluate(() =>
		[...document.querySelector('luwte-session')!.shadowRoot!.querySelectorAll('.rec-list li')].map((li) => li.textContent!.trim()),
	);

describe.skipIf(!chromiumAvailable())('<luwte-session> recording: indicator, consent and host controls', () => {
	let t: TestHost;
	let browser: Browser;
	let site: Awaited<ReturnType<typeof servePage>>;
	const contexts: BrowserContext[] = [];

	beforeAll(async () => {
		site = await servePage(providerPage);
		t = await startTestHost({ allowedOrigins: { a: [new URL(site.url).origin] } });
		hostUrl = t.host.url;
		browser = await launchChromium();
		await mkdir(outDir, { recursive: true });
	});
	afterAll(async () => {
		for (const c of contexts) await c.close();
		await browser?.close();
		await site?.close();
		await t?.close();
	});

	async function joinAs(token: string): Promise<Page> {
		const context = await browser.newContext({ viewport: { width: 1000, height: 900 } });
		contexts.push(context);
		// Every wait on the page (waitForFunction, clicks, locators) polls its condition; on a
		// busy machine Chromium and the media are slow, so the ceiling is generous.
		context.setDefaultTimeout(60_000);
		const page = await context.newPage();
		await page.goto(site.url);
		await page.waitForFunction(() => customElements.get('luwte-session') !== undefined);
		await page.evaluate(([server, tok]) => (window as any).mount(server, tok), [t.host.url, token] as const);
		await page.waitForFunction(() => {
			const b = document.querySelector('luwte-session')!.shadowRoot!.querySelector('button.join') as HTMLButtonElement | null;
			return b !== null && !b.disabled;
		});
		await page.getByRole('button', { name: 'Meedoen' }).click();
		await page.waitForFunction(() => (document.querySelector('luwte-session') as any).phase === 'joined', null, { timeout: 60_000 });
		return page;
	}

	it('shows everyone a steady indicator, lets the client join and leave the recording, and the host run it', async () => {
		const tenant = t.tenants[0]!;
		const sessionId = await t.createSession(tenant, { title: 'Samen koken', module: 'vaardig-en-creatief' });
		const session = () => t.host.engine.session(tenant.id, sessionId);
		const hostPage = await joinAs(await t.token(tenant, sessionId, 'host', 'begeleider-8'));
		const clientPage = await joinAs(await t.token(tenant, sessionId, 'participant', 'client-40'));
		const stageVideo = '.stage video';
		const clientTile = '.grid [data-participant="client-40"]';
		await clientPage.waitForFunction(
			(sel) =>
				((document.querySelector('luwte-session')!.shadowRoot!.querySelector(sel) as HTMLVideoElement | null)?.videoWidth ?? 0) > 0,
			stageVideo,
			{ timeout: 60_000 },
		);
		await hostPage.waitForFunction(
			(sel) => document.querySelector('luwte-session')!.shadowRoot!.querySelector(`${sel} video`) !== null,
			clientTile,
			{
				timeout: 60_000,
			},
		);
		const before = { client: await box(clientPage, stageVideo), host: await box(hostPage, clientTile) };
		expect(await indicator(clientPage)).toEqual({ text: '', live: 'polite' });
		for (const page of [hostPage, clientPage]) await recordAnnouncements(page);

		// Without ffmpeg the host is told calmly, in Dutch, and nothing is recorded.
		const env = { FFMPEG_PATH: process.env.FFMPEG_PATH, PATH: process.env.PATH };
		const emptyDir = await mkdtemp(join(tmpdir(), 'luwte-no-ffmpeg-'));
		process.env.FFMPEG_PATH = join(emptyDir, 'ffmpeg');
		process.env.PATH = emptyDir;
		try {
			await hostPage.getByRole('button', { name: 'Opname starten' }).click();
			await hostPage
				.getByText('Opnemen kan nu niet: de server is er niet op ingericht. Neem contact op met de beheerder.')
				.waitFor({ timeout: 60_000 });
		} finally {
			for (const [k, v] of Object.entries(env)) {
				if (v === undefined) delete process.env[k];
				else process.env[k] = v;
			}
			await rm(emptyDir, { recursive: true, force: true });
		}
		expect(session().recordingStatus().active).toBe(false);
		expect(await indicator(clientPage)).toEqual({ text: '', live: 'polite' });

		// The host starts: both see the indicator; the host is in the recording, the client is not.
		await hostPage.getByRole('button', { name: 'Opname starten' }).click();
		await untilIndicator(hostPage, 'Deze activiteit wordt opgenomen Je bent in beeld in de opname');
		await untilIndicator(clientPage, 'Deze activiteit wordt opgenomen Je bent niet in de opname');
		// A failed attempt's message makes way once it works.
		expect(await hostPage.getByText('Opnemen kan nu niet', { exact: false }).count()).toBe(0);
		expect((await indicator(clientPage)).live).toBe('polite');
		expect(session().recordingStatus().recorded).toEqual(['begeleider-8']);
		await hostPage.waitForFunction(() => document.querySelector('luwte-session')!.shadowRoot!.querySelector('.rec-list li') !== null);
		expect(await recordedList(hostPage)).toEqual(['Jij']);
		for (const page of [hostPage, clientPage]) expect(await indicatorMotion(page)).toEqual([]);
		// Nothing moved when the indicator appeared.
		expect(await box(clientPage, stageVideo)).toEqual(before.client);
		expect(await box(hostPage, clientTile)).toEqual(before.host);
		await clientPage.screenshot({ path: join(outDir, 'recording-client.png'), fullPage: true });
		await hostPage.screenshot({ path: join(outDir, 'recording-host.png'), fullPage: true });
		expect(await axeViolations(clientPage, 'luwte-session')).toEqual([]);
		expect(await axeViolations(hostPage, 'luwte-session')).toEqual([]);

		// The client joins the recording by keyboard, with one confirmation.
		await clientPage.getByRole('button', { name: 'Ik doe mee met de opname' }).focus();
		await clientPage.keyboard.press('Enter');
		const question = clientPage.getByRole('group', { name: 'Weet je het zeker? Je beeld en geluid worden opgenomen.' });
		await question.waitFor();
		expect(session().recordingStatus().consent).toEqual([]); // asking is not consenting
		await clientPage.screenshot({ path: join(outDir, 'recording-client-confirm.png'), fullPage: true });
		expect(await axeViolations(clientPage, 'luwte-session')).toEqual([]);
		await clientPage.keyboard.press('Tab');
		await clientPage.keyboard.press('Enter'); // "Ja, neem mij op"
		await untilIndicator(clientPage, 'Deze activiteit wordt opgenomen Je bent in beeld in de opname');
		expect(session().recordingStatus().recorded).toContain('client-40');
		await hostPage.waitForFunction(
			() => [...document.querySelector('luwte-session')!.shadowRoot!.querySelectorAll('.rec-list li')].length === 2,
		);
		expect(await recordedList(hostPage)).toEqual(['Jij', 'Deelnemer 1']);
		expect(await hostPage.getByText('Deelnemer 1 · toestemming gegeven').count()).toBe(1);
		// The button under the client's hand now takes them out again.
		expect(await clientPage.getByRole('button', { name: 'Haal mij uit de opname' }).count()).toBe(1);

		// Withdrawing is one click, and the server stops writing them at once.
		await clientPage.getByRole('button', { name: 'Haal mij uit de opname' }).click();
		await waitFor(() => !session().recordingStatus().recorded.includes('client-40'), 30_000, 'the client to leave the recording');
		await untilIndicator(clientPage, 'Deze activiteit wordt opgenomen Je bent niet in de opname');
		expect(await clientPage.getByRole('group', { name: 'Weet je het zeker? Je beeld en geluid worden opgenomen.' }).count()).toBe(0);
		await hostPage.waitForFunction(
			() => [...document.querySelector('luwte-session')!.shadowRoot!.querySelectorAll('.rec-list li')].length === 1,
		);
		expect(await recordedList(hostPage)).toEqual(['Jij']);
		await hostPage.getByText('Deelnemer 1 · geen toestemming').waitFor();

		// The begeleider registers consent given aloud, and withdraws it again.
		await hostPage.getByRole('button', { name: 'Deelnemer 1: Toestemming vastleggen' }).click();
		await waitFor(() => session().recordingStatus().recorded.includes('client-40'), 30_000, 'the client to be recorded');
		expect(session().recordingStatus().consent).toContainEqual(
			expect.objectContaining({ participantId: 'client-40', consent: true, by: 'begeleider-8' }),
		);
		await untilIndicator(clientPage, 'Deze activiteit wordt opgenomen Je bent in beeld in de opname');
		await hostPage.getByRole('button', { name: 'Deelnemer 1: Toestemming intrekken' }).click();
		await waitFor(() => !session().recordingStatus().recorded.includes('client-40'), 30_000, 'the client to leave the recording');
		await untilIndicator(clientPage, 'Deze activiteit wordt opgenomen Je bent niet in de opname');

		// Stopping asks once more; then the indicator goes and nothing moves.
		await hostPage.getByRole('button', { name: 'Opname stoppen' }).click();
		expect(session().recordingStatus().active).toBe(true);
		await hostPage.getByRole('button', { name: 'Ja, opname stoppen' }).click();
		await untilIndicator(hostPage, '');
		await untilIndicator(clientPage, '');
		await clientPage.getByText('De opname is gestopt.').waitFor();
		expect(session().recordingStatus().active).toBe(false);
		expect(await hostPage.getByRole('button', { name: 'Opname starten' }).count()).toBe(1);
		expect(await clientPage.getByRole('button', { name: 'Ik doe mee met de opname' }).count()).toBe(0);
		expect(await box(clientPage, stageVideo)).toEqual(before.client);
		expect(await box(hostPage, clientTile)).toEqual(before.host);

		// A screen reader heard each change once: never the same sentence twice in a row.
		expect(await announcements(clientPage)).toEqual([
			'Deze activiteit wordt opgenomen Je bent niet in de opname',
			'Deze activiteit wordt opgenomen Je bent in beeld in de opname',
			'Deze activiteit wordt opgenomen Je bent niet in de opname',
			'Deze activiteit wordt opgenomen Je bent in beeld in de opname',
			'Deze activiteit wordt opgenomen Je bent niet in de opname',
			'',
		]);
		const heard = await announcements(hostPage);
		expect(heard.at(-1)).toBe('');
		expect(heard.filter((a, i) => a === heard[i - 1])).toEqual([]);
		expect(heard.filter((a) => a !== '').length).toBeLessThanOrEqual(2); // "niet", at most for a moment, then "in beeld"
	}, 300_000);
});
