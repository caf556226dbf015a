import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { SessionClient } from '@luwte/sdk';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, launchChromium, servePage } from '../helpers/chromium.ts';
import { startTestHost, type TestHost } from '../helpers/host.ts';
import { fakeMedia, waitFor, watchRemoteMedia, webrtc } from '../helpers/wrtc-media.ts';

// A page on another origin loads the SDK bundle from the host, joins with Chromium's fake
// camera and microphone, and exchanges media with an independent libwebrtc client.
const page = `<!doctype html>
<html lang="nl"><head><meta charset="utf-8"><title>Dagbesteding</title></head>
<body>
<main><video id="remote" autoplay playsinline muted width="320" height="180"></video></main>
<script type="module">
window.luwte = { state: 'idle', frames: 0 };
window.join = async (server, token) => {
	const { SessionClient } = await import(server + '/embed/luwte-client.js');
	const client = new SessionClient({ server });
	window.luwte.client = client;
	const media = await navigator.mediaDevices.getUserMedia({ video: { width: 1280, height: 720, frameRate: 15 }, audio: true });
	client.on('track', (t) => {
		if (t.kind !== 'video') {
			const a = new Audio();
			a.srcObject = new MediaStream([t.track]);
			return;
		}
		const v = document.getElementById('remote');
		v.srcObject = new MediaStream([t.track]);
		const count = () => { window.luwte.frames++; v.requestVideoFrameCallback(count); };
		v.requestVideoFrameCallback(count);
	});
	await client.connect(token);
	await client.publish({ camera: media.getVideoTracks()[0], microphone: media.getAudioTracks()[0] });
	window.luwte.state = 'joined';
};
window.inbound = async () => {
	const out = { video: 0, audio: 0 };
	(await window.luwte.client.receiveStats()).forEach((s) => {
		if (s.type === 'inbound-rtp') out[s.kind] += s.bytesReceived;
	});
	return out;
};
</script>
</body></html>`;

describe.skipIf(!chromiumAvailable())('Chromium client', () => {
	let t: TestHost;
	let browser: Browser;
	let site: Awaited<ReturnType<typeof servePage>>;
	beforeAll(async () => {
		site = await servePage(page);
		t = await startTestHost({ allowedOrigins: { a: [new URL(site.url).origin] } });
		browser = await launchChromium();
	});
	afterAll(async () => {
		await browser?.close();
		await site?.close();
		await t?.close();
	});

	it('exchanges video and audio with a libwebrtc client through the SFU', async () => {
		const tenant = t.tenants[0]!;
		const sessionId = await t.createSession(tenant, { title: 'Creatief met klei' });
		const host = new SessionClient({ server: t.host.url, webrtc });
		const hostMedia = fakeMedia();
		const atHost = watchRemoteMedia(host);
		const context = await browser.newContext({ viewport: { width: 640, height: 400 } });
		const tab = await context.newPage();
		try {
			await host.connect(await t.token(tenant, sessionId, 'host', 'begeleider-2'));
			await host.publish({ camera: hostMedia.camera, microphone: hostMedia.microphone });

			await tab.goto(site.url);
			const token = await t.token(tenant, sessionId, 'participant', 'client-12');
			await tab.evaluate(([server, tok]) => (window as any).join(server, tok), [t.host.url, token] as const);

			// Chromium decodes the host's video: frames keep advancing, audio bytes grow.
			await tab.waitForFunction(() => (document.getElementById('remote') as HTMLVideoElement).videoWidth > 0, null, {
				timeout: 60_000,
			});
			const f1 = await tab.evaluate(() => (window as any).luwte.frames as number);
			const in1 = await tab.evaluate(() => (window as any).inbound());
			// Until frames and bytes have clearly advanced (a busy machine may take a while), not a fixed time.
			const advanced = async () => {
				const now = await tab.evaluate(() => (window as any).inbound());
				return (
					(await tab.evaluate(() => (window as any).luwte.frames as number)) > f1 + 5 &&
					now.audio > in1.audio &&
					now.video > in1.video
				);
			};
			for (const t0 = Date.now(); !(await advanced()); await new Promise((r) => setTimeout(r, 250))) {
				if (Date.now() - t0 > 60_000) throw new Error('timed out waiting for frames and bytes to advance in Chromium');
			}
			const f2 = await tab.evaluate(() => (window as any).luwte.frames as number);
			const in2 = await tab.evaluate(() => (window as any).inbound());
			expect(f2).toBeGreaterThan(f1 + 5);
			expect(in2.audio).toBeGreaterThan(in1.audio);
			expect(in2.video).toBeGreaterThan(in1.video);

			// The libwebrtc host decodes Chromium's camera and receives its microphone.
			await waitFor(
				() =>
					(atHost.of('client-12', 'camera')?.videoFrames ?? 0) > 20 &&
					(atHost.of('client-12', 'microphone')?.audioChunks ?? 0) > 50,
				60_000,
				"the browser's video and audio at the host",
			);
			expect(atHost.of('client-12', 'camera')!.width).toBeGreaterThan(0);

			// A 720p camera goes out as three spatial layers, all reaching the server.
			const session = t.host.engine.session(tenant.id, sessionId);
			const cam = (await session.producerStats('client-12')).find((p) => p.source === 'camera')!;
			expect(cam.encodings).toBe(3);
			expect(cam.layers.filter((l) => l.packetCount > 0)).toHaveLength(3);

			const outDir = join(import.meta.dirname, '..', '..', 'test-output');
			await mkdir(outDir, { recursive: true });
			await tab.screenshot({ path: join(outDir, 'browser-client.png') });
		} finally {
			atHost.stop();
			hostMedia.stop();
			await host.leave();
			await context.close();
		}
	}, 240_000);
});
