import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { recordingManifestSchema } from '@luwte/engine/recording';
import { SessionClient } from '@luwte/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { markedMedia, type MarkedMediaOptions } from '../helpers/av-source.ts';
import { startTestHost, type TestHost } from '../helpers/host.ts';
import { waitFor } from '../helpers/wait.ts';
import { webrtc } from '../helpers/wrtc-media.ts';

// End to end: a live session recorded through the real engine (mediasoup, ffmpeg), post-processed
// into a library item, and the item measured with ffmpeg's own tools, not with the pipeline's.

/** Integrated loudness and true peak of a file, by ffmpeg's ebur128 filter (its summary on stderr). */
function loudness(file: string): { integrated: number; truePeak: number } {
	const r = spawnSync('ffmpeg', ['-hide_banner', '-nostats', '-i', file, '-filter_complex', 'ebur128=peak=true', '-f', 'null', '-'], {
		encoding: 'utf8',
		maxBuffer: 64 << 20,
	});
	const summary = r.stderr.slice(r.stderr.lastIndexOf('Summary:'));
	return {
		integrated: Number(/I:\s+(-?[\d.]+) LUFS/.exec(summary)?.[1]),
		truePeak: Number(/Peak:\s+(-?[\d.]+) dBFS/.exec(summary)?.[1]),
	};
}

function probe(file: string): { duration: number; audioStart: number; videoStart: number } {
	const out = JSON.parse(
		execFileSync('ffprobe', ['-v', 'error', '-show_entries', 'format=duration:stream=codec_type,start_time', '-of', 'json', file], {
			encoding: 'utf8',
		}),
	) as { format: { duration: string }; streams: { codec_type: string; start_time: string }[] };
	const start = (type: string) => Number(out.streams.find((s) => s.codec_type === type)?.start_time);
	return { duration: Number(out.format.duration), audioStart: start('audio'), videoStart: start('video') };
}

/** Moments (s) the marker box turns white in the picture (top-left corner of a 16:9 frame). */
function videoMarkers(file: string): number[] {
	const w = 64;
	const h = 36;
	const raw = execFileSync('ffmpeg', ['-v', 'error', '-i', file, '-vf', `scale=${w}:${h},format=gray`, '-f', 'rawvideo', '-'], {
		maxBuffer: 256 << 20,
	});
	const fps = 25;
	const rate = Number(
		execFileSync('ffprobe', ['-v', 'error', '-select_streams', 'v', '-show_entries', 'stream=avg_frame_rate', '-of', 'csv=p=0', file], {
			encoding: 'utf8',
		})
			.trim()
			.split('/')
			.reduce((a, b) => String(Number(a) / Number(b))),
	);
	const frameRate = Number.isFinite(rate) && rate > 0 ? rate : fps;
	const onsets: number[] = [];
	let was = false;
	for (let f = 0; f * w * h < raw.length; f++) {
		let sum = 0;
		// The box is the top-left sixth of the height; sample well inside it.
		for (let y = 1; y < 4; y++) for (let x = 1; x < 4; x++) sum += raw[f * w * h + y * w + x]!;
		const white = sum / 9 > 128;
		if (white && !was) onsets.push(f / frameRate);
		was = white;
	}
	return onsets;
}

/** Moments (s) the tone gets loud (10 ms RMS windows). */
function audioMarkers(file: string): number[] {
	const rate = 8000;
	const raw = execFileSync('ffmpeg', ['-v', 'error', '-i', file, '-ac', '1', '-ar', String(rate), '-f', 's16le', '-'], {
		maxBuffer: 256 << 20,
	});
	const pcm = new Int16Array(raw.buffer, raw.byteOffset, Math.floor(raw.length / 2));
	const win = rate / 100;
	const rms: number[] = [];
	for (let i = 0; i + win <= pcm.length; i += win) {
		let s = 0;
		for (let j = 0; j < win; j++) s += pcm[i + j]! ** 2;
		rms.push(Math.sqrt(s / win));
	}
	const sorted = rms.toSorted((a, b) => a - b);
	const threshold = (sorted[Math.floor(sorted.length * 0.5)]! + sorted[Math.floor(sorted.length * 0.98)]!) / 2;
	const onsets: number[] = [];
	let was = false;
	rms.forEach((v, i) => {
		const loud = v > threshold;
		if (loud && !was) onsets.push(i / 100);
		was = loud;
	});
	return onsets;
}

