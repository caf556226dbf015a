/** The slice of @roamhq/wrtc the load generator uses (loaded on demand: an optional dependency). */
export interface Wrtc {
	RTCPeerConnection: unknown;
	RTCSessionDescription: unknown;
	RTCIceCandidate: unknown;
	MediaStream: unknown;
	MediaStreamTrack: unknown;
	nonstandard: {
		RTCVideoSource: new () => { onFrame(f: { width: number; height: number; data: Uint8Array }): void; createTrack(): unknown };
		RTCAudioSource: new () => {
			onData(d: {
				samples: Int16Array;
				sampleRate: number;
				bitsPerSample: number;
				channelCount: number;
				numberOfFrames: number;
			}): void;
			createTrack(): unknown;
		};
	};
}

export interface SyntheticMedia {
	camera: MediaStreamTrack;
	microphone: MediaStreamTrack;
	stop(): void;
}

const width = 640;
const height = 360;
const fps = 15;
/** A two-second loop: frames are made once and shared, so P publishers cost encoding, not drawing. */
const loopFrames = 2 * fps;
let frames: Uint8Array[] | undefined;

function loopOfFrames(): Uint8Array[] {
	if (frames) return frames;
	frames = [];
	for (let t = 0; t < loopFrames; t++) {
		const data = new Uint8Array(width * height * 1.5);
		for (let y = 0; y < height; y++) {
			const row = y * width;
			for (let x = 0; x < width; x++) data[row + x] = (x + y + t * 8) & 255;
		}
		data.fill(128, width * height);
		frames.push(data);
	}
	return frames;
}

const tone = (() => {
	// 10 ms of a 440 Hz tone at 48 kHz; 440 Hz fits 4.4 periods in 10 ms, the click every chunk does not matter to an encoder.
	const samples = new Int16Array(480);
	for (let i = 0; i < samples.length; i++) samples[i] = Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / 48000));
	return samples;
})();

/** A camera (a looping moving gradient, 640×360 at 15 fps) and a microphone (a tone) from libwebrtc's sources. */
export function syntheticMedia(wrtc: Wrtc): SyntheticMedia {
	const video = new wrtc.nonstandard.RTCVideoSource();
	const audio = new wrtc.nonstandard.RTCAudioSource();
	const loop = loopOfFrames();
	let t = 0;
	const vTimer = setInterval(() => video.onFrame({ width, height, data: loop[t++ % loop.length]! }), 1000 / fps);
	const aTimer = setInterval(
		() => audio.onData({ samples: tone, sampleRate: 48000, bitsPerSample: 16, channelCount: 1, numberOfFrames: 480 }),
		10,
	);
	const camera = video.createTrack() as MediaStreamTrack;
	// wrtc's tracks report its fake device's 640×480; the SDK picks the simulcast ladder from the
	// track's settings, so the track says the size its frames have.
	const settings = camera.getSettings();
	Object.defineProperty(camera, 'getSettings', {
		value: () => ({ ...settings, width, height, aspectRatio: width / height, frameRate: fps }),
	});
	const microphone = audio.createTrack() as MediaStreamTrack;
	return {
		camera,
		microphone,
		stop() {
			clearInterval(vTimer);
			clearInterval(aTimer);
			camera.stop();
			microphone.stop();
		},
	};
}
