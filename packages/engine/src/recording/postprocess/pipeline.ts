import { mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { z } from 'zod';
import { EngineError } from '../../errors.ts';
import { resolveFfmpeg, runTool, type FfmpegTools } from '../ffmpeg.ts';
import { recordingManifestSchema, type RecordingManifest } from '../manifest.ts';
import { checkFlashes } from './flash-check.ts';
import { audioGraph, OUTPUT_FPS, videoGraph } from './graph.ts';
import { postprocessItemSchema, type PostprocessResult } from './item.ts';
import { planLayout } from './layout.ts';
import {
	isSilent,
	loudnormApplyFilter,
	loudnormMeasureFilter,
	MAX_TRUE_PEAK,
	parseEbur128,
	parseLoudnorm,
	TARGET_LUFS,
	type LoudnormMeasurement,
} from './loudness.ts';
import { ProgressReporter, type PostprocessProgress } from './progress.ts';
import { concatList, gatherParts } from './segments.ts';
import { thumbnailTime } from './thumbnail.ts';
import { placeParts, type Timeline } from './timeline.ts';

/*
 * Output format: MP4 (H.264 High, yuv420p + AAC-LC, `+faststart`), not WebM (VP9 + Opus).
 * - Plays everywhere the care organisation's clients watch: Safari on iPads plays H.264/AAC MP4
 *   on every iPadOS version, with hardware decoding (battery, no stutter on old iPads); WebM/VP9
 *   arrived in Safari only recently and not on the older iPads care organisations keep in use.
 * - Cost on a 2-core host: x264 `veryfast` encodes 720p several times faster than real time;
 *   libvpx-vp9 at comparable quality is many times slower (hours for an hour-long activity).
 * - `+faststart` puts the index first, so playback starts before the whole file has loaded.
 */
const VIDEO_ENCODE = ['-c:v', 'libx264', '-preset', 'veryfast', '-crf', '23', '-maxrate', '2500k', '-bufsize', '5000k', '-profile:v', 'high'];
// Key frame every 2 s: seeking in the player lands close to where it was asked.
const GOP = ['-g', String(2 * OUTPUT_FPS), '-keyint_min', String(OUTPUT_FPS)];
const AUDIO_ENCODE = ['-c:a', 'aac', '-b:a', '128k', '-ar', '48000', '-ac', '2'];

export const ITEM_FILE = 'item.mp4';
export const THUMBNAIL_FILE = 'thumbnail.jpg';
export const ITEM_JSON = 'item.json';

export interface PostprocessOptions {
	onProgress?: (p: PostprocessProgress) => void;
	signal?: AbortSignal;
	tools?: FfmpegTools;
	/** Flash check area rule (see FlashDetectorOptions); defaults: a quarter of the whole frame. */
	flash?: { areaFraction?: number; fieldFraction?: number };
}

const optionsSchema = z
	.object({
		onProgress: z.custom<(p: PostprocessProgress) => void>((v) => typeof v === 'function', 'onProgress must be a function').optional(),
		signal: z.instanceof(AbortSignal).optional(),
		tools: z
			.object({
				ffmpeg: z.string().min(1),
				ffprobe: z.string().min(1),
				version: z.string(),
				from: z.enum(['FFMPEG_PATH', 'ffmpeg-static', 'PATH']),
			})
			.optional(),
		flash: z
			.object({
				areaFraction: z.number().gt(0).max(1).optional(),
				fieldFraction: z.number().gt(0).max(1).optional(),
			})
			.strict()
			.optional(),
	})
	.strict();

const argsSchema = z.object({ recordingDir: z.string().min(1), outDir: z.string().min(1), opts: optionsSchema.default({}) });

/**
 * Turns a recording folder (manifest.json + part folders of Matroska segments) into one
 * on-demand item in `outDir`: `item.mp4`, `thumbnail.jpg` and `item.json`. Intermediate files
 * live in a temporary folder inside `outDir` that is removed afterwards, also on failure or
 * cancel; the item's files appear only when everything succeeded. Nothing is written elsewhere.
 */
export async function postprocessRecording(recordingDir: string, outDir: string, opts?: PostprocessOptions): Promise<PostprocessResult> {
	const args = argsSchema.safeParse({ recordingDir, outDir, opts });
	if (!args.success) throw new EngineError('invalid_argument', `postprocess: ${z.prettifyError(args.error)}`, args.error.issues);
	const { signal, onProgress, flash } = args.data.opts;
	const tools = args.data.opts.tools ?? resolveFfmpeg();
	const recDir = resolve(args.data.recordingDir);
	const out = resolve(args.data.outDir);
	signal?.throwIfAborted();
	const manifest = await readManifest(recDir);
	const progress = new ProgressReporter(onProgress);

	await mkdir(out, { recursive: true });
	const tmp = await mkdtemp(join(out, '.postprocess-'));
	try {
		// 1. Segments: probe, drop the unreadable, one concat list per part.
		progress.report('segments', 0);
		const gathered = await gatherParts(tools, recDir, manifest.parts, {
			...(signal ? { signal } : {}),
			onSegment: (done, total) => progress.report('segments', done / Math.max(1, total)),
		});
		if (gathered.parts.length === 0) {
			throw new EngineError('invalid_argument', 'the recording has no readable media', {
				droppedSegments: gathered.droppedSegments,
				skippedParts: gathered.skippedParts,
				reasons: gathered.reasons,
			});
		}
		const lists: string[] = [];
		for (const p of gathered.parts) {
			const file = join(tmp, `${p.part.dir}.ffconcat`);
			await writeFile(file, concatList(p));
			lists.push(file);
		}
		const timeline = placeParts(manifest, gathered.parts, lists);
		const duration = timeline.duration;
		const plan = planLayout(timeline.video, duration);
		progress.report('segments', 1);

		// 2. Compose: the picture, encoded once, in its final form.
		progress.report('compose', 0);
		const video = join(tmp, 'video.mp4');
		const vg = videoGraph(timeline, plan);
		await tool(
			'compose',
			signal,
			tools.ffmpeg,
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
				duration.toFixed(3),
				video,
			],
			{ timeoutMs: 120_000 + duration * 10_000, onStdoutLine: progress.ffmpegLines('compose', duration) },
		);

		// 3. Loudness, pass 1: measure the mix.
		progress.report('loudness-measure', 0);
		const ag = audioGraph(timeline);
		const measured = parseLoudnorm(
			(
				await tool(
					'loudness-measure',
					signal,
					tools.ffmpeg,
					[
						...ffmpegHead('info'),
						'-copyts',
						...ag.inputs.flat(),
						'-filter_complex',
						`${ag.filter};\n${ag.output}${loudnormMeasureFilter()}[measured]`,
						'-map',
						'[measured]',
						'-f',
						'null',
						'-',
					],
					{ timeoutMs: 60_000 + duration * 3000, onStdoutLine: progress.ffmpegLines('loudness-measure', duration) },
				)
			).stderr,
		);
		const silent = isSilent(measured);

		// 4. Encode: loudness pass 2 on the mix, AAC, muxed with the composed picture; then verify.
		progress.report('encode', 0);
		const encoded = join(tmp, ITEM_FILE);
		let adjust: { integrated?: number; truePeak?: number } = {};
		let result: { integrated: number; truePeak: number } | undefined;
		let normalization: 'linear' | 'dynamic' | 'none' = 'none';
		for (let attempt = 0; attempt < 2; attempt++) {
			const base = attempt * 0.5;
			const encodedRun = await encodeItem(tools, video, timeline, measured, silent, adjust, encoded, duration, {
				...(signal ? { signal } : {}),
				onStdoutLine: progress.ffmpegLines('encode', duration, 0.4, base),
			});
			normalization = encodedRun.normalization;
			result = await measureOutput(tools, encoded, duration, signal, progress.ffmpegLines('encode', duration, 0.1, base + 0.4));
			if (silent || !needsAnotherTry(result)) break;
			// The encoder overshot the ceiling or the gain missed: aim lower by what was missed.
			adjust = {
				integrated: (adjust.integrated ?? 0) + (Number.isFinite(result.integrated) ? TARGET_LUFS - result.integrated : 0),
				truePeak: (adjust.truePeak ?? 0) - Math.max(0, result.truePeak - MAX_TRUE_PEAK + 0.5),
			};
		}
		progress.report('encode', 1);

		// 5. Flash check of what viewers will see.
		progress.report('flash-check', 0);
		const probe = await probeOutput(tools, encoded, signal);
		const flashReport = await step('flash-check', signal, () =>
			checkFlashes(tools, encoded, {
				fps: OUTPUT_FPS,
				width: probe.width,
				height: probe.height,
				durationSeconds: probe.durationSeconds,
				timeoutMs: 60_000 + duration * 3000,
				...(signal ? { signal } : {}),
				...(flash?.areaFraction !== undefined ? { areaFraction: flash.areaFraction } : {}),
				...(flash?.fieldFraction !== undefined ? { fieldFraction: flash.fieldFraction } : {}),
				onFraction: (f) => progress.report('flash-check', f),
			}),
		);
		progress.report('flash-check', 1);

		// 6. Thumbnail from a calm moment.
		progress.report('thumbnail', 0);
		const thumb = join(tmp, THUMBNAIL_FILE);
		const at = thumbnailTime(probe.durationSeconds, flashReport.windows, plan.intervals);
		await tool(
			'thumbnail',
			signal,
			tools.ffmpeg,
			[...ffmpegHead('error'), '-ss', at.toFixed(3), '-i', encoded, '-frames:v', '1', '-vf', 'scale=640:-2', '-q:v', '3', '-update', '1', thumb],
			{ timeoutMs: 60_000 },
		);
		progress.report('thumbnail', 1);

		const item: PostprocessResult = {
			recordingId: manifest.recordingId,
			startedAt: Math.round(timeline.origin),
			file: ITEM_FILE,
			thumbnail: THUMBNAIL_FILE,
			durationSeconds: probe.durationSeconds,
			videoCodec: probe.videoCodec,
			audioCodec: probe.audioCodec,
			width: probe.width,
			height: probe.height,
			loudness: {
				inputIntegrated: silent ? null : round2(measured.input_i),
				outputIntegrated: silent || !result || !Number.isFinite(result.integrated) ? null : round2(result.integrated),
				outputTruePeak: silent || !result || !Number.isFinite(result.truePeak) ? null : round2(result.truePeak),
				normalization,
			},
			flash: {
				flagged: flashReport.flagged,
				windows: flashReport.windows.map(({ startSeconds, endSeconds, maxFlashesPerSecond }) => ({ startSeconds, endSeconds, maxFlashesPerSecond })),
				redFlagged: flashReport.redFlagged,
			},
			droppedSegments: gathered.droppedSegments,
			skippedParts: gathered.skippedParts,
		};
		postprocessItemSchema.parse(item);
		signal?.throwIfAborted();
		// The item appears only complete: media first, item.json (what marks it done) last.
		await rename(encoded, join(out, ITEM_FILE));
		await rename(thumb, join(out, THUMBNAIL_FILE));
		const json = join(tmp, ITEM_JSON);
		await writeFile(json, `${JSON.stringify(item, null, '\t')}\n`);
		await rename(json, join(out, ITEM_JSON));
		progress.report('done', 1);
		return { ...item, file: join(out, ITEM_FILE), thumbnail: join(out, THUMBNAIL_FILE) };
	} finally {
		await rm(tmp, { recursive: true, force: true });
	}
}

