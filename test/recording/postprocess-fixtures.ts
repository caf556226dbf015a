import { execFile } from 'node:child_process';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { FfmpegTools, RecordingManifest } from '@luwte/engine/recording';

const run = promisify(execFile);

export const tools: FfmpegTools = { ffmpeg: '/usr/bin/ffmpeg', ffprobe: '/usr/bin/ffprobe', version: 'Debian', from: 'PATH' };

/** Recording started at this wall clock (ms) in every fixture. */
export const T0 = 1_700_000_000_000;

export interface PartSpec {
	dir: string;
	participantId: string;
	role: 'host' | 'participant' | 'location';
	/** Milliseconds after the recording's start. */
	startMs: number;
	seconds: number;
	/** lavfi video graph (without duration), e.g. `testsrc2=s=320x240:r=25`. */
	video: string;
	/** lavfi audio graph (without duration), e.g. `sine=f=440:r=48000`. */
	audio: string;
	/** The sender changes its picture (and size) at `at` seconds, as a simulcast layer switch does. */
	switchTo?: { video: string; at: number };
}

/** VP8 + Opus as WebRTC sends them; a key frame every 2 s so each segment starts on one. */
const encode = [
	...['-c:a', 'libopus', '-b:a', '96k'],
	...[
		'-pix_fmt',
		'yuv420p',
		'-c:v',
		'libvpx',
		'-deadline',
		'realtime',
		'-cpu-used',
		'8',
		'-b:v',
		'600k',
		'-g',
		'50',
		'-keyint_min',
		'50',
	],
];

/** The recorder's segment options (it uses 4 s segments; 2 s here to get several in a short test). */
const segmentOptions = ['-f', 'segment', '-segment_time', '2', '-segment_format', 'matroska', '-reset_timestamps', '0'];

/**
 * Writes a part the way the live recorder does: audio first, then camera, VP8 + Opus in
 * Matroska segments cut by ffmpeg's segment muxer with `-reset_timestamps 0` (so every segment
 * keeps the part's timestamps). The recorder copies WebRTC's VP8/Opus; here they are encoded
 * from lavfi sources.
 */
export async function writePart(recDir: string, p: PartSpec): Promise<void> {
	const dir = join(recDir, p.dir);
	await mkdir(dir, { recursive: true });
	if (p.switchTo) {
		// Two encodes joined into one stream, whose picture size changes at a key frame midway.
		const pieces = [
			{ file: join(dir, 'first.mkv'), video: p.video, seconds: p.switchTo.at },
			{ file: join(dir, 'second.mkv'), video: p.switchTo.video, seconds: p.seconds - p.switchTo.at },
		];
		for (const piece of pieces) {
			await ffmpeg([
				'-f',
				'lavfi',
				'-i',
				p.audio,
				'-f',
				'lavfi',
				'-i',
				piece.video,
				'-map',
				'0:a',
				'-map',
				'1:v',
				'-t',
				String(piece.seconds),
				...encode,
				piece.file,
			]);
		}
		const list = join(dir, 'pieces.txt');
		await writeFile(list, pieces.map((x) => `file '${x.file}'\n`).join(''));
		await ffmpeg(['-f', 'concat', '-safe', '0', '-i', list, '-map', '0', '-c', 'copy', ...segmentOptions, join(dir, 'seg-%05d.mkv')]);
		for (const f of [list, ...pieces.map((x) => x.file)]) await rm(f);
		return;
	}
	const input = ['-f', 'lavfi', '-i', p.audio, '-f', 'lavfi', '-i', p.video, '-map', '0:a', '-map', '1:v', '-t', String(p.seconds)];
	await ffmpeg([...input, ...encode, ...segmentOptions, join(dir, 'seg-%05d.mkv')]);
}

export async function writeRecording(recDir: string, parts: PartSpec[]): Promise<RecordingManifest> {
	await mkdir(recDir, { recursive: true });
	for (const p of parts) await writePart(recDir, p);
	const manifest: RecordingManifest = {
		version: 1,
		recordingId: 'rec_test',
		tenantId: 'zorg-a',
		sessionId: 'sess_test',
		title: 'Samen bewegen',
		module: null,
		startedAt: T0,
		endedAt: T0 + Math.max(...parts.map((p) => p.startMs + p.seconds * 1000)),
		parts: parts.map((p) => ({
			dir: p.dir,
			participantId: p.participantId,
			role: p.role,
			streams: [
				{ kind: 'audio', source: 'microphone', codec: 'opus' },
				{ kind: 'video', source: 'camera', codec: 'vp8' },
			],
			startedAt: T0 + p.startMs,
			endedAt: T0 + p.startMs + p.seconds * 1000,
		})),
	};
	await writeFile(join(recDir, 'manifest.json'), JSON.stringify(manifest));
	return manifest;
}

export async function ffmpeg(args: string[]): Promise<string> {
	const { stderr } = await run(tools.ffmpeg, ['-hide_banner', '-nostdin', '-y', ...args], { maxBuffer: 64 << 20, timeout: 120_000 });
	return stderr;
}

