import { z } from 'zod';

/** One offending stretch of the flash check, in item seconds (the library's flash window shape). */
const flashWindowSchema = z
	.object({
		startSeconds: z.number().nonnegative(),
		endSeconds: z.number().nonnegative(),
		maxFlashesPerSecond: z.number().int().nonnegative(),
	})
	.strict();

/**
 * The finished on-demand item, as returned by `postprocessRecording` and kept beside it as
 * `item.json`. In `item.json`, `file` and `thumbnail` are names relative to that folder (so the
 * folder can move); the function returns absolute paths.
 */
export const postprocessItemSchema = z.object({
	recordingId: z.string().min(1),
	/** Wall clock (ms since the epoch) of the item's time 0: its first recorded media. */
	startedAt: z.number().int(),
	file: z.string().min(1),
	thumbnail: z.string().min(1),
	durationSeconds: z.number().nonnegative(),
	videoCodec: z.string(),
	audioCodec: z.string(),
	width: z.number().int().positive(),
	height: z.number().int().positive(),
	loudness: z.object({
		/** Integrated loudness of the mix before normalisation (LUFS); null when it is silent. */
		inputIntegrated: z.number().nullable(),
		/** Measured on the encoded file (LUFS / dBTP); null when it is silent. */
		outputIntegrated: z.number().nullable(),
		outputTruePeak: z.number().nullable(),
		/** How loudnorm reached the target: one gain (`linear`), its dynamic mode, or not at all (silence). */
		normalization: z.enum(['linear', 'dynamic', 'none']),
	}),
	flash: z.object({
		flagged: z.boolean(),
		windows: z.array(flashWindowSchema),
		/** Saturated red flashing crossed the threshold (its windows are among `windows`). */
		redFlagged: z.boolean(),
	}),
	/** Segments that could not be read (`part-000/seg-00005.mkv`), left out. */
	droppedSegments: z.array(z.string()),
	/** Parts without any readable segment (`part-002`), left out. */
	skippedParts: z.array(z.string()),
});
export type PostprocessResult = z.output<typeof postprocessItemSchema>;
