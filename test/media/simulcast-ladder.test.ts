import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import type { MediaTypes } from '@luwte/engine';
import { SessionClient } from '@luwte/sdk';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, launchChromium, servePage } from '../helpers/chromium.ts';
import { startTestHost, type TestHost } from '../helpers/host.ts';
import { waitFor } from '../helpers/wait.ts';
import { fakeMedia, webrtc } from '../helpers/wrtc-media.ts';

// Cameras of 360p, 480p and 720p publish from Chromium (its fake camera, at the size asked for).
// A greedy viewer must see, and a recording must hold, each camera's own resolution: libwebrtc
// sends only as many simulcast layers as the capture allows, and the SDK's ladder must fit that
// so the top layer is the full picture (before, a 640×360 camera was seen and recorded at 320×180).

const page = `<!doctype html>
<html lang="nl"><head><meta charset="utf-8"><title>Dagbesteding</title></head>
<body><main><video id="remote" autoplay playsinline muted></video></main>
<script type="module">
let client;
// The test holds the camera's top layer back at first, as a browser does until its bandwidth
// estimate allows it (often seconds into a session): the recorder must move up when it comes.
let videoSender;
const addTransceiver = RTCPeerConnection.prototype.addTransceiver;
RTCPeerConnection.prototype.addTransceiver = function (track, init) {
	const held = init?.sendEncodings?.length > 1 ? { ...init, sendEncodings: init.sendEncodings.map((e, i, all) => (i === all.length - 1 ? { ...e, active: false } : e)) } : init;
	const transceiver = addTransceiver.call(this, track, held);
	if (track?.kind === 'video') videoSender = transceiver.sender;
	return transceiver;
};
window.releaseTopLayer = async () => {
	const p = videoSender.getParameters();
	for (const e of p.encodings) e.active = true;
	await videoSender.setParameters(p);
};
window.connect = async (server, token) => {
	const { SessionClient } = await import(server + '/embed/luwte-client.js');
	client = new SessionClient({ server });
	client.on('track', (t) => {
		if (t.kind === 'video') document.getElementById('remote').srcObject = new MediaStream([t.track]);
	});
	await client.connect(token);
};
window.publishCamera = async (width, height) => {
	const media = await navigator.mediaDevices.getUserMedia({ video: { width: { exact: width }, height: { exact: height }, frameRate: 15 } });
	await client.publish({ camera: media.getVideoTracks()[0] });
};
/** What the browser sends per simulcast layer: its picture size, frames and target bitrate. */
window.sent = async () => {
	const out = [];
	(await client.sendStats()).forEach((s) => {
		if (s.type === 'outbound-rtp' && s.kind === 'video')
			out.push({ rid: s.rid ?? '', width: s.frameWidth ?? 0, height: s.frameHeight ?? 0, frames: s.framesSent ?? 0, targetKbps: Math.round((s.targetBitrate ?? 0) / 1000) });
	});
	return out.sort((a, b) => a.rid.localeCompare(b.rid));
};
window.seen = () => {
	const v = document.getElementById('remote');
	return { width: v.videoWidth, height: v.videoHeight, frames: v.getVideoPlaybackQuality().totalVideoFrames };
};
</script></body></html>`;

interface Sent {
	rid: string;
	width: number;
	height: number;
	frames: number;
	targetKbps: number;
}

/** The picture size of an item's video, by ffprobe. */
function probeSize(file: string): { width: number; height: number } {
	const out = execFileSync(
		'ffprobe',
		['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=width,height', '-of', 'csv=p=0:s=x', file],
		{ encoding: 'utf8' },
	).trim();
	const [width, height] = out.split('x').map(Number);
	return { width: width!, height: height! };
}

const cameras = [
	{ name: '360p', width: 640, height: 360, layers: 2 },
	{ name: '480p', width: 640, height: 480, layers: 2 },
	{ name: '720p', width: 1280, height: 720, layers: 3 },
] as const;

