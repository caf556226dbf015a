import { z } from 'zod';
import { activityModules } from '../../session/activity.ts';
import { MAX_SUBTITLE_TRACKS, subtitleTrackSchema } from './subtitles.ts';

/**
 * An item of the on-demand library: one finished recording, watchable 24/7 by clients of the
 * tenant once it is published. Times are ms since the epoch (server clock), like engine events.
 */
export const libraryStatuses = ['processing', 'failed', 'flagged', 'published', 'unpublished'] as const;
export type LibraryStatus = (typeof libraryStatuses)[number];

/** `li_` + 128 random bits: URL-safe, and not guessable from another item's ID. */
export const libraryItemIdSchema = z.string().regex(/^li_[A-Za-z0-9_-]{22}$/, 'a library item ID (li_…)');

export const flashWindowSchema = z
	.object({
		startSeconds: z.number().min(0),
		endSeconds: z.number().min(0),
		/** Highest rate of flashes within the window (photosensitivity guidelines: more than 3 is harmful). */
		maxFlashesPerSecond: z.number().min(0),
	})
	.strict()
	.refine((w) => w.endSeconds >= w.startSeconds, { message: 'endSeconds must not be before startSeconds', path: ['endSeconds'] });

/** What flash detection found; an item with at least one window needs approval before clients see it. */
export const flashReportSchema = z.object({ windows: z.array(flashWindowSchema).max(10_000) }).strict();
export type FlashReport = z.output<typeof flashReportSchema>;

/** A path relative to the library folder, inside an item's own folder. */
const itemFilePath = z.string().regex(/^items\/li_[A-Za-z0-9_-]{22}\/(media|thumbnail)\.[a-z0-9]{2,5}$/);

const title = z.string().trim().min(1).max(200);
const description = z.string().trim().max(2000);
const module = z.enum(activityModules);
const tenantId = z.string().min(1).max(64);
const ms = z.number().int().min(0);

export const libraryItemSchema = z
	.object({
		id: libraryItemIdSchema,
		tenantId,
		title,
		module,
		description,
		durationSeconds: z.number().min(0),
		recordedAt: ms,
		createdAt: ms,
		status: z.enum(libraryStatuses),
		flash: flashReportSchema.optional(),
		approvedAt: ms.optional(),
		/** Pseudonymous ID of the staff member who checked the flash warnings. */
		approvedBy: z.string().optional(),
		publishedAt: ms.optional(),
		sessionId: z.string().optional(),
		/** Absent while processing and after a failure. */
		files: z.object({ media: itemFilePath, thumbnail: itemFilePath.optional() }).strict().optional(),
		/** WebVTT subtitles, one file per language, in the order they were first added. */
		subtitles: z.array(subtitleTrackSchema).max(MAX_SUBTITLE_TRACKS).optional(),
		/** Why post-processing failed (no personal data). */
		error: z.string().max(2000).optional(),
	})
	.strict();
export type LibraryItem = z.output<typeof libraryItemSchema>;

/** Media the post-processor hands over; only these containers play in every browser. */
export const mediaExtensions = ['mp4', 'webm'] as const;
export const thumbnailExtensions = ['jpg', 'jpeg', 'png', 'webp'] as const;
const fileIn = (exts: readonly string[]) =>
	z
		.string()
		.regex(
			new RegExp(`^[A-Za-z0-9_][A-Za-z0-9_.-]{0,200}\\.(${exts.join('|')})$`),
			`a file name in sourceDir ending in .${exts.join(', .')}`,
		);

export const metadataInputSchema = z.object({
	tenantId,
	title,
	module,
	description: description.default(''),
	recordedAt: ms.describe('When the recording started'),
	sessionId: z.string().min(1).max(100).optional(),
});

/** Files produced by post-processing, in one folder. */
export const filesInputSchema = z.object({
	sourceDir: z.string().min(1),
	media: fileIn(mediaExtensions),
	thumbnail: fileIn(thumbnailExtensions).optional(),
	/** Copy instead of move (the default moves: the post-processor's folder is scratch space). */
	keepSource: z.boolean().default(false),
	durationSeconds: z
		.number()
		.min(0)
		.max(24 * 3600),
	/** What flash detection found; at least one window makes the item `flagged`. */
	flash: flashReportSchema.optional(),
});

export const addItemSchema = metadataInputSchema.extend(filesInputSchema.shape).strict();
export type AddItemInput = z.input<typeof addItemSchema>;

export const createProcessingSchema = metadataInputSchema.strict();
export type CreateProcessingInput = z.input<typeof createProcessingSchema>;

export const completeItemSchema = filesInputSchema.strict();
export type CompleteItemInput = z.input<typeof completeItemSchema>;

export const updateItemSchema = z
	.object({ title: title.optional(), description: description.optional(), module: module.optional() })
	.strict();
export type UpdateItemInput = z.input<typeof updateItemSchema>;

export const listFilterSchema = z.object({ module: module.optional(), status: z.enum(libraryStatuses).optional() }).strict();
export type LibraryListFilter = z.input<typeof listFilterSchema>;

/** Pseudonymous IDs only (same rule as join tokens): never a name or e-mail address. */
export const pseudonymSchema = z
	.string()
	.regex(/^[A-Za-z0-9_-]{3,64}$/, '3-64 characters: letters, digits, _ and - (a pseudonymous ID, never a name)');

export const watchEvents = ['started', 'progress', 'finished'] as const;
export type WatchEventKind = (typeof watchEvents)[number];

export const watchInputSchema = z
	.object({
		event: z.enum(watchEvents),
		positionSeconds: z
			.number()
			.min(0)
			.max(24 * 3600),
		/** Chosen by the player for each event, so a retried request is counted once. */
		clientEventId: z
			.string()
			.regex(/^[A-Za-z0-9_-]{8,64}$/)
			.optional(),
	})
	.strict();
export type WatchInput = z.input<typeof watchInputSchema>;

/** An item with flash windows may be shown only after a person approved it. */
export function needsApproval(item: LibraryItem): boolean {
	return (item.flash?.windows.length ?? 0) > 0 && item.approvedAt === undefined;
}
