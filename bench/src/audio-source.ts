/**
 * Opus audio for the benchmarks' stage: one 10 s clip encoded once per run, replayed by
 * `ffmpeg -re -stream_loop -1 -c:a copy -f rtp` straight into a comedia PlainTransport (one
 * ffmpeg socket, so no relay is needed; audio needs no sender reports to be forwarded).
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { MediaTypes } from '@luwte/engine';

export const opusPayloadType = 100;
export const audioSsrc = 44444444;

/** What the producer declares: Opus stereo (as RTP always signals it), one SSRC, no RTX. */
export function audioRtpParameters(): MediaTypes.RtpParameters {
	return {
		codecs: [{ mimeType: 'audio/opus', payloadType: opusPayloadType, clockRate: 48000, channels: 2 }],
		encodings: [{ ssrc: audioSsrc }],
		rtcp: { cname: 'luwte-bench-source', reducedSize: true },
	};
}

/** A 10 s 440 Hz tone, Opus 64 kbit/s in 20 ms frames (50 packets/s), into `dir`. */
export async function encodeAudio(dir: string, ffmpeg: string): Promise<string> {
	await mkdir(dir, { recursive: true });
	const file = join(dir, 'audio-opus.ogg');
	await promisify(execFile)(
		ffmpeg,
		[
			...['-hide_banner', '-loglevel', 'error', '-nostdin', '-y'],
			...['-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000', '-t', '10', '-ac', '2'],
			...['-c:a', 'libopus', '-b:a', '64k', '-frame_duration', '20', '-vn', file],
		],
		{ timeout: 60_000, killSignal: 'SIGKILL' },
	);
	if ((await stat(file)).size === 0) throw new Error(`ffmpeg wrote an empty ${file}`);
	return file;
}

export class AudioSource {
	readonly #child: ChildProcess;

	private constructor(child: ChildProcess) {
		this.#child = child;
	}

	/** Starts the replay to 127.0.0.1:`port` (a comedia PlainTransport with rtcpMux). */
	static start(file: string, ffmpeg: string, port: number): AudioSource {
		const child = spawn(
			ffmpeg,
			[
				...['-hide_banner', '-loglevel', 'error', '-nostdin', '-re', '-stream_loop', '-1', '-i', file],
				...['-map', '0:a:0', '-c:a', 'copy', '-vn', '-payload_type', String(opusPayloadType), '-ssrc', String(audioSsrc)],
				...['-rtpflags', 'skip_rtcp', '-f', 'rtp', `rtp://127.0.0.1:${port}?pkt_size=1200`],
			],
			{ stdio: ['ignore', 'ignore', 'pipe'] },
		);
		child.stderr?.on('data', (d: Buffer) => process.stderr.write(`[ffmpeg audio] ${d.toString()}`));
		return new AudioSource(child);
	}

	/** SIGTERM, SIGKILL after 2 s; resolves when ffmpeg has exited (or 4 s at most). */
	stop(): Promise<void> {
		const child = this.#child;
		if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
		return new Promise((resolve) => {
			const hard = setTimeout(() => child.kill('SIGKILL'), 2000);
			const giveUp = setTimeout(resolve, 4000);
			child.once('exit', () => {
				clearTimeout(hard);
				clearTimeout(giveUp);
				resolve();
			});
			child.kill('SIGTERM');
		});
	}

	/** Synchronous last resort for process exit handlers. */
	killNow(): void {
		if (this.#child.exitCode === null && this.#child.signalCode === null) this.#child.kill('SIGKILL');
	}
}
