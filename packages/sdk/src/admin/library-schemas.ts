import * as z from 'zod';
import { activityModuleSchema, participantIdSchema } from './schemas.ts';

// The on-demand library: bodies of the admin routes (tenant API key) and of the viewer routes
// (library token), which the <luwte-library> element reads. The engine validates its own inputs
// again with its own schemas (it cannot import the SDK).

const isoDateTime = z.iso.datetime({ offset: true });

export const libraryStatusSchema = z
	.enum(['processing', 'failed', 'flagged', 'published', 'unpublished'])
	.describe(
		'processing: post-processing runs; failed; flagged: flash warnings, needs approval; published: clients see it; unpublished: hidden',
	);

export const flashWindowSchema = z.object({
	startSeconds: z.number(),
	endSeconds: z.number(),
	maxFlashesPerSecond: z.number(),
});

/** A BCP-47 language tag (`nl`, `en`, `nl-BE`); the host stores it in its canonical form. */
export const subtitleLangSchema = z
	.string()
	.max(35)
	.regex(/^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$/, 'a BCP-47 language tag such as nl, en or nl-BE');

/** The largest WebVTT file the host takes, in UTF-8 bytes. */
export const MAX_SUBTITLE_BYTES = 1024 * 1024;

export const librarySubtitleSchema = z.object({
	lang: z.string().describe('BCP-47 language tag, canonical (nl, en-GB)'),
	label: z.string().describe("What the viewer's subtitle buttons say (default: the language's own name)"),
	cues: z.number().int(),
	bytes: z.number().int(),
	updatedAt: isoDateTime,
});
export type LibrarySubtitle = z.output<typeof librarySubtitleSchema>;

export const librarySubtitleListSchema = z.object({ subtitles: z.array(librarySubtitleSchema) });

export const librarySubtitleUploadSchema = z
	.object({
		label: z
			.string()
			.trim()
			.min(1)
			.max(60)
			.optional()
			.describe("Shown to viewers; default the language's own name (Nederlands, English)"),
		vtt: z
			.string()
			.min(1)
			.describe(
				'The WebVTT file as text (UTF-8): starts with WEBVTT; cue timings must parse, be in order and lie within the video (1 s slack at the end)',
			),
	})
	.strict();
export type LibrarySubtitleUpload = z.input<typeof librarySubtitleUploadSchema>;

export const librarySubtitleDeletedSchema = z.object({ lang: z.string(), deleted: z.literal(true) });

export const libraryItemResourceSchema = z.object({
	id: z.string(),
	title: z.string(),
	module: activityModuleSchema,
	description: z.string(),
	durationSeconds: z.number(),
	recordedAt: isoDateTime,
	createdAt: isoDateTime,
	status: libraryStatusSchema,
	flash: z
		.object({ windows: z.array(flashWindowSchema) })
		.nullable()
		.describe('What flash detection found (null: not checked)'),
	approvedAt: isoDateTime.nullable(),
	approvedBy: z.string().nullable(),
	publishedAt: isoDateTime.nullable(),
	sessionId: z.string().nullable().describe('The live session it was recorded from'),
	hasThumbnail: z.boolean(),
	subtitles: z.array(librarySubtitleSchema).describe('WebVTT subtitles, one per language'),
	error: z.string().nullable().describe('Why post-processing failed'),
});
export type LibraryItemResource = z.output<typeof libraryItemResourceSchema>;

export const libraryItemListSchema = z.object({ items: z.array(libraryItemResourceSchema) });

const statusCounts = z.object({
	processing: z.number().int(),
	failed: z.number().int(),
	flagged: z.number().int(),
	published: z.number().int(),
	unpublished: z.number().int(),
});

export const libraryModuleListSchema = z.object({
	modules: z.array(z.object({ module: activityModuleSchema, label: z.string(), total: z.number().int(), byStatus: statusCounts })),
});

