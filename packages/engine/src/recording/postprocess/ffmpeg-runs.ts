import { z } from 'zod';
import { EngineError } from '../../errors.ts';
import { runTool, type FfmpegTools } from '../ffmpeg.ts';
import { audioGraph, OUTPUT_FPS, videoGraph } from './graph.ts';
import type { CompositionPlan } from './layout.ts';
import {
	isSilent,
	loudnormApplyFilter,
	measureFilter,
	parseEbur128,
	parseLoudnorm,
	parseMeasurement,
	type LoudnormMeasurement,
} from './loudness.ts';
import type { Timeline } from './timeline.ts';

/*
 * Output format: MP4 (H.264 High, yuv420p + AAC-LC, `+faststart`), not WebM (VP9 + Opus).
 * - Plays everywhere the care organisation's clients watch: Safari on iPads plays H.264/AAC MP4
 *   on every iPadOS version, with hardware decoding (battery, no stutter on old iPads); WebM/VP9
 *   arrived in Safari only recently and not on the older iPads care organisations keep in use.
 * - Cost on a 2-core host: x264 `veryfast` encodes 720p several times faster than real time;
 *   libvpx-vp9 at comparable quality is many times slower (hours for an hour-long activity).
 * - `+faststart` puts the index first, so playback starts before the whole file has loaded.
 */
const VIDEO_ENCODE = [
	'-c:v',
	'libx264',
	'-preset',
	'veryfast',
	'-crf',
	'23',
	'-maxrate',
	'2500k',
	'-bufsize',
	'5000k',
	'-profile:v',
	'high',
];
// Key frame every 2 s: seeking in the player lands close to where it was asked.
const GOP = ['-g', String(2 * OUTPUT_FPS), '-keyint_min', String(OUTPUT_FPS)];
const AUDIO_ENCODE = ['-c:a', 'aac', '-b:a', '128k', '-ar', '48000', '-ac', '2'];

/** What every step needs: the binaries, the cancel signal. */
export interface RunContext {
	tools: FfmpegTools;
	signal: AbortSignal | undefined;
}

function ffmpegHead(loglevel: 'error' | 'info'): string[] {
	return ['-hide_banner', '-nostdin', '-nostats', '-loglevel', loglevel, '-progress', 'pipe:1', '-y'];
}

/** Runs a step; a cancel surfaces as the signal's reason, any other failure as a typed error naming the step. */
export async function step<T>(name: string, signal: AbortSignal | undefined, run: () => Promise<T> | T): Promise<T> {
	signal?.throwIfAborted();
	try {
		return await run();
	} catch (err) {
		signal?.throwIfAborted();
		if (err instanceof EngineError) throw err;
		throw new EngineError('unavailable', `postprocess ${name} failed: ${(err as Error).message}`, { cause: err });
	}
}

function tool(
	ctx: RunContext,
	name: string,
	bin: string,
	args: string[],
	opts: { timeoutMs: number; onStdoutLine?: (line: string) => void },
): Promise<{ stdout: string; stderr: string }> {
	return step(name, ctx.signal, () => runTool(bin, args, { ...opts, ...(ctx.signal ? { signal: ctx.signal } : {}) }));
}

/** The composed picture, encoded once in its final form (no sound yet). */
export async function composeVideo(
	ctx: RunContext,
	timeline: Timeline,
	plan: CompositionPlan,
	target: string,
	onStdoutLine: (l: string) => void,
): Promise<void> {
	const vg = videoGraph(timeline, plan);
	const d = timeline.duration;
	await tool(
		ctx,
		'compose',
		ctx.tools.ffmpeg,
		[
			...ffmpegHead('error'),
			'-copyts',
			...vg.inputs.flat(),
			'-filter_complex',
			vg.filter,
			'-map',
			vg.output,
			'-an',
			...VIDEO_ENCODE,
			...GOP,
			'-pix_fmt',
			'yuv420p',
			'-r',
			String(OUTPUT_FPS),
			'-t',
			d.toFixed(3),
			target,
		],
		{ timeoutMs: 120_000 + d * 10_000, onStdoutLine },
	);
}

/** Loudness pass 1: measure the mix. */
export async function measureMix(
	ctx: RunContext,
	timeline: Timeline,
	onStdoutLine: (l: string) => void,
): Promise<{ measured: LoudnormMeasurement; silent: boolean }> {
	const ag = audioGraph(timeline);
	const { stderr } = await tool(
		ctx,
		'loudness-measure',
		ctx.tools.ffmpeg,
		[
			...ffmpegHead('info'),
			'-copyts',
			...ag.inputs.flat(),
			'-filter_complex',
			`${ag.filter};\n${ag.output}${measureFilter()}[measured]`,
			'-map',
			'[measured]',
			'-f',
			'null',
			'-',
		],
		{ timeoutMs: 60_000 + timeline.duration * 3000, onStdoutLine },
	);
	const measured = await step('loudness-measure', ctx.signal, () => parseMeasurement(stderr));
	return { measured, silent: isSilent(measured) };
}