/** Integrated loudness and true peak measured by ffmpeg's own ebur128, independently of the pipeline. */
export async function ebur128(file: string): Promise<{ integrated: number; truePeak: number }> {
	const { stderr } = await run(
		tools.ffmpeg,
		['-hide_banner', '-nostats', '-i', file, '-map', '0:a:0', '-af', 'ebur128=peak=true:framelog=verbose', '-f', 'null', '-'],
		{
			maxBuffer: 64 << 20,
			timeout: 120_000,
		},
	);
	const summary = stderr.slice(stderr.lastIndexOf('Summary:'));
	const i = /I:\s+(-?[\d.]+)\s+LUFS/.exec(summary);
	const tp = /True peak:\s+Peak:\s+(-?[\d.]+|-inf)\s+dBFS/.exec(summary);
	if (!i || !tp) throw new Error(`no ebur128 summary: ${summary.slice(0, 300)}`);
	return { integrated: Number(i[1]), truePeak: tp[1] === '-inf' ? Number.NEGATIVE_INFINITY : Number(tp[1]) };
}

export interface ProbedStream {
	codec_type: string;
	codec_name: string;
	start_time?: string;
	width?: number;
	height?: number;
}

export async function probe(file: string): Promise<{ streams: ProbedStream[]; duration: number }> {
	const entries = 'stream=codec_type,codec_name,start_time,width,height:format=duration';
	const { stdout } = await run(tools.ffprobe, ['-v', 'error', '-show_entries', entries, '-of', 'json', file]);
	const j = JSON.parse(stdout) as { streams: ProbedStream[]; format: { duration: string } };
	return { streams: j.streams, duration: Number(j.format.duration) };
}

/** Decodes the whole file; returns what ffmpeg complained about (empty: it decodes cleanly). */
export async function decodeErrors(file: string): Promise<string> {
	const { stderr } = await run(tools.ffmpeg, ['-hide_banner', '-nostats', '-v', 'error', '-i', file, '-f', 'null', '-'], {
		maxBuffer: 64 << 20,
		timeout: 120_000,
	});
	return stderr.trim();
}

/** Every frame of the video, scaled to w×h, as 8-bit gray (full range), at 25 fps. */
export async function grayFrames(file: string, w: number, h: number): Promise<Uint8Array[]> {
	const filter = `fps=25,scale=${w}:${h}:flags=area,format=gray`;
	const { stdout } = await run(tools.ffmpeg, ['-v', 'error', '-i', file, '-map', '0:v:0', '-vf', filter, '-f', 'rawvideo', 'pipe:1'], {
		encoding: 'buffer',
		maxBuffer: 256 << 20,
		timeout: 120_000,
	});
	const frames: Uint8Array[] = [];
	for (let off = 0; off + w * h <= stdout.length; off += w * h) frames.push(stdout.subarray(off, off + w * h));
	return frames;
}

/** One frame at `seconds` as RGB, w×h. */
export async function rgbFrameAt(file: string, seconds: number, w: number, h: number): Promise<Uint8Array> {
	const { stdout } = await run(
		tools.ffmpeg,
		[
			'-v',
			'error',
			'-ss',
			seconds.toFixed(3),
			'-i',
			file,
			'-frames:v',
			'1',
			'-vf',
			`scale=${w}:${h}:flags=area,format=rgb24`,
			'-f',
			'rawvideo',
			'pipe:1',
		],
		{ encoding: 'buffer', maxBuffer: 64 << 20, timeout: 60_000 },
	);
	return stdout;
}

/** RMS of the (mono-mixed) audio per 10 ms window. */
export async function audioLevels(file: string): Promise<Float64Array> {
	const { stdout } = await run(
		tools.ffmpeg,
		['-v', 'error', '-i', file, '-map', '0:a:0', '-ac', '1', '-ar', '8000', '-f', 's16le', 'pipe:1'],
		{
			encoding: 'buffer',
			maxBuffer: 256 << 20,
			timeout: 120_000,
		},
	);
	const samples = new Int16Array(stdout.buffer, stdout.byteOffset, Math.floor(stdout.length / 2));
	const win = 80;
	const out = new Float64Array(Math.floor(samples.length / win));
	for (let i = 0; i < out.length; i++) {
		let s = 0;
		for (let j = i * win; j < (i + 1) * win; j++) s += (samples[j]! / 32768) ** 2;
		out[i] = Math.sqrt(s / win);
	}
	return out;
}

/** Times (s) where a series rises through `threshold` after having been below it; `step` seconds per value. */
export function onsets(series: ArrayLike<number>, threshold: number, step: number): number[] {
	const out: number[] = [];
	for (let i = 1; i < series.length; i++) if (series[i - 1]! < threshold && series[i]! >= threshold) out.push(i * step);
	return out;
}

/** Mean of a rectangle of a gray frame. */
export function mean(frame: Uint8Array, w: number, x0: number, y0: number, x1: number, y1: number): number {
	let s = 0;
	for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) s += frame[y * w + x]!;
	return s / ((x1 - x0) * (y1 - y0));
}
