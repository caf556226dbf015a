import { mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { z } from 'zod';
import { EngineError } from '../../errors.ts';
import { resolveFfmpeg, type FfmpegTools } from '../ffmpeg.ts';
import { fsyncPath, writeFileAtomic } from '../library/durable-fs.ts';
import { recordingManifestSchema, type RecordingManifest } from '../manifest.ts';
import { checkFlashes } from './flash-check.ts';
import { composeVideo, encodeItem, makeThumbnail, measureMix, measureOutput, probeOutput, step, type RunContext } from './ffmpeg-runs.ts';
import { OUTPUT_FPS } from './graph.ts';
import { postprocessItemSchema, type PostprocessResult } from './item.ts';
import { planLayout } from './layout.ts';
import { MAX_TRUE_PEAK, TARGET_LUFS } from './loudness.ts';
import { ProgressReporter, type PostprocessProgress } from './progress.ts';
import { concatList, gatherParts } from './segments.ts';
import { thumbnailTime } from './thumbnail.ts';
import { placeParts } from './timeline.ts';

export const ITEM_FILE = 'item.mp4';
export const THUMBNAIL_FILE = 'thumbnail.jpg';
export const ITEM_JSON = 'item.json';

export interface PostprocessOptions {
	onProgress?: (p: PostprocessProgress) => void;
	signal?: AbortSignal;
	tools?: FfmpegTools;
	/** Flash check area rule (see FlashDetectorOptions); default: a quarter of WCAG's 10° field (a third of the frame each way). */
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

/** Another encode is worth it when the file misses the ceiling or the target by this much. */
const LOUDNESS_TOLERANCE = 0.5;

/**
 * Turns a recording folder (manifest.json + part folders of Matroska segments) into one
 * on-demand item in `outDir`: `item.mp4`, `thumbnail.jpg` and `item.json`. Intermediate files
 * live in a temporary folder inside `outDir` that is removed afterwards, also on failure or
 * cancel; the item's files appear only when everything succeeded. Nothing is written elsewhere.
 * A cancel rejects with the signal's reason; a failing tool with `EngineError('unavailable')`.
 */
export async function postprocessRecording(recordingDir: string, outDir: string, opts?: PostprocessOptions): Promise<PostprocessResult> {
	const args = argsSchema.safeParse({ recordingDir, outDir, opts });
	if (!args.success)
		throw new EngineError('invalid_argument', `postprocess: ${z.prettifyError(args.error)}`, { details: args.error.issues });
	const { signal, onProgress, flash } = args.data.opts;
	const ctx: RunContext = { tools: args.data.opts.tools ?? resolveFfmpeg(), signal };
	const recDir = resolve(args.data.recordingDir);
	const out = resolve(args.data.outDir);
	signal?.throwIfAborted();
	const manifest = await readManifest(recDir);
	const progress = new ProgressReporter(onProgress);

	await mkdir(out, { recursive: true });
	const tmp = await mkdtemp(join(out, '.postprocess-'));
	try {
		// 1. Segments: probe, drop the unreadable, one concat list per part, place on the timeline.
		progress.report('segments', 0);
		const gathered = await gatherParts(ctx.tools, recDir, manifest.parts, {
			...(signal ? { signal } : {}),
			onSegment: (done, total) => progress.report('segments', done / Math.max(1, total)),
		});
		if (gathered.parts.length === 0) {
			throw new EngineError('invalid_argument', 'the recording has no readable media', {
				details: { droppedSegments: gathered.droppedSegments, skippedParts: gathered.skippedParts, reasons: gathered.reasons },
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

		// 2. Compose: the picture, encoded once.
		progress.report('compose', 0);
		const video = join(tmp, 'video.mp4');
		await composeVideo(ctx, timeline, plan, video, progress.ffmpegLines('compose', duration));

		// 3. Loudness pass 1.
		progress.report('loudness-measure', 0);
		const { measured, silent } = await measureMix(ctx, timeline, progress.ffmpegLines('loudness-measure', duration));

		// 4. Encode with loudness pass 2, then verify on the encoded file; once more if the encoder missed.
		progress.report('encode', 0);
		const encoded = join(tmp, ITEM_FILE);
		let adjust: { integrated?: number; truePeak?: number } = {};
		let normalization: 'linear' | 'dynamic' | 'none' = 'none';
		let output = { integrated: Number.NaN, truePeak: Number.NaN };
		for (let attempt = 0; attempt < 2; attempt++) {
			const base = attempt * 0.5;
			normalization = await encodeItem(
				ctx,
				timeline,
				video,
				{ measured, silent, adjust },
				encoded,
				progress.ffmpegLines('encode', duration, 0.4, base),
			);
			output = await measureOutput(ctx, encoded, duration, progress.ffmpegLines('encode', duration, 0.1, base + 0.4));
			const missedPeak = output.truePeak - MAX_TRUE_PEAK;
			const missedLevel = TARGET_LUFS - output.integrated;
			if (silent || (missedPeak <= 0 && Math.abs(missedLevel) <= LOUDNESS_TOLERANCE)) break;
			adjust = {
				integrated: (adjust.integrated ?? 0) + (Number.isFinite(missedLevel) ? missedLevel : 0),
				truePeak: (adjust.truePeak ?? 0) - Math.max(0, missedPeak + 0.5),
			};
		}
		progress.report('encode', 1);

		// 5. Flash check of what viewers will see.
		progress.report('flash-check', 0);
		const probe = await probeOutput(ctx, encoded);
		const flashes = await step('flash-check', signal, () =>
			checkFlashes(ctx.tools, encoded, {
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
		await makeThumbnail(ctx, encoded, thumbnailTime(probe.durationSeconds, flashes.windows, plan.intervals), thumb);
		progress.report('thumbnail', 1);

		const finite = (x: number) => (silent || !Number.isFinite(x) ? null : Math.round(x * 100) / 100);
		const item = postprocessItemSchema.parse({
			recordingId: manifest.recordingId,
			startedAt: Math.round(timeline.origin),
			file: ITEM_FILE,
			thumbnail: THUMBNAIL_FILE,
			...probe,
			loudness: {
				inputIntegrated: finite(measured.input_i),
				outputIntegrated: finite(output.integrated),
				outputTruePeak: finite(output.truePeak),
				normalization,
			},
			flash: {
				flagged: flashes.flagged,
				windows: flashes.windows.map(({ startSeconds, endSeconds, maxFlashesPerSecond }) => ({
					startSeconds,
					endSeconds,
					maxFlashesPerSecond,
				})),
				redFlagged: flashes.redFlagged,
			},
			droppedSegments: gathered.droppedSegments,
			skippedParts: gathered.skippedParts,
		} satisfies PostprocessResult);
		signal?.throwIfAborted();
		// The item appears only complete: media first, item.json (what marks it done) last. The
		// files' data is synced before their renames, and item.json's write syncs the folder (all three names).
		await fsyncPath(encoded);
		await fsyncPath(thumb);
		await rename(encoded, join(out, ITEM_FILE));
		await rename(thumb, join(out, THUMBNAIL_FILE));
		await writeFileAtomic(join(out, ITEM_JSON), `${JSON.stringify(item, null, '\t')}\n`);
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
	if (!parsed.success)
		throw new EngineError('invalid_argument', `manifest.json: ${z.prettifyError(parsed.error)}`, { details: parsed.error.issues });
	return parsed.data;
}