/**
 * Loudness pass 2 on the mix, encoded to AAC and muxed with the composed picture (copied).
 * Returns how loudnorm normalised (one linear gain, or its dynamic mode).
 */
export async function encodeItem(
	ctx: RunContext,
	timeline: Timeline,
	video: string,
	loudness: { measured: LoudnormMeasurement; silent: boolean; adjust: { integrated?: number; truePeak?: number } },
	target: string,
	onStdoutLine: (l: string) => void,
): Promise<'linear' | 'dynamic' | 'none'> {
	const ag = audioGraph(timeline, 1);
	const normalise = loudness.silent ? 'anull' : loudnormApplyFilter(loudness.measured, loudness.adjust);
	const d = timeline.duration;
	const { stderr } = await tool(
		ctx,
		'encode',
		ctx.tools.ffmpeg,
		[
			...ffmpegHead('info'),
			'-copyts',
			'-i',
			video,
			...ag.inputs.flat(),
			'-filter_complex',
			`${ag.filter};\n${ag.output}${normalise}[aout]`,
			'-map',
			'0:v:0',
			'-map',
			'[aout]',
			'-c:v',
			'copy',
			...AUDIO_ENCODE,
			'-t',
			d.toFixed(3),
			'-movflags',
			'+faststart',
			target,
		],
		{ timeoutMs: 60_000 + d * 3000, onStdoutLine },
	);
	if (loudness.silent) return 'none';
	try {
		return parseLoudnorm(stderr).normalization_type === 'linear' ? 'linear' : 'dynamic';
	} catch {
		return 'dynamic';
	}
}

/** Loudness and true peak of the encoded file, as a player decodes it. */
export async function measureOutput(
	ctx: RunContext,
	file: string,
	duration: number,
	onStdoutLine: (l: string) => void,
): Promise<{ integrated: number; truePeak: number }> {
	const { stderr } = await tool(
		ctx,
		'loudness-verify',
		ctx.tools.ffmpeg,
		[...ffmpegHead('info'), '-i', file, '-map', '0:a:0', '-af', 'ebur128=peak=true:framelog=verbose', '-f', 'null', '-'],
		{ timeoutMs: 60_000 + duration * 2000, onStdoutLine },
	);
	return step('loudness-verify', ctx.signal, () => parseEbur128(stderr));
}

const outputProbeSchema = z.object({
	streams: z.array(
		z.object({
			codec_type: z.string(),
			codec_name: z.string().optional(),
			width: z.number().optional(),
			height: z.number().optional(),
		}),
	),
	format: z.object({ duration: z.string() }),
});

export interface OutputProbe {
	durationSeconds: number;
	videoCodec: string;
	audioCodec: string;
	width: number;
	height: number;
}

export async function probeOutput(ctx: RunContext, file: string): Promise<OutputProbe> {
	const { stdout } = await tool(
		ctx,
		'probe',
		ctx.tools.ffprobe,
		['-v', 'error', '-show_entries', 'format=duration:stream=codec_type,codec_name,width,height', '-of', 'json', file],
		{ timeoutMs: 30_000 },
	);
	const p = await step('probe', ctx.signal, () => outputProbeSchema.parse(JSON.parse(stdout)));
	const v = p.streams.find((s) => s.codec_type === 'video');
	const a = p.streams.find((s) => s.codec_type === 'audio');
	if (!v?.width || !v.height || !a) throw new EngineError('unavailable', 'postprocess: the encoded item lacks a video or audio stream');
	return {
		durationSeconds: Math.round(Number(p.format.duration) * 1000) / 1000,
		videoCodec: v.codec_name ?? 'unknown',
		audioCodec: a.codec_name ?? 'unknown',
		width: v.width,
		height: v.height,
	};
}

/** A JPEG 640 px wide of the picture at `seconds`. */
export async function makeThumbnail(ctx: RunContext, file: string, seconds: number, target: string): Promise<void> {
	await tool(
		ctx,
		'thumbnail',
		ctx.tools.ffmpeg,
		[
			...ffmpegHead('error'),
			'-ss',
			seconds.toFixed(3),
			'-i',
			file,
			'-frames:v',
			'1',
			'-vf',
			'scale=640:-2',
			'-q:v',
			'3',
			'-update',
			'1',
			target,
		],
		{ timeoutMs: 60_000 },
	);
}