async function readManifest(recDir: string): Promise<RecordingManifest> {
	let text: string;
	try {
		text = await readFile(join(recDir, 'manifest.json'), 'utf8');
	} catch {
		throw new EngineError('not_found', `no manifest.json in ${basename(recDir)}`);
	}
	let json: unknown;
	try {
		json = JSON.parse(text);
	} catch {
		throw new EngineError('invalid_argument', 'manifest.json is not JSON');
	}
	const parsed = recordingManifestSchema.safeParse(json);
	if (!parsed.success) throw new EngineError('invalid_argument', `manifest.json: ${z.prettifyError(parsed.error)}`, parsed.error.issues);
	return parsed.data;
}

function ffmpegHead(loglevel: 'error' | 'info'): string[] {
	return ['-hide_banner', '-nostdin', '-nostats', '-loglevel', loglevel, '-progress', 'pipe:1', '-y'];
}

/** Runs a step; a cancel surfaces as the signal's reason, any other failure as a typed error naming the step. */
async function step<T>(name: string, signal: AbortSignal | undefined, run: () => Promise<T>): Promise<T> {
	signal?.throwIfAborted();
	try {
		return await run();
	} catch (err) {
		signal?.throwIfAborted();
		if (err instanceof EngineError) throw err;
		throw new EngineError('unavailable', `postprocess ${name} failed: ${(err as Error).message}`);
	}
}