export const libraryListQuerySchema = z
	.object({ module: activityModuleSchema.optional(), status: libraryStatusSchema.optional() })
	.strict();
export type LibraryListQuery = z.input<typeof libraryListQuerySchema>;

export const libraryItemUpdateSchema = z
	.object({
		title: z.string().trim().min(1).max(200).optional(),
		description: z.string().trim().max(2000).optional(),
		module: activityModuleSchema.optional(),
	})
	.strict()
	.refine((b) => b.title !== undefined || b.description !== undefined || b.module !== undefined, {
		message: 'give title, description or module',
	});
export type LibraryItemUpdate = z.input<typeof libraryItemUpdateSchema>;

export const libraryApproveSchema = z
	.object({ by: participantIdSchema.describe('Pseudonymous ID of the staff member who watched the flagged moments') })
	.strict();
export type LibraryApprove = z.input<typeof libraryApproveSchema>;

export const libraryDeletedSchema = z.object({ id: z.string(), deleted: z.literal(true) });

export const libraryTokenCreateSchema = z
	.object({
		participantId: participantIdSchema.optional().describe('Pseudonymous ID of the client; random when absent'),
		ttlSeconds: z
			.number()
			.int()
			.min(60)
			.max(7 * 24 * 3600)
			.default(8 * 3600)
			.describe('How long the token can be used'),
	})
	.strict();
export type LibraryTokenCreate = z.input<typeof libraryTokenCreateSchema>;

export const libraryTokenSchema = z.object({ token: z.string(), participantId: z.string(), expiresAt: isoDateTime });

// Viewer routes (Authorization: Bearer <library token>): only published items, no staff fields.

export const viewerModuleListSchema = z.object({
	modules: z.array(z.object({ module: activityModuleSchema, label: z.string(), count: z.number().int() })),
});

export const viewerItemSchema = z.object({
	id: z.string(),
	title: z.string(),
	module: activityModuleSchema,
	description: z.string(),
	durationSeconds: z.number(),
	recordedAt: isoDateTime,
	/** Signed, short-lived, relative to the server; null when the item has no thumbnail. */
	thumbnailUrl: z.string().nullable(),
	/** Flash detection found flashes and a person approved the item anyway: the player says so first. */
	flashWarning: z.boolean(),
});
export type ViewerItem = z.output<typeof viewerItemSchema>;

export const viewerItemListSchema = z.object({ items: z.array(viewerItemSchema) });

export const viewerSubtitleSchema = z.object({
	lang: z.string(),
	label: z.string(),
	/** Signed, short-lived, relative to the server: `text/vtt` for a `<track>`. */
	url: z.string(),
});
export type ViewerSubtitle = z.output<typeof viewerSubtitleSchema>;

export const viewerItemDetailSchema = viewerItemSchema.extend({
	/** Signed, short-lived, relative to the server; supports Range requests. */
	mediaUrl: z.string(),
	/** WebVTT subtitles, one per language (empty when there are none). */
	subtitles: z.array(viewerSubtitleSchema),
	/** Where this client stopped last time; null when never started or watched to the end. */
	resumeSeconds: z.number().nullable(),
});
export type ViewerItemDetail = z.output<typeof viewerItemDetailSchema>;

export const viewerWatchSchema = z
	.object({
		event: z.enum(['started', 'progress', 'finished']),
		positionSeconds: z
			.number()
			.min(0)
			.max(24 * 3600),
		eventId: z
			.string()
			.regex(/^[A-Za-z0-9_-]{8,64}$/)
			.optional()
			.describe('Random per event, so a retried request counts once'),
	})
	.strict();
export type ViewerWatch = z.input<typeof viewerWatchSchema>;

export const viewerWatchResultSchema = z.object({ stored: z.boolean(), resumeSeconds: z.number().nullable() });

export const viewerListQuerySchema = z.object({ module: activityModuleSchema.optional() }).strict();
