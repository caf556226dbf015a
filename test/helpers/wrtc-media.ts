import wrtc from '@roamhq/wrtc';
import type { RemoteTrack, SessionClient } from '@luwte/sdk';

const { RTCVideoSource, RTCAudioSource, RTCVideoSink, RTCAudioSink } = wrtc.nonstandard;

/** A synthetic camera (moving gradient) and microphone (440 Hz tone) from libwebrtc in Node. */
export function fakeMedia(width = 640, height = 360, fps = 15) {
	const video = new RTCVideoSource();
	const audio = new RTCAudioSource();
	const data = new Uint8Array(width * height * 1.5);
	let t = 0;
	const vTimer = setInterval(() => {
		t++;
		for (let y = 0; y < height; y++) {
			const row = y * width;
			for (let x = 0; x < width; x++) data[row + x] = (x + y + t * 4) & 255;
		}
		data.fill(128, width * height);
		video.onFrame({ width, height, data });
	}, 1000 / fps);
	const samples = new Int16Array(480);
	let phase = 0;
	const aTimer = setInterval(() => {
		for (let i = 0; i < 480; i++) {
			phase += (2 * Math.PI * 440) / 48000;
			samples[i] = Math.round(8000 * Math.sin(phase));
		}
		audio.onData({ samples, sampleRate: 48000, bitsPerSample: 16, channelCount: 1, numberOfFrames: 480 });
	}, 10);
	const camera = withCaptureSize(video.createTrack() as unknown as MediaStreamTrack, width, height, fps);
	const microphone = audio.createTrack() as unknown as MediaStreamTrack;
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

/**
 * @roamhq/wrtc's video tracks report its fake device's 640×480 whatever frames they carry; the SDK
 * picks the simulcast ladder from the track's settings, so the track says its real size, as a
 * browser camera's does.
 */
export function withCaptureSize(track: MediaStreamTrack, width: number, height: number, fps: number): MediaStreamTrack {
	const settings = track.getSettings();
	// The binding's getSettings is read-only: an own property of this track shadows it.
	Object.defineProperty(track, 'getSettings', {
		value: () => ({ ...settings, width, height, aspectRatio: width / height, frameRate: fps }),
	});
	return track;
}

/** Counts decoded video frames and delivered audio chunks of every remote track a client gets. */
export function watchRemoteMedia(client: SessionClient) {
	const counts = new Map<string, { videoFrames: number; audioChunks: number; width: number; track: RemoteTrack }>();
	const sinks: { stop(): void }[] = [];
	client.on('track', (t) => {
		const entry = { videoFrames: 0, audioChunks: 0, width: 0, track: t };
		counts.set(`${t.participantId}/${t.source}`, entry);
		if (t.kind === 'video') {
			const sink = new RTCVideoSink(t.track as never);
			sink.onframe = ({ frame }: { frame: { width: number } }) => {
				entry.videoFrames++;
				entry.width = frame.width;
			};
			sinks.push(sink);
		} else {
			const sink = new RTCAudioSink(t.track as never);
			sink.ondata = () => {
				entry.audioChunks++;
			};
			sinks.push(sink);
		}
	});
	return {
		of: (participantId: string, source: string) => counts.get(`${participantId}/${source}`),
		stop: () => {
			for (const s of sinks) s.stop();
		},
	};
}

export const webrtc = {
	RTCPeerConnection: wrtc.RTCPeerConnection,
	RTCSessionDescription: wrtc.RTCSessionDescription,
	RTCIceCandidate: wrtc.RTCIceCandidate,
	MediaStream: wrtc.MediaStream,
	MediaStreamTrack: wrtc.MediaStreamTrack,
};

export { waitFor } from './wait.ts';