function tool(
	name: string,
	signal: AbortSignal | undefined,
	bin: string,
	args: string[],
	opts: { timeoutMs: number; onStdoutLine?: (line: string) => void },
): Promise<{ stdout: string; stderr: string }> {
	return step(name, signal, () => runTool(bin, args, { ...opts, ...(signal ? { signal } : {}) }));
}

async function encodeItem(
	tools: FfmpegTools,
	video: string,
	timeline: Timeline,
	measured: LoudnormMeasurement,
	silent: boolean,
	adjust: { integrated?: number; truePeak?: number },
	target: string,
	duration: number,
	opts: { signal?: AbortSignal; onStdoutLine: (line: string) => void },
): Promise<{ normalization: 'linear' | 'dynamic' | 'none' }> {
	const ag = audioGraph(timeline, 1);
	const normalise = silent ? 'anull' : loudnormApplyFilter(measured, adjust);
	const { stderr } = await tool(
		'encode',
		opts.signal,
		tools.ffmpeg,
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
			duration.toFixed(3),
			'-movflags',
			'+faststart',
			target,
		],
		{ timeoutMs: 60_000 + duration * 3000, onStdoutLine: opts.onStdoutLine },
	);
	if (silent) return { normalization: 'none' };
	try {
		return { normalization: parseLoudnorm(stderr).normalization_type === 'linear' ? 'linear' : 'dynamic' };
	} catch {
		return { normalization: 'dynamic' };
	}
}

