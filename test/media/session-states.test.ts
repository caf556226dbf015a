import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SessionClient } from '@luwte/sdk';
import { axeViolations } from '../helpers/axe.ts';
import { chromiumAvailable, launchChromium, servePage } from '../helpers/chromium.ts';
import { startTestHost, type TestHost, type TestTenant } from '../helpers/host.ts';
import { hostProcess } from '../helpers/host-process.ts';
import { startSignalProxy, type SignalProxy } from '../helpers/signal-proxy.ts';
import { waitFor } from '../helpers/wait.ts';
import { fakeMedia, webrtc } from '../helpers/wrtc-media.ts';

// <luwte-session>'s states around joining, as a client on a care provider's page meets them: the
// token that comes late, the camera check, an activity that has not started, is over, was
// cancelled or no longer exists, the quiet "stops soon" notice and a host restart. A signalling
// proxy in front of the real host says on cue what the host cannot be made to say in a test
// (a refused join, a restart); everything else is the real host and real media.

const TIME_ZONE = 'Europe/Amsterdam';
const EVENTS = [
	'luwte-joined',
	'luwte-left',
	'luwte-error',
	'luwte-not-started',
	'luwte-ending',
	'luwte-ended',
	'luwte-cancelled',
	'luwte-gone',
];

let hostUrl = '';
const providerPage = () => `<!doctype html>
<html lang="nl"><head><meta charset="utf-8"><title>Zorgaanbieder — digitale dagbesteding</title>
<script type="module">
	// The element from the test host, or from the host named in the address (a restarting one).
	import((new URLSearchParams(location.search).get('embed') ?? '${hostUrl}') + '/embed/luwte.js');
</script></head>
<body><main><h1>Samen bewegen</h1><div id="slot"></div></main>
<script>
window.mount = (server, token, lang) => {
	window.events = [];
	window.messages = [];
	window.texts = [];
	const slot = document.getElementById('slot');
	slot.replaceChildren();
	const el = document.createElement('luwte-session');
	el.setAttribute('server', server);
	if (token) el.token = token;
	if (lang) el.setAttribute('lang', lang);
	for (const n of ${JSON.stringify(EVENTS)}) el.addEventListener(n, (e) => window.events.push({ type: n, detail: e.detail }));
	slot.append(el);
	// Everything the element ever showed, also what a poll would miss: each text and each status line.
	const root = el.shadowRoot;
	new MutationObserver(() => {
		window.texts.push(root.textContent);
		const m = root.querySelector('.message')?.textContent ?? '';
		if (m && window.messages.at(-1) !== m) window.messages.push(m);
	}).observe(root, { subtree: true, childList: true, characterData: true });
};
</script></body></html>`;

/** The start as the element should say it: 24-hour local time. */
const hhmm = (iso: string) =>
	new Intl.DateTimeFormat('nl-NL', { hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone: TIME_ZONE }).format(new Date(iso));
const iso = (ms: number) => new Date(ms).toISOString();

const inShadow = <T>(page: Page, fn: (root: ShadowRoot, el: any) => T): Promise<T> =>
	page.evaluate(
		`(${fn.toString()})(document.querySelector('luwte-session').shadowRoot, document.querySelector('luwte-session'))`,
	) as Promise<T>;
const phase = (page: Page) => page.evaluate(() => (document.querySelector('luwte-session') as any).phase as string);
const events = (page: Page) => page.evaluate(() => (window as any).events as { type: string; detail: any }[]);
const messages = (page: Page) => page.evaluate(() => (window as any).messages as string[]);
const joinDisabled = (page: Page) => inShadow(page, (root) => (root.querySelector('button.join') as HTMLButtonElement).disabled);

async function waitForPhase(page: Page, wanted: string, timeout = 60_000): Promise<void> {
	await page.waitForFunction((p) => (document.querySelector('luwte-session') as any).phase === p, wanted, { timeout });
}

async function waitForStageVideo(page: Page): Promise<void> {
	await page.waitForFunction(
		() =>
			((document.querySelector('luwte-session')!.shadowRoot!.querySelector('.stage video') as HTMLVideoElement | null)?.videoWidth ??
				0) > 0,
		null,
		{ timeout: 60_000 },
	);
}

