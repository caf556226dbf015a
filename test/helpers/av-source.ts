import wrtc from '@roamhq/wrtc';
import { withCaptureSize } from './wrtc-media.ts';

const { RTCVideoSource, RTCAudioSource } = wrtc.nonstandard;

export interface MarkedMediaOptions {
	width?: number;
	height?: number;
	fps?: number;
	/** Every this many ms a marker: a white box top left and a loud beep, for `markMs`. */
	markEveryMs?: number;
	markMs?: number;
	/** Full-frame black/white flashing at this rate (Hz), between `flash.fromMs` and `flash.toMs`. */
	flash?: { hz: number; fromMs: number; toMs: number };
	/** Tone amplitudes (of 32767): between markers and during them. */
	quietAmplitude?: number;
	loudAmplitude?: number;
}

/**
 * A camera and microphone from libwebrtc in Node whose picture and sound mark the same moments:
 * both take the marker's state from the wall clock when a frame or an audio chunk is made, so a
 * recording can be checked for audio/video sync. The picture is a still gradient (calm)
 * with a black box top left that turns white during a marker (about 3 % of the frame: no flash);
 * optionally, a full-frame flashing stretch for the flash check.
 */
export function markedMedia(opts: MarkedMediaOptions = {}) {
	const width = opts.width ?? 640;
	const height = opts.height ?? 360;
	const fps = opts.fps ?? 15;
	const every = opts.markEveryMs ?? 2000;
	const markMs = opts.markMs ?? 300;
	const quiet = opts.quietAmplitude ?? 1500;
	const loud = opts.loudAmplitude ?? 9000;
	const box = Math.round(height / 6);
	const t0 = performance.now();
	const startedAt = Date.now();
	const marking = (t: number) => t % every >= every / 2 && t % every < every / 2 + markMs;
	const video = new RTCVideoSource();
	const audio = new RTCAudioSource();
	const data = new Uint8Array(width * height * 1.5);
	const base = new Uint8Array(width * height);
	for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) base[y * width + x] = 60 + ((x + y) & 127);
	const vTimer = setInterval(() => {
		const t = performance.now() - t0;
		const flashing = opts.flash && t >= opts.flash.fromMs && t < opts.flash.toMs;
		if (flashing) {
			const on = Math.floor(((t - opts.flash!.fromMs) / 1000) * opts.flash!.hz * 2) % 2 === 0;
			data.fill(on ? 235 : 16, 0, width * height);
		} else {
			// A still gradient (copied, not computed: a busy source thread delays frames and would
			// blur what the sync check measures).
			data.set(base);
		}
		const v = marking(t) ? 235 : 16;
		for (let y = 0; y < box; y++) data.fill(v, y * width, y * width + box);
		data.fill(128, width * height);
		video.onFrame({ width, height, data });
	}, 1000 / fps);
	const samples = new Int16Array(480);
	let phase = 0;
	let chunks = 0;
	// Audio is sample-counted: libwebrtc times it by the samples it gets, not by when they come.
	// A timer that fires late would make the sound run slow against the picture, so each tick
	// delivers every 10 ms chunk that is due by the wall clock, each with the marker state of
	// its own moment.
	const aTimer = setInterval(() => {
		const due = Math.floor((performance.now() - t0) / 10);
		for (; chunks < due; chunks++) {
			const a = marking(chunks * 10) ? loud : quiet;
			for (let i = 0; i < 480; i++) {
				phase += (2 * Math.PI * 440) / 48000;
				samples[i] = Math.round(a * Math.sin(phase));
			}
			audio.onData({ samples, sampleRate: 48000, bitsPerSample: 16, channelCount: 1, numberOfFrames: 480 });
		}
	}, 10);
	const camera = withCaptureSize(video.createTrack() as unknown as MediaStreamTrack, width, height, fps);
	const microphone = audio.createTrack() as unknown as MediaStreamTrack;
	return {
		camera,
		microphone,
		/** Wall-clock ms of the source's time 0 (markers and `flash` are timed from it). */
		startedAt,
		stop() {
			clearInterval(vTimer);
			clearInterval(aTimer);
			camera.stop();
			microphone.stop();
		},
	};
}
