import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, chromiumPath, launchChromium, servePage } from '../helpers/chromium.ts';
import { startTestHost, type TestHost, type TestTenant } from '../helpers/host.ts';
import { startSignalProxy, type SignalProxy } from '../helpers/signal-proxy.ts';

// What <luwte-session> tells the page that embeds it (issue 15 part 2): a care provider's page
// listens to every luwte-… event and the test reads the sequence. The begeleider's page signals
// through a proxy that can close its WebSocket as a host would (a reconnect); the client's page
// and a viewer's page reach the real host directly.

const EVENTS = [
	'luwte-joined',
	'luwte-left',
	'luwte-error',
	'luwte-not-started',
	'luwte-ending',
	'luwte-ended',
	'luwte-cancelled',
	'luwte-gone',
	'luwte-participant-joined',
	'luwte-participant-left',
	'luwte-reconnecting',
	'luwte-reconnected',
	'luwte-recording-changed',
	'luwte-audience-changed',
	'luwte-device-problem',
];

interface Logged {
	type: string;
	detail: any;
	/** Where the page heard it: on `document` (it bubbled and crossed the page's own shadow root). */
	heardOn: string;
}

let hostUrl = '';
// The element sits inside the page's own component's shadow root (as a framework would put it):
// the page listens on `document`, so every event must bubble and be composed to be heard at all.
const providerPage = () => `<!doctype html>
<html lang="nl"><head><meta charset="utf-8"><title>Zorgaanbieder — digitale dagbesteding</title>
<script type="module" src="${hostUrl}/embed/luwte.js"></script></head>
<body><main><h1>Samen koken</h1><div id="app"></div></main>
<script>
window.events = [];
for (const n of ${JSON.stringify(EVENTS)}) {
	document.addEventListener(n, (e) => window.events.push({ type: n, detail: e.detail, heardOn: e.target.id || e.target.localName }));
}
const app = document.getElementById('app').attachShadow({ mode: 'open' });
window.mount = (server, token) => {
	const el = document.createElement('luwte-session');
	el.setAttribute('server', server);
	el.token = token;
	app.append(el);
	window.el = el;
};
</script></body></html>`;

const events = (page: Page) => page.evaluate(() => (window as any).events as Logged[]);
const types = async (page: Page) => (await events(page)).map((e) => e.type);

/** Waits until the page has heard an event matching `pred`; returns it. */
async function heard(page: Page, what: string, pred: (e: Logged) => boolean, timeout = 60_000): Promise<Logged> {
	const deadline = Date.now() + timeout;
	for (let i = 0; Date.now() < deadline && i < 10_000; i++) {
		const found = (await events(page)).find(pred);
		if (found) return found;
		await page.waitForTimeout(100);
	}
	throw new Error(`timed out waiting for ${what}; heard: ${JSON.stringify(await events(page))}`);
}