function needsAnotherTry(r: { integrated: number; truePeak: number }): boolean {
	return r.truePeak > MAX_TRUE_PEAK || Math.abs(r.integrated - TARGET_LUFS) > 0.5;
}

/** Loudness and true peak of the encoded file, as a player will decode it. */
async function measureOutput(
	tools: FfmpegTools,
	file: string,
	duration: number,
	signal: AbortSignal | undefined,
	onStdoutLine: (line: string) => void,
): Promise<{ integrated: number; truePeak: number }> {
	const { stderr } = await tool(
		'loudness-verify',
		signal,
		tools.ffmpeg,
		[...ffmpegHead('info'), '-i', file, '-map', '0:a:0', '-af', 'ebur128=peak=true:framelog=verbose', '-f', 'null', '-'],
		{ timeoutMs: 60_000 + duration * 2000, onStdoutLine },
	);
	return parseEbur128(stderr);
}

const outputProbeSchema = z.object({
	streams: z.array(z.object({ codec_type: z.string(), codec_name: z.string().optional(), width: z.number().optional(), height: z.number().optional() })),
	format: z.object({ duration: z.string() }),
});

async function probeOutput(
	tools: FfmpegTools,
	file: string,
	signal: AbortSignal | undefined,
): Promise<{ durationSeconds: number; videoCodec: string; audioCodec: string; width: number; height: number }> {
	const { stdout } = await tool(
		'probe',
		signal,
		tools.ffprobe,
		['-v', 'error', '-show_entries', 'format=duration:stream=codec_type,codec_name,width,height', '-of', 'json', file],
		{ timeoutMs: 30_000 },
	);
	const p = outputProbeSchema.parse(JSON.parse(stdout));
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

function round2(x: number): number {
	return Math.round(x * 100) / 100;
}