describe('a recorded session becomes an on-demand item', () => {
	let t: TestHost;
	beforeAll(async () => {
		t = await startTestHost();
	});
	afterAll(() => t?.close());

	type Live = { session: ReturnType<TestHost['host']['engine']['session']>; host: SessionClient };
	async function record(title: string, seconds: number, media: MarkedMediaOptions, during?: (live: Live) => Promise<void>) {
		const tenant = t.tenants[0]!;
		const sessionId = await t.createSession(tenant, { title, module: 'fit-en-vitaal' });
		const host = new SessionClient({ server: t.host.url, webrtc });
		const source = markedMedia(media);
		try {
			await host.connect(await t.token(tenant, sessionId, 'host', 'begeleider-7'));
			await host.publish({ camera: source.camera, microphone: source.microphone });
			const session = t.host.engine.session(tenant.id, sessionId);
			// Recording starts once picture and sound reach the server (polled: slower on a busy machine).
			await waitFor(
				async () => {
					const stats = await session.producerStats('begeleider-7');
					return ['camera', 'microphone'].every((s) =>
						stats.some((p) => p.source === s && p.layers.some((l) => l.packetCount > 0)),
					);
				},
				60_000,
				'camera and microphone packets at the server',
			);
			const started = await t.api(tenant, 'POST', `/v1/sessions/${sessionId}/recording`);
			expect(started.status).toBe(201);
			if (during) await during({ session, host });
			await new Promise((r) => setTimeout(r, seconds * 1000));
			const stopped = await t.api(tenant, 'POST', `/v1/sessions/${sessionId}/recording/stop`);
			expect(stopped.status).toBe(200);
			expect(stopped.json.state).toBe('processing');
			const done = await t.host.recordings.whenProcessed(stopped.json.recordingId);
			expect(done.error).toBeUndefined();
			expect(done.state).toBe('done');
			const progress = await t.api(tenant, 'GET', `/v1/recordings/${stopped.json.recordingId}`);
			expect(progress.json).toMatchObject({ state: 'done', progress: { fraction: 1 }, itemId: done.itemId });
			const manifest = recordingManifestSchema.parse(
				JSON.parse(readFileSync(join(t.dataDir, 'recordings', tenant.id, stopped.json.recordingId, 'manifest.json'), 'utf8')),
			);
			const item = await t.host.library.get(tenant.id, done.itemId!);
			const file = t.host.library.filePath(item, 'media')!;
			return { item, file, manifest, sourceStartedAt: source.startedAt };
		} finally {
			source.stop();
			await host.leave().catch(() => undefined);
		}
	}

	it('keeps picture and sound together, at broadcast loudness, for the whole span, and publishes a calm item', async () => {
		const { item, file, manifest } = await record('Stoelyoga', 20, { fps: 30, quietAmplitude: 1200, loudAmplitude: 9000 });
		expect(item.status).toBe('published');
		const span = (manifest.endedAt! - manifest.parts[0]!.startedAt) / 1000;
		const p = probe(file);
		expect(Math.abs(item.durationSeconds - span), `item ${item.durationSeconds} s, recorded ${span} s`).toBeLessThanOrEqual(0.5);
		expect(Math.abs(p.duration - span)).toBeLessThanOrEqual(0.5);
		expect(Math.abs(p.audioStart - p.videoStart)).toBeLessThan(0.1);
		const { integrated, truePeak } = loudness(file);
		expect(integrated).toBeGreaterThanOrEqual(-24);
		expect(integrated).toBeLessThanOrEqual(-22);
		expect(truePeak).toBeLessThanOrEqual(-1);
		// Every marker: the white box and the loud tone together. The source can show the box
		// only with its next frame (30 fps: up to 33 ms after the tone starts) and the item has
		// 25-30 frames a second, so each marker may be off by up to two frame times on top of the
		// 100 ms; their median is held to 100 ms.
		const seen = videoMarkers(file);
		const heard = audioMarkers(file);
		expect(seen.length).toBeGreaterThanOrEqual(8);
		const offsets = seen.map((v) => {
			const nearest = heard.reduce((best, a) => (Math.abs(a - v) < Math.abs(best - v) ? a : best), Number.POSITIVE_INFINITY);
			return v - nearest;
		});
		const report = `${offsets.map((o) => o.toFixed(3)).join(', ')}; seen ${seen.map((v) => v.toFixed(2)).join(' ')}; heard ${heard.map((v) => v.toFixed(2)).join(' ')}`;
		console.log(`[recording] video minus audio per marker (s): ${offsets.map((o) => o.toFixed(3)).join(', ')}`);
		for (const o of offsets) expect(Math.abs(o), `video minus audio per marker: ${report}`).toBeLessThan(0.1 + 2 / 30);
		const median = offsets.toSorted((a, b) => a - b)[Math.floor(offsets.length / 2)]!;
		expect(Math.abs(median), `video minus audio per marker: ${report}`).toBeLessThan(0.1);
	}, 180_000);

	it('flags a source that flashes five times a second, with the time codes, and does not publish it until approved', async () => {
		const { item, manifest, sourceStartedAt } = await record('Disco', 12, { flash: { hz: 5, fromMs: 6000, toMs: 11000 } });
		expect(item.status).toBe('flagged');
		const windows = item.flash!.windows;
		expect(windows.length).toBeGreaterThan(0);
		// The flashing ran 6-11 s after the source started; in the item that is 6 s minus how long
		// after the source the recording began (about 1.5 s on an idle machine, more on a busy
		// one), within 2.5 s either way.
		const first = windows[0]!;
		const expected = 6 - (manifest.parts[0]!.startedAt - sourceStartedAt) / 1000;
		console.log(`[recording] first flash window at ${first.startSeconds} s, expected about ${expected.toFixed(2)} s`);
		expect(first.startSeconds).toBeGreaterThan(expected - 2.5);
		expect(first.startSeconds).toBeLessThan(expected + 2.5);
		expect(windows.at(-1)!.endSeconds).toBeGreaterThan(first.startSeconds + 2);
		expect(first.maxFlashesPerSecond).toBeGreaterThan(3);
		const tenant = t.tenants[0]!;
		const publish = await t.api(tenant, 'POST', `/v1/library/items/${item.id}/publish`);
		expect(publish.status).toBeGreaterThanOrEqual(400);
		expect((await t.host.library.get(tenant.id, item.id)).status).toBe('flagged');
	}, 180_000);

	it('leaves a playable item of everything but the killed segment when ffmpeg is killed mid-recording', async () => {
		let killedAt = 0;
		const { item, file, manifest } = await record('Wandelen', 14, {}, async ({ session }) => {
			await new Promise((r) => setTimeout(r, 7000));
			const writer = session.recorder!.writerOf('begeleider-7')!;
			killedAt = Date.now();
			process.kill(writer.pid!, 'SIGKILL');
		});
		expect(killedAt).toBeGreaterThan(0);
		expect(item.status).toBe('published');
		// Recording went on in a new part; what is lost is at most the open segment (4 s) plus the restart.
		expect(manifest.parts.length).toBe(2);
		const span = (manifest.endedAt! - manifest.parts[0]!.startedAt) / 1000;
		expect(item.durationSeconds).toBeGreaterThan(span - 0.5);
		const decodeErrors = execFileSync('sh', ['-c', `ffmpeg -v error -i '${file}' -f null - 2>&1`], { encoding: 'utf8' }).trim();
		expect(decodeErrors).toBe('');
	}, 180_000);
	it('follows a camera turned off and on (a new producer) without breaking the item', async () => {
		const again = markedMedia({});
		try {
			const { item, file, manifest } = await record('Tekenen', 8, {}, async ({ host }) => {
				await new Promise((r) => setTimeout(r, 4000));
				await host.unpublish('camera');
				await new Promise((r) => setTimeout(r, 3000));
				await host.publish({ camera: again.camera });
			});
			expect(item.status).toBe('published');
			// Camera and microphone, the microphone alone, both again: three parts, none broken.
			expect(manifest.parts.map((p) => p.streams.map((s) => s.source).join('+'))).toEqual([
				'microphone+camera',
				'microphone',
				'microphone+camera',
			]);
			const span = (manifest.endedAt! - manifest.parts[0]!.startedAt) / 1000;
			expect(Math.abs(item.durationSeconds - span)).toBeLessThanOrEqual(0.5);
			expect(execFileSync('sh', ['-c', `ffmpeg -v error -i '${file}' -f null - 2>&1`], { encoding: 'utf8' }).trim()).toBe('');
			// The picture is there before, dark while the camera was off, and back after.
			const at = (seconds: number) => {
				const raw = execFileSync('ffmpeg', [
					'-v',
					'error',
					'-ss',
					String(seconds),
					'-i',
					file,
					'-frames:v',
					'1',
					'-vf',
					'scale=32:18,format=gray',
					'-f',
					'rawvideo',
					'-',
				]);
				return raw.reduce((a, b) => a + b, 0) / raw.length;
			};
			const off = (manifest.parts[1]!.startedAt - manifest.parts[0]!.startedAt) / 1000;
			const on = (manifest.parts[2]!.startedAt - manifest.parts[0]!.startedAt) / 1000;
			expect(at(off / 2)).toBeGreaterThan(50);
			expect(at((off + on) / 2)).toBeLessThan(30);
			expect(at(on + (span - on) / 2)).toBeGreaterThan(50);
		} finally {
			again.stop();
		}
	}, 180_000);
});