describe.skipIf(!chromiumAvailable())('<luwte-session> events for the embedding page', () => {
	let t: TestHost;
	let tenant: TestTenant;
	let browser: Browser;
	let site: Awaited<ReturnType<typeof servePage>>;
	let proxy: SignalProxy;
	const contexts: BrowserContext[] = [];
	const browsers: Browser[] = [];

	beforeAll(async () => {
		site = await servePage(providerPage);
		t = await startTestHost({ allowedOrigins: { a: [new URL(site.url).origin] } });
		tenant = t.tenants[0]!;
		hostUrl = t.host.url;
		proxy = await startSignalProxy(t.host.url);
		browser = await launchChromium();
	});
	afterEach(async () => {
		for (const c of contexts.splice(0)) await c.close();
	});
	afterAll(async () => {
		for (const b of browsers) await b.close();
		await browser?.close();
		await proxy?.close();
		await site?.close();
		await t?.close();
	});

	/** Chromium without the fake permission prompt: only what a context grants is allowed, as a person would answer. */
	let asking: Browser | undefined;
	async function askingBrowser(): Promise<Browser> {
		asking ??= await chromium.launch({
			executablePath: chromiumPath,
			headless: true,
			args: [
				'--headless',
				'--no-sandbox',
				'--disable-gpu',
				'--disable-quic',
				'--no-first-run',
				'--disable-background-networking',
				'--disable-component-update',
				'--disable-sync',
				'--use-fake-device-for-media-stream',
				'--allow-loopback-in-peer-connection',
			],
		});
		browsers.push(asking);
		return asking;
	}

	async function openSite(b: Browser = browser, permissions?: string[]): Promise<Page> {
		const context = await b.newContext({ viewport: { width: 1000, height: 900 }, ...(permissions ? { permissions } : {}) });
		contexts.push(context);
		context.setDefaultTimeout(60_000);
		const page = await context.newPage();
		await page.goto(site.url);
		await page.waitForFunction(() => customElements.get('luwte-session') !== undefined);
		return page;
	}

	async function joinAs(server: string, token: string, b?: Browser, permissions?: string[]): Promise<Page> {
		const page = await openSite(b, permissions);
		await page.evaluate(([s, tok]) => (window as any).mount(s, tok), [server, token] as const);
		await page.waitForFunction(() => {
			const bt = (window as any).el.shadowRoot.querySelector('button.join') as HTMLButtonElement | null;
			return bt !== null && !bt.disabled;
		});
		await page.locator('luwte-session').getByRole('button', { name: 'Meedoen' }).click();
		await page.waitForFunction(() => (window as any).el.phase === 'joined', null, { timeout: 60_000 });
		return page;
	}

	it('tells who comes and goes, the recording and consent, the audience, a reconnect and the end, in order', async () => {
		const sessionId = await t.createSession(tenant, { title: 'Samen koken', module: 'vaardig-en-creatief' });
		const token = (role: string, id: string) => t.token(tenant, sessionId, role, id);
		const hostPage = await joinAs(proxy.url, await token('host', 'begeleider-1'));
		const btn = (page: Page, name: string) => page.locator('luwte-session').getByRole('button', { name, exact: true });
		await heard(hostPage, 'the first audience count', (e) => e.type === 'luwte-audience-changed');

		// A client joins: the begeleider hears of them; the client's page learns who was there.
		const clientPage = await joinAs(t.host.url, await token('participant', 'client-1'));
		await heard(hostPage, 'the client arriving', (e) => e.type === 'luwte-participant-joined');
		// A viewer: the begeleider gets a number, never the viewer; the client hears nothing at all.
		const viewerPage = await joinAs(t.host.url, await token('viewer', 'kijker-1'));
		{
			await heard(hostPage, 'one viewer', (e) => e.type === 'luwte-audience-changed' && e.detail.viewers === 1);

			// The begeleider records; the client joins the recording, with one confirmation.
			await btn(hostPage, 'Opname starten').click();
			await heard(hostPage, 'recording on', (e) => e.type === 'luwte-recording-changed' && e.detail.active);
			await heard(clientPage, 'recording on', (e) => e.type === 'luwte-recording-changed' && e.detail.active);
			await btn(clientPage, 'Ik doe mee met de opname').click();
			await btn(clientPage, 'Ja, neem mij op').click();
			await heard(clientPage, 'own consent', (e) => e.type === 'luwte-recording-changed' && e.detail.consent && e.detail.you);
			await heard(
				hostPage,
				'the client recorded',
				(e) =>
					e.type === 'luwte-recording-changed' &&
					e.detail.recorded.includes('client-1') &&
					e.detail.consented.includes('client-1'),
			);
			await btn(hostPage, 'Opname stoppen').click();
			await btn(hostPage, 'Ja, opname stoppen').click();
			for (const page of [hostPage, clientPage]) {
				await heard(
					page,
					'recording off',
					(e) => e.type === 'luwte-recording-changed' && !e.detail.active && e.detail.changed.includes('active'),
				);
			}

			// The begeleider's WebSocket is closed from the server's side: the element rejoins by itself.
			const before = (await events(hostPage)).length;
			proxy.dropAll();
			await heard(hostPage, 'reconnecting', (e) => e.type === 'luwte-reconnecting');
			await heard(hostPage, 'reconnected', (e) => e.type === 'luwte-reconnected');
			await hostPage.waitForFunction(() => (window as any).el.phase === 'joined');
			const around = (await events(hostPage)).slice(before);
			expect(around[0]).toMatchObject({ type: 'luwte-reconnecting', detail: { attempt: 1, delayMs: expect.any(Number) } });
			const back = around.find((e) => e.type === 'luwte-reconnected')!;
			expect(back.detail).toEqual({
				attempt: expect.any(Number),
				participantId: 'begeleider-1',
				role: 'host',
				peers: [{ participantId: 'client-1', role: 'participant' }],
			});
			// Nobody came or went for the page: the client was there before and after; no viewer is named.
			expect(around.filter((e) => e.type.startsWith('luwte-participant-'))).toEqual([]);

			// The viewer and then the client leave.
			await viewerPage.evaluate(() => (window as any).el.leave());
			await heard(hostPage, 'no viewers', (e) => e.type === 'luwte-audience-changed' && e.detail.viewers === 0, 60_000);
		}
		await clientPage.evaluate(() => (window as any).el.leave());
		await heard(hostPage, 'the client leaving', (e) => e.type === 'luwte-participant-left');

		// The begeleider ends the activity (two steps).
		await btn(hostPage, 'Activiteit beëindigen').click();
		await btn(hostPage, 'Ja, nu beëindigen').click();
		await heard(hostPage, 'ended', (e) => e.type === 'luwte-ended');

		const atHost = await events(hostPage);
		const atClient = await events(clientPage);
		console.log(`[element-events] host heard: ${JSON.stringify(atHost.map((e) => [e.type, e.detail]))}`);
		console.log(`[element-events] client heard: ${JSON.stringify(atClient.map((e) => [e.type, e.detail]))}`);
		// Every event reached the page's document from inside its component, retargeted to it.
		expect(new Set([...atHost, ...atClient].map((e) => e.heardOn))).toEqual(new Set(['app']));

		// The begeleider's sequence, recording updates folded (the server may send one per change).
		const fold = (list: string[]) => list.filter((ty, i) => !(ty === 'luwte-recording-changed' && list[i - 1] === ty));
		expect(fold(await types(hostPage))).toEqual([
			'luwte-joined',
			'luwte-audience-changed', // 0
			'luwte-participant-joined', // client-1
			'luwte-audience-changed', // 1
			'luwte-recording-changed', // on, then the client in it, then off
			'luwte-reconnecting',
			'luwte-reconnected',
			'luwte-audience-changed', // 0
			'luwte-participant-left', // client-1
			'luwte-left',
			'luwte-ended',
		]);
		expect(atHost[0]).toEqual({
			type: 'luwte-joined',
			detail: { participantId: 'begeleider-1', role: 'host', peers: [] },
			heardOn: 'app',
		});
		expect(
			atHost.filter((e) => e.type === 'luwte-participant-joined' || e.type === 'luwte-participant-left').map((e) => e.detail),
		).toEqual([
			{ participantId: 'client-1', role: 'participant' },
			{ participantId: 'client-1', role: 'participant' },
		]);
		expect(atHost.filter((e) => e.type === 'luwte-audience-changed').map((e) => e.detail.viewers)).toEqual([0, 1, 0]);
		const recAtHost = atHost.filter((e) => e.type === 'luwte-recording-changed').map((e) => e.detail);
		expect(recAtHost[0]).toMatchObject({ active: true, consent: true });
		expect(recAtHost[0].changed).toContain('active');
		expect(recAtHost).toContainEqual(expect.objectContaining({ active: true, you: true, recorded: ['begeleider-1', 'client-1'] }));
		// Back after the reconnect with the recording stopped: nothing new to tell (a host's consent stays).
		expect(recAtHost.at(-1)).toMatchObject({ consent: true });
		expect(recAtHost.at(-1)).toMatchObject({ active: false, you: false, recorded: [] });
		expect(recAtHost.at(-1).changed).toContain('active');
		expect(atHost.slice(-2)).toEqual([
			{ type: 'luwte-left', detail: { reason: 'ended' }, heardOn: 'app' },
			{ type: 'luwte-ended', detail: { reason: 'ended' }, heardOn: 'app' },
		]);

		// The client: the begeleider was there already; the begeleider's reconnect is a leave and a
		// join as the server tells it; never a viewer, never an audience count.
		const clientTypes = fold(await types(clientPage));
		expect(atClient[0]).toEqual({
			type: 'luwte-joined',
			detail: { participantId: 'client-1', role: 'participant', peers: [{ participantId: 'begeleider-1', role: 'host' }] },
			heardOn: 'app',
		});
		expect(clientTypes).not.toContain('luwte-audience-changed');
		expect(JSON.stringify(atClient)).not.toContain('kijker');
		expect(JSON.stringify(atHost)).not.toContain('kijker');
		const recAtClient = atClient.filter((e) => e.type === 'luwte-recording-changed').map((e) => e.detail);
		expect(recAtClient[0]).toEqual({ active: true, you: false, consent: false, recorded: [], consented: [], changed: ['active'] });
		// Consent and being written may come as one change or two.
		expect(recAtClient).toContainEqual(
			expect.objectContaining({ active: true, you: true, consent: true, recorded: [], consented: [] }),
		);
		expect(recAtClient.some((d) => d.changed.includes('consent'))).toBe(true);
		expect(recAtClient.at(-1)).toMatchObject({ active: false, recorded: [], consented: [] });
		expect(clientTypes.at(-1)).toBe('luwte-left');
		// The viewer knows of the begeleider only (whose media reaches viewers), never of the client at
		// home, of other viewers or of the audience; it sees the recording indicator as everyone does.
		const atViewer = await events(viewerPage);
		console.log(`[element-events] viewer heard: ${JSON.stringify(atViewer.map((e) => [e.type, e.detail]))}`);
		expect(atViewer[0]!.detail).toEqual({
			participantId: 'kijker-1',
			role: 'viewer',
			peers: [{ participantId: 'begeleider-1', role: 'host' }],
		});
		expect(JSON.stringify(atViewer)).not.toContain('client-1');
		expect(atViewer.map((e) => e.type)).not.toContain('luwte-audience-changed');
		expect(atViewer.filter((e) => e.type.startsWith('luwte-participant-')).map((e) => e.detail.participantId)).toEqual(
			atViewer.filter((e) => e.type.startsWith('luwte-participant-')).map(() => 'begeleider-1'),
		);
		expect(atViewer.at(-1)).toEqual({ type: 'luwte-left', detail: { reason: 'left' }, heardOn: 'app' });
		expect(atClient.at(-1)!.detail).toEqual({ reason: 'left' });
		expect(clientTypes.filter((ty) => ty === 'luwte-device-problem' || ty === 'luwte-error')).toEqual([]);
	}, 300_000);

	it('tells the page when the camera is refused (only the microphone allowed), joins without it, and when the microphone is taken back', async () => {
		// A browser that answers permission questions as a person would: only the microphone is allowed.
		const asking = await askingBrowser();
		const sessionId = await t.createSession(tenant, { title: 'Samen zingen' });
		const page = await joinAs(t.host.url, await t.token(tenant, sessionId, 'participant', 'client-2'), asking, ['microphone']);
		const problems = (await events(page)).filter((e) => e.type === 'luwte-device-problem');
		expect(problems).toEqual([
			{
				type: 'luwte-device-problem',
				detail: { device: 'camera', problem: 'denied', during: 'check', error: 'NotAllowedError' },
				heardOn: 'app',
			},
		]);
		// Joined all the same, heard but not seen.
		expect((await types(page)).filter((ty) => ty !== 'luwte-device-problem')).toEqual(['luwte-joined']);

		// The person takes the microphone permission back while in the room: Chromium ends the track.
		await page.context().clearPermissions();
		const lost = await heard(page, 'the microphone lost', (e) => e.type === 'luwte-device-problem' && e.detail.problem === 'lost');
		expect(lost.detail).toEqual({ device: 'microphone', problem: 'lost', during: 'session' });
		expect(await page.evaluate(() => (window as any).el.phase)).toBe('joined');
	}, 180_000);

	it('tells the page when there is no microphone (not found), and when the camera is lost in the room', async () => {
		const context = await (await askingBrowser()).newContext({ permissions: ['camera', 'microphone'] });
		contexts.push(context);
		context.setDefaultTimeout(60_000);
		await context.addInitScript(() => {
			const real = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
			navigator.mediaDevices.getUserMedia = async (c) => {
				if (c?.audio) throw new DOMException('Requested device not found', 'NotFoundError');
				return real(c);
			};
		});
		const page = await context.newPage();
		await page.goto(site.url);
		await page.waitForFunction(() => customElements.get('luwte-session') !== undefined);
		const sessionId = await t.createSession(tenant, { title: 'Samen lezen' });
		await page.evaluate(([s, tok]) => (window as any).mount(s, tok), [
			t.host.url,
			await t.token(tenant, sessionId, 'participant', 'client-3'),
		] as const);
		const missing = await heard(page, 'no microphone', (e) => e.type === 'luwte-device-problem');
		expect(missing.detail).toEqual({ device: 'microphone', problem: 'not-found', during: 'check', error: 'NotFoundError' });
		await page.locator('luwte-session').getByRole('button', { name: 'Meedoen' }).click();
		await page.waitForFunction(() => (window as any).el.phase === 'joined');

		// The camera goes away while in the room: its permission is taken back, and Chromium ends the track.
		await context.clearPermissions();
		const lost = await heard(page, 'the camera lost', (e) => e.type === 'luwte-device-problem' && e.detail.problem === 'lost');
		expect(lost.detail).toEqual({ device: 'camera', problem: 'lost', during: 'session' });
		expect((await types(page)).filter((ty) => ty === 'luwte-device-problem')).toHaveLength(2);
		expect(await page.evaluate(() => (window as any).el.phase)).toBe('joined');
	}, 180_000);

	it('tells the page when it cannot ask for devices at all (no getUserMedia, as on a page without HTTPS)', async () => {
		const context = await browser.newContext();
		contexts.push(context);
		context.setDefaultTimeout(60_000);
		await context.addInitScript(() => Object.defineProperty(navigator, 'mediaDevices', { value: undefined }));
		const page = await context.newPage();
		await page.goto(site.url);
		await page.waitForFunction(() => customElements.get('luwte-session') !== undefined);
		const sessionId = await t.createSession(tenant, { title: 'Samen puzzelen' });
		await page.evaluate(([s, tok]) => (window as any).mount(s, tok), [
			t.host.url,
			await t.token(tenant, sessionId, 'participant', 'client-5'),
		] as const);
		await heard(page, 'both devices', (e) => e.type === 'luwte-device-problem' && e.detail.device === 'microphone');
		expect((await events(page)).map((e) => e.detail)).toEqual([
			{ device: 'camera', problem: 'unsupported', during: 'check' },
			{ device: 'microphone', problem: 'unsupported', during: 'check' },
		]);
	}, 120_000);

	it('SessionClient in a browser: localTrackEnded when a published track ends by itself', async () => {
		const page = await openSite(await askingBrowser(), ['camera', 'microphone']);
		const sessionId = await t.createSession(tenant, { title: 'Samen tekenen' });
		const tok = await t.token(tenant, sessionId, 'participant', 'client-4');
		// As a string: vitest would rewrite a dynamic import() inside a function for Node.
		await page.evaluate(`(async () => {
			const { SessionClient } = await import(${JSON.stringify(`${t.host.url}/embed/luwte-client.js`)});
			const client = new SessionClient({ server: ${JSON.stringify(t.host.url)} });
			window.client = client;
			window.ended = [];
			client.on('localTrackEnded', (e) => window.ended.push(e));
			await client.connect(${JSON.stringify(tok)});
			const stream = await navigator.mediaDevices.getUserMedia({ video: true, audio: true });
			await client.publish({ camera: stream.getVideoTracks()[0], microphone: stream.getAudioTracks()[0] });
			// Stopping a track oneself is no loss: no event for the camera.
			stream.getVideoTracks()[0].stop();
		})()`);
		// The person takes the permissions back: Chromium ends the microphone's track.
		await page.context().clearPermissions();
		await page.waitForFunction(() => (window as any).ended.length > 0);
		await page.evaluate(() => (window as any).client.leave());
		expect(await page.evaluate(() => (window as any).ended)).toEqual([{ source: 'microphone', kind: 'audio' }]);
	}, 120_000);
});