describe.skipIf(!chromiumAvailable())('<luwte-session> states: token, camera check, not started, over, restart', () => {
	let t: TestHost;
	let tenant: TestTenant;
	let browser: Browser;
	let site: Awaited<ReturnType<typeof servePage>>;
	let proxy: SignalProxy;
	const contexts: BrowserContext[] = [];

	beforeAll(async () => {
		site = await servePage(providerPage);
		t = await startTestHost({ allowedOrigins: { a: [new URL(site.url).origin] } });
		tenant = t.tenants[0]!;
		hostUrl = t.host.url;
		proxy = await startSignalProxy(t.host.url);
		browser = await launchChromium();
	});
	// Each test's pages go with it: a page still in a session would reconnect through the proxy
	// when a later test drops its connections.
	afterEach(async () => {
		for (const c of contexts.splice(0)) await c.close();
	});
	afterAll(async () => {
		await browser?.close();
		await proxy?.close();
		await site?.close();
		await t?.close();
	});

	/**
	 * A care provider's page in a fresh browser; `gatedMedia`: getUserMedia answers only when the
	 * test says so; `embedFrom`: another host serves the element.
	 */
	async function openSite(opts: { gatedMedia?: boolean; embedFrom?: string } = {}): Promise<Page> {
		const context = await browser.newContext({
			viewport: { width: 1000, height: 900 },
			timezoneId: TIME_ZONE,
			reducedMotion: 'reduce',
		});
		contexts.push(context);
		if (opts.gatedMedia) {
			// As long as a person takes to answer the browser's permission question.
			await context.addInitScript(() => {
				const real = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
				let answer: (found: boolean) => void = () => undefined;
				const answered = new Promise<boolean>((resolve) => {
					answer = resolve;
				});
				(window as any).answerMedia = (found: boolean) => answer(found);
				(window as any).mediaAsked = 0;
				navigator.mediaDevices.getUserMedia = async (constraints) => {
					(window as any).mediaAsked++;
					if (!(await answered)) throw new DOMException('Requested device not found', 'NotFoundError');
					return real(constraints);
				};
			});
		}
		const page = await context.newPage();
		await page.goto(opts.embedFrom ? `${site.url}?embed=${encodeURIComponent(opts.embedFrom)}` : site.url);
		await page.waitForFunction(() => customElements.get('luwte-session') !== undefined, null, { timeout: 60_000 });
		return page;
	}

	async function mount(page: Page, server: string, token: string, lang?: string): Promise<void> {
		await page.evaluate(([s, tok, l]) => (window as any).mount(s, tok, l), [server, token, lang] as const);
	}

	async function mountReady(page: Page, server: string, token: string, lang?: string): Promise<void> {
		await mount(page, server, token, lang);
		await page.waitForFunction(
			() => {
				const b = document.querySelector('luwte-session')?.shadowRoot?.querySelector('button.join') as HTMLButtonElement | null;
				return b !== null && !b.disabled;
			},
			null,
			{ timeout: 60_000 },
		);
	}

	/** A begeleider in the session from Node, sending a camera the client should see on its stage. */
	async function leaderIn(sessionId: string, participantId: string) {
		const leader = new SessionClient({ server: t.host.url, webrtc });
		const media = fakeMedia(320, 180, 10);
		await leader.connect(await t.token(tenant, sessionId, 'host', participantId));
		await leader.publish({ camera: media.camera, microphone: media.microphone });
		return {
			async stop() {
				media.stop();
				await leader.leave();
			},
		};
	}

	it('joins when the page sets the token after "Meedoen" was pressed', async () => {
		const sessionId = await t.createSession(tenant, { title: 'Samen bewegen' });
		const leader = await leaderIn(sessionId, 'begeleider-40');
		try {
			const page = await openSite();
			// The documented snippet: the element first, the token from the provider's backend later.
			await mountReady(page, t.host.url, '');
			await page.getByRole('button', { name: 'Meedoen' }).click();
			await page.getByText('Even geduld, de uitnodiging wordt geladen…').waitFor({ timeout: 30_000 });
			expect(await phase(page)).toBe('joining');
			expect(await events(page)).toEqual([]);

			const token = await t.token(tenant, sessionId, 'participant', 'client-40');
			await page.evaluate((tok) => {
				(document.querySelector('luwte-session') as any).token = tok;
			}, token);
			await waitForStageVideo(page);
			expect(await phase(page)).toBe('joined');
			expect((await events(page)).map((e) => e.type)).toEqual(['luwte-joined']);
			expect(await messages(page)).not.toContain('Het lukt nu niet om mee te doen. Probeer het later nog eens.');
		} finally {
			await leader.stop();
		}
	}, 180_000);

	it('says it is checking camera and microphone while the browser asks, and nothing moves when the answer comes', async () => {
		const token = await t.token(tenant, await t.createSession(tenant, { title: 'Geheugenspel' }), 'participant', 'client-41');
		for (const [lang, found] of [
			['nl', true],
			['en', false],
		] as const) {
			const page = await openSite({ gatedMedia: true });
			await mount(page, t.host.url, token, lang);
			const checking = lang === 'en' ? 'Checking camera and microphone…' : 'Camera en microfoon worden gecontroleerd…';
			await page.getByText(checking).waitFor({ timeout: 30_000 });
			await page.waitForFunction(() => (window as any).mediaAsked > 0, null, { timeout: 30_000 });
			const join = page.getByRole('button', { name: lang === 'en' ? 'Join' : 'Meedoen' });
			expect(await joinDisabled(page)).toBe(true);
			// The disabled button says why, for screen readers.
			expect(
				await inShadow(page, (root) => {
					const id = root.querySelector('button.join')!.getAttribute('aria-describedby');
					return id ? root.getElementById(id)?.textContent : null;
				}),
			).toBe(checking);
			// Calm: nothing animates while waiting (no spinner), with reduced motion asked for.
			expect(await inShadow(page, (root) => root.getAnimations().length)).toBe(0);
			expect(await axeViolations(page, 'luwte-session')).toEqual([]);
			const before = { join: await join.boundingBox(), tile: await page.locator('luwte-session .self-preview').boundingBox() };

			await page.evaluate((f) => (window as any).answerMedia(f), found);
			const answer = lang === 'en' ? 'We cannot find a camera. You can still join.' : 'Je camera werkt.';
			await page.getByText(answer).waitFor({ timeout: 30_000 });
			await page.waitForFunction(
				() => !(document.querySelector('luwte-session')!.shadowRoot!.querySelector('button.join') as any).disabled,
			);
			expect(await join.boundingBox()).toEqual(before.join);
			expect(await page.locator('luwte-session .self-preview').boundingBox()).toEqual(before.tile);
			expect(await page.getByText(checking).count()).toBe(0);

			// "No camera" appeared only once the check had found none.
			const texts = await page.evaluate(() => (window as any).texts as string[]);
			const missing = lang === 'en' ? 'We cannot find' : 'We zien geen camera';
			const firstMissing = texts.findIndex((x) => x.includes(missing));
			const lastChecking = texts.findLastIndex((x) => x.includes(checking));
			expect(lastChecking).toBeGreaterThanOrEqual(0);
			if (found) expect(firstMissing).toBe(-1);
			else expect(firstMissing).toBeGreaterThan(lastChecking);
			expect(texts.slice(0, lastChecking + 1).some((x) => x.includes(missing) || x.includes('geen microfoon'))).toBe(false);
		}
	}, 180_000);

	it('waits calmly for an activity that has not started, joins by itself when it opens, also when it was moved', async () => {
		const sessionId = await t.createSession(tenant, { title: 'Muziekquiz' });
		const leader = await leaderIn(sessionId, 'begeleider-42');
		try {
			const page = await openSite();
			await mountReady(page, proxy.url, await t.token(tenant, sessionId, 'participant', 'client-42'));
			// First it opens in 3 s; when the client comes back then, it has been moved: 3 s more.
			const windows: { startsAt: string; opensAt: string }[] = [];
			const asked: number[] = [];
			proxy.refuseJoin = () => {
				asked.push(Date.now());
				if (windows.length === 2) return undefined;
				const w = { startsAt: iso(Date.now() + (10 + 2 * windows.length) * 60_000), opensAt: iso(Date.now() + 3000) };
				windows.push(w);
				return { code: 'not_started', message: 'the join window has not opened yet', details: w };
			};
			await page.getByRole('button', { name: 'Meedoen' }).click();
			await waitFor(() => windows.length > 0, 30_000, 'the first join');
			await page.getByText(`De activiteit begint om ${hhmm(windows[0]!.startsAt)}`).waitFor({ timeout: 30_000 });
			expect(await phase(page)).toBe('waiting');
			expect(await joinDisabled(page)).toBe(true);
			// The waiting button says why, for screen readers: the status line.
			expect(
				await inShadow(page, (root) => {
					const id = root.querySelector('button.join')!.getAttribute('aria-describedby');
					return id ? root.getElementById(id)?.textContent : null;
				}),
			).toMatch(/^De activiteit begint om/);
			expect(await inShadow(page, (root) => root.getAnimations().length)).toBe(0);
			expect(await axeViolations(page, 'luwte-session')).toEqual([]);

			await waitForStageVideo(page);
			expect(await phase(page)).toBe('joined');
			// Asked again each time once the window had opened, not before.
			expect(asked).toHaveLength(3);
			expect(asked[1]!).toBeGreaterThanOrEqual(Date.parse(windows[0]!.opensAt));
			expect(asked[2]!).toBeGreaterThanOrEqual(Date.parse(windows[1]!.opensAt));
			expect(await events(page)).toEqual([
				{ type: 'luwte-not-started', detail: windows[0] },
				{ type: 'luwte-not-started', detail: windows[1] },
				{
					type: 'luwte-joined',
					detail: { participantId: 'client-42', role: 'participant', peers: [{ participantId: 'begeleider-42', role: 'host' }] },
				},
			]);
			// It said the new time, and never anything alarming while it waited.
			const said = await messages(page);
			expect(said).toContain(`De activiteit begint om ${hhmm(windows[1]!.startsAt)}. Je komt dan vanzelf binnen.`);
			expect(said.filter((m) => !m.startsWith('De activiteit begint om') && m !== 'Even geduld, we verbinden…')).toEqual([]);
		} finally {
			proxy.refuseJoin = undefined;
			await leader.stop();
		}
	}, 180_000);

	it("waits for the real host's join window and joins by itself when it opens", async () => {
		const page = await openSite();
		// Starts in ~18 s; joining opens at the start (no lead), so the host refuses until then.
		const startsAt = iso(Math.ceil((Date.now() + 18_000) / 1000) * 1000);
		const sessionId = await t.createSession(tenant, {
			title: 'Ochtendgymnastiek',
			schedule: { startsAt, endsAt: iso(Date.parse(startsAt) + 30 * 60_000) },
			lifecycle: { joinLeadSeconds: 0 },
		});
		await mountReady(page, t.host.url, await t.token(tenant, sessionId, 'participant', 'client-46'));
		await page.getByRole('button', { name: 'Meedoen' }).click();
		await page.getByText(`De activiteit begint om ${hhmm(startsAt)}. Je komt dan vanzelf binnen.`).waitFor({ timeout: 30_000 });
		expect(await phase(page)).toBe('waiting');
		expect(await events(page)).toEqual([{ type: 'luwte-not-started', detail: { startsAt, opensAt: startsAt } }]);
		expect(Date.now()).toBeLessThan(Date.parse(startsAt));

		await waitForPhase(page, 'joined', 90_000);
		expect(Date.now()).toBeGreaterThanOrEqual(Date.parse(startsAt));
		expect((await events(page)).map((e) => e.type)).toEqual(['luwte-not-started', 'luwte-joined']);
		expect((await t.api(tenant, 'GET', `/v1/sessions/${sessionId}`)).json.state).toBe('live');
		// In the room, with its own picture: the camera kept running while it waited.
		await page.waitForFunction(
			() =>
				((document.querySelector('luwte-session')!.shadowRoot!.querySelector('.self video') as HTMLVideoElement | null)
					?.videoWidth ?? 0) > 0,
			null,
			{ timeout: 30_000 },
		);
	}, 180_000);

	it('ends calmly for good when the activity is over, cancelled or gone, and tells the page', async () => {
		const page = await openSite();
		const sessionId = await t.createSession(tenant, { title: 'Koffie-uurtje' });
		const token = await t.token(tenant, sessionId, 'participant', 'client-43');
		const cases = [
			{
				code: 'session_cancelled',
				lang: 'nl',
				text: 'Deze activiteit gaat niet door.',
				event: { type: 'luwte-cancelled', detail: {} },
			},
			{ code: 'not_found', lang: 'nl', text: 'Deze activiteit bestaat niet meer.', event: { type: 'luwte-gone', detail: {} } },
			{ code: 'not_found', lang: 'en', text: 'This activity no longer exists.', event: { type: 'luwte-gone', detail: {} } },
		];
		try {
			for (const c of cases) {
				proxy.refuseJoin = () => ({ code: c.code, message: c.code });
				await mountReady(page, proxy.url, token, c.lang);
				const joinsBefore = proxy.joins;
				await page.getByRole('button', { name: c.lang === 'en' ? 'Join' : 'Meedoen' }).click();
				await page.getByText(c.text).waitFor({ timeout: 30_000 });
				expect(await phase(page)).toBe(c.code === 'not_found' ? 'gone' : 'cancelled');
				expect(await events(page)).toEqual([c.event]);
				expect(proxy.joins - joinsBefore).toBe(1);
				expect(await page.getByRole('button').count()).toBe(0);
				expect(await axeViolations(page, 'luwte-session')).toEqual([]);
			}
		} finally {
			proxy.refuseJoin = undefined;
		}
		// The real host refuses a cancelled and an ended activity: final states, not errors.
		const later = Date.now() + 3 * 3600_000;
		const plannedId = await t.createSession(tenant, {
			title: 'Uitje',
			schedule: { startsAt: iso(later), endsAt: iso(later + 3600_000) },
		});
		const plannedToken = await t.token(tenant, plannedId, 'participant', 'client-43');
		expect((await t.api(tenant, 'POST', `/v1/sessions/${plannedId}/cancel`)).status).toBe(200);
		await mountReady(page, t.host.url, plannedToken);
		await page.getByRole('button', { name: 'Meedoen' }).click();
		await page.getByText('Deze activiteit gaat niet door.').waitFor({ timeout: 30_000 });
		expect(await events(page)).toEqual([{ type: 'luwte-cancelled', detail: {} }]);

		expect((await t.api(tenant, 'POST', `/v1/sessions/${sessionId}/end`)).status).toBe(200);
		await mountReady(page, t.host.url, token);
		await page.getByRole('button', { name: 'Meedoen' }).click();
		await page.getByText('De activiteit is afgelopen. Tot de volgende keer!').waitFor({ timeout: 30_000 });
		expect(await phase(page)).toBe('ended');
		expect(await events(page)).toEqual([{ type: 'luwte-ended', detail: { reason: 'ended' } }]);
	}, 180_000);

	it('in the activity: a quiet "stops soon", a host restart it comes back from, and an end it does not', async () => {
		const sessionId = await t.createSession(tenant, { title: 'Samen zingen' });
		const leader = await leaderIn(sessionId, 'begeleider-44');
		try {
			const page = await openSite();
			await mountReady(page, proxy.url, await t.token(tenant, sessionId, 'participant', 'client-44'));
			await page.getByRole('button', { name: 'Meedoen' }).click();
			await waitForStageVideo(page);
			const stage = page.locator('luwte-session .stage');
			const stageBox = await stage.boundingBox();

			// Past its planned end: a quiet notice on the status line; nothing moves.
			const endsAt = iso(Date.now() + 5 * 60_000 + 20_000);
			proxy.notify('sessionEnding', { endsAt, reason: 'overdue' });
			await page.getByText('De activiteit stopt over ongeveer 5 minuten.').waitFor({ timeout: 30_000 });
			expect((await events(page)).at(-1)).toEqual({ type: 'luwte-ending', detail: { endsAt, reason: 'overdue', minutes: 5 } });
			expect(await stage.boundingBox()).toEqual(stageBox);
			expect(await page.locator('luwte-session .message').getAttribute('role')).toBe('status');

			// The host restarts; its first answer after the restart is "not yet" (it is still loading
			// the activity's plan); the element keeps waiting and comes back by itself.
			let refusals = 0;
			const opensAt = iso(Date.now() + 3000);
			proxy.refuseJoin = () =>
				refusals++ === 0 ? { code: 'not_started', message: 'not yet', details: { startsAt: iso(Date.now()), opensAt } } : undefined;
			proxy.notify('disconnected', { reason: 'host-restart' });
			proxy.dropAll();
			await waitFor(async () => (await messages(page)).includes('De verbinding wordt hersteld…'), 30_000, 'the restoring notice');
			await waitForPhase(page, 'reconnecting');
			await waitForPhase(page, 'joined');
			await waitForStageVideo(page);
			expect(refusals).toBeGreaterThanOrEqual(2);
			expect((await events(page)).filter((e) => e.type === 'luwte-error' || e.type === 'luwte-left')).toEqual([]);

			// Restarted again, and now the host no longer knows the activity: a final state, no
			// endless reconnecting.
			proxy.refuseJoin = () => ({ code: 'not_found', message: 'session not found' });
			const joinsBefore = proxy.joins;
			proxy.notify('disconnected', { reason: 'host-restart' });
			proxy.dropAll();
			await page.getByText('Deze activiteit bestaat niet meer.').waitFor({ timeout: 60_000 });
			expect(await phase(page)).toBe('gone');
			expect((await events(page)).at(-1)).toEqual({ type: 'luwte-gone', detail: {} });
			expect(proxy.joins - joinsBefore).toBe(1);
			expect(await axeViolations(page, 'luwte-session')).toEqual([]);

			// Once more in, and the activity ends for being empty too long (as the host says it).
			proxy.refuseJoin = undefined;
			await mountReady(page, proxy.url, await t.token(tenant, sessionId, 'participant', 'client-45'));
			await page.getByRole('button', { name: 'Meedoen' }).click();
			await waitForPhase(page, 'joined');
			proxy.notify('sessionEnded', { reason: 'idle' });
			await page.getByText('De activiteit is afgelopen. Tot de volgende keer!').waitFor({ timeout: 30_000 });
			expect((await events(page)).slice(-2)).toEqual([
				{ type: 'luwte-left', detail: { reason: 'ended' } },
				{ type: 'luwte-ended', detail: { reason: 'idle' } },
			]);
		} finally {
			proxy.refuseJoin = undefined;
			await leader.stop();
		}
	}, 240_000);

	it('comes back by itself after a real host restart, saying calmly that the connection is being restored', async () => {
		// A real `luwte serve` process: SIGTERM drains it (everyone told host-restart), then it starts
		// again on the same ports and data.
		const h = await hostProcess();
		const leaderMedia = fakeMedia(320, 180, 10);
		const leader = new SessionClient({ server: h.url, webrtc, reconnect: true });
		try {
			const allowed = await fetch(`${h.url}/v1/tenants/${h.tenant.id}`, {
				method: 'POST',
				headers: { authorization: 'Bearer lwo_proc', 'content-type': 'application/json' },
				body: JSON.stringify({ allowedOrigins: [new URL(site.url).origin] }),
			});
			expect(allowed.status).toBe(200);
			const sessionId = (await h.api('POST', '/v1/sessions', { title: 'Samen zingen' })).json.id as string;
			const token = async (role: string, participantId: string) =>
				(await h.api('POST', `/v1/sessions/${sessionId}/tokens`, { role, participantId })).json.token as string;
			await leader.connect(await token('host', 'begeleider-47'));
			await leader.publish({ camera: leaderMedia.camera, microphone: leaderMedia.microphone });
			const page = await openSite({ embedFrom: h.url });
			await mountReady(page, h.url, await token('participant', 'client-47'));
			await page.getByRole('button', { name: 'Meedoen' }).click();
			await waitForStageVideo(page);

			expect(await h.stop('SIGTERM')).toBe(0);
			await page.getByText('De verbinding wordt hersteld…').waitFor({ timeout: 30_000 });
			expect(await phase(page)).toBe('reconnecting');
			expect(await axeViolations(page, 'luwte-session')).toEqual([]);
			await h.start();
			await waitForPhase(page, 'joined', 120_000);
			await waitForStageVideo(page);
			expect((await events(page)).map((e) => e.type)).toEqual(['luwte-joined']);
			// One calm message the whole time it was away; never "weg" or "lukt niet".
			expect(await messages(page)).toEqual(['Even geduld, we verbinden…', 'De verbinding wordt hersteld…']);
		} finally {
			leaderMedia.stop();
			await leader.leave();
			await h.stop('SIGKILL');
		}
	}, 240_000);
});