describe.skipIf(!chromiumAvailable())('a simulcast ladder that fits the camera', () => {
	let t: TestHost;
	let browser: Browser;
	let site: Awaited<ReturnType<typeof servePage>>;
	const contexts: BrowserContext[] = [];

	beforeAll(async () => {
		site = await servePage(page);
		t = await startTestHost({ allowedOrigins: { a: [new URL(site.url).origin] } });
		browser = await launchChromium();
	});
	afterAll(async () => {
		for (const c of contexts) await c.close().catch(() => undefined);
		await browser?.close();
		await site?.close();
		await t?.close();
	});

	async function open(token: string): Promise<Page> {
		const context = await browser.newContext();
		contexts.push(context);
		context.setDefaultTimeout(60_000);
		const tab = await context.newPage();
		await tab.goto(site.url);
		await tab.evaluate(([server, tok]) => (window as any).connect(server, tok), [t.host.url, token] as const);
		return tab;
	}

	/** One camera end to end: published, seen by a greedy viewer, recorded; what each got. */
	async function run(camera: (typeof cameras)[number], index: number) {
		const tenant = t.tenants[0]!;
		const sessionId = await t.createSession(tenant, { title: `Camera ${camera.name}`, module: 'vaardig-en-creatief' });
		const session = t.host.engine.session(tenant.id, sessionId);
		const leader = `begeleider-${30 + index}`;
		const publisher = await open(await t.token(tenant, sessionId, 'host', leader));
		await publisher.evaluate(([w, h]) => (window as any).publishCamera(w, h), [camera.width, camera.height] as const);
		const viewer = await open(await t.token(tenant, sessionId, 'participant', `client-${60 + index}`, 'greedy'));
		// On the 360p camera also a calm viewer: its profile's layers counted from the top of the
		// two-layer ladder, so it starts on the "half" (320×180), not on the full picture.
		const calm = index === 0 ? await open(await t.token(tenant, sessionId, 'participant', 'client-70', 'calm')) : undefined;

		// The recording starts while the browser sends only the lower layers; then the top one comes.
		const cameraStats = async () => (await session.producerStats(leader)).find((p) => p.source === 'camera');
		await waitFor(
			async () => ((await cameraStats())?.layers ?? []).some((l) => l.packetCount > 0),
			60_000,
			`${camera.name}: camera packets`,
		);
		// The recorder's consumers (on plain transports of the session's router), to see which layer it writes.
		const recorderVideo: MediaTypes.Consumer[] = [];
		(await session.mediaRouter()).observer.on('newtransport', (tr) => {
			if (tr.type === 'plain') tr.observer.on('newconsumer', (c) => c.kind === 'video' && recorderVideo.push(c));
		});
		const started = await t.api(tenant, 'POST', `/v1/sessions/${sessionId}/recording`);
		expect(started.status, JSON.stringify(started.json)).toBe(201);
		await waitFor(() => session.recordingStatus().recorded.includes(leader), 30_000, `${camera.name}: the recorder running`);
		const before = (await publisher.evaluate(() => (window as any).sent())) as Sent[];
		expect(before.at(-1)!.frames, `${camera.name}: the top layer held back`).toBe(0);
		await publisher.evaluate(() => (window as any).releaseTopLayer());

		// The browser sends every layer of the ladder, the top one at the camera's full size.
		let sent: Sent[] = [];
		await waitFor(
			async () => {
				sent = await publisher.evaluate(() => (window as any).sent());
				return sent.length === camera.layers && sent.every((s) => s.frames > 0 && s.width > 0);
			},
			60_000,
			`${camera.name}: every layer sending`,
		);
		const top = sent.at(-1)!;
		expect([top.width, top.height]).toEqual([camera.width, camera.height]);
		expect(sent.map((s) => [s.width, s.height])).toEqual(
			sent.map((_, i) => [camera.width / 2 ** (camera.layers - 1 - i), camera.height / 2 ** (camera.layers - 1 - i)]),
		);

		// The server receives the full layer, and it carries clearly more than the smallest one (the
		// browser's own count puts its probing padding on the smallest: docs/abr.md).
		let server = (await cameraStats())!;
		await waitFor(
			async () => {
				server = (await cameraStats())!;
				const rate = (rid: string) => server.layers.find((l) => l.rid === rid)?.bitrate ?? 0;
				return rate(top.rid) > 1.5 * rate(sent[0]!.rid);
			},
			60_000,
			`${camera.name}: the full layer carrying 1.5 times the smallest`,
		);
		expect(server.encodings).toBe(camera.layers);

		// The greedy viewer decodes the camera's own resolution.
		let seen = { width: 0, height: 0, frames: 0 };
		await waitFor(
			async () => {
				seen = await viewer.evaluate(() => (window as any).seen());
				return seen.width === camera.width && seen.height === camera.height;
			},
			60_000,
			`${camera.name}: the viewer seeing ${camera.width}×${camera.height}`,
		);
		const framesThen = seen.frames;
		await waitFor(
			async () => ((await viewer.evaluate(() => (window as any).seen())) as typeof seen).frames > framesThen + 15,
			30_000,
			`${camera.name}: the viewer's frames advancing`,
		);
		const status = session.abrStatus().find((s) => s.sender === leader && s.profile === 'greedy');
		const calmStatus = calm ? session.abrStatus().find((s) => s.sender === leader && s.profile === 'calm') : undefined;

		// The recording follows the browser to the full layer and holds it past a segment start (the
		// item's size is the largest first picture of its sampled segments), then becomes an item.
		await waitFor(
			() => recorderVideo.some((c) => !c.closed && c.currentLayers?.spatialLayer === camera.layers - 1),
			60_000,
			`${camera.name}: the recorder on the full layer`,
		);
		const segments = () => readdirSync(t.dataDir, { recursive: true }).filter((f) => /seg-\d{5}\.mkv$/.test(String(f))).length;
		const segmentsThen = segments();
		await waitFor(() => segments() > segmentsThen, 60_000, `${camera.name}: a segment begun on the full layer`);
		const stopped = await t.api(tenant, 'POST', `/v1/sessions/${sessionId}/recording/stop`);
		expect(stopped.status, JSON.stringify(stopped.json)).toBe(200);
		const done = await t.host.recordings.whenProcessed(stopped.json.recordingId);
		expect(done.error).toBeUndefined();
		const item = await t.host.library.get(tenant.id, done.itemId!);
		const recorded = probeSize(t.host.library.filePath(item, 'media')!);
		for (const tab of [publisher, viewer, calm]) await tab?.context().close();
		return { camera, sent, server, seen, status, calmStatus, recorded };
	}

	it('sends, shows and records 360p, 480p and 720p cameras at their full resolution', async () => {
		// One camera at a time: Chromium's fake camera is one device for the whole browser (a second
		// size asked for at once may change the first one's), and a busy machine's CPU adaptation
		// would take the top layer away from three encoders at once.
		const results = [];
		for (const [i, c] of cameras.entries()) results.push(await run(c, i));
		for (const r of results) {
			const layers = r.server.layers.map((l) => `${l.rid}:${Math.round(l.bitrate / 1000)}kbit/s`).join(' ');
			console.log(
				`[ladder] ${r.camera.name}: sent ${r.sent.map((s) => `${s.rid} ${s.width}x${s.height} target ${s.targetKbps}`).join(', ')}; ` +
					`server ${layers}; viewer ${r.seen.width}x${r.seen.height} (greedy on layer ${r.status?.serverCurrent?.spatial}); recorded ${r.recorded.width}x${r.recorded.height}` +
					(r.calmStatus ? `; calm viewer started on layer ${r.calmStatus.startLayer.spatial}` : ''),
			);
			expect(r.status?.preferred.spatial, `${r.camera.name}: greedy asks for the top layer`).toBe(r.camera.layers - 1);
			expect(r.recorded, `${r.camera.name}: the item`).toEqual({ width: r.camera.width, height: r.camera.height });
		}
		expect(results[0]!.calmStatus?.startLayer).toEqual({ spatial: 0, temporal: 2 });
	}, 150_000);

	it('fits the ladder again when another camera is published in place of the first', async () => {
		const tenant = t.tenants[0]!;
		const sessionId = await t.createSession(tenant, { title: 'Andere camera' });
		const session = t.host.engine.session(tenant.id, sessionId);
		const client = new SessionClient({ server: t.host.url, webrtc });
		const sources = [fakeMedia(640, 360), fakeMedia(1280, 720), fakeMedia(320, 180)];
		try {
			await client.connect(await t.token(tenant, sessionId, 'host', 'begeleider-40'));
			const layersOf = async () => (await session.producerStats('begeleider-40')).find((p) => p.source === 'camera')?.encodings;
			const counts: (number | undefined)[] = [];
			for (const media of sources) {
				if (counts.length > 0) await client.unpublish('camera');
				await client.publish({ camera: media.camera });
				counts.push(await layersOf());
			}
			// 360p: two layers; 720p: three; 320×180: one plain stream.
			expect(counts).toEqual([2, 3, 1]);
		} finally {
			for (const m of sources) m.stop();
			await client.leave().catch(() => undefined);
		}
	}, 60_000);
});
