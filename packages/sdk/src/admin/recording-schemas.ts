import { z } from 'zod';
import { participantIdSchema } from './schemas.ts';

const isoDateTime = z.iso.datetime({ offset: true });

export const recordingStateSchema = z
	.enum(['recording', 'processing', 'done', 'failed'])
	.describe('recording: live; processing: making the on-demand item; done: the item exists; failed: see error');

export const recordingProgressSchema = z.object({
	phase: z.string().describe('Current post-processing step'),
	fraction: z.number().min(0).max(1).describe('Overall progress, 0..1'),
});

/** One recording: live, being processed, or finished into a library item. */
export const recordingSchema = z.object({
	recordingId: z.string(),
	sessionId: z.string(),
	state: recordingStateSchema,
	startedAt: isoDateTime,
	endedAt: isoDateTime.nullable(),
	/** Live only: participants whose tracks are written now. */
	recorded: z.array(z.string()),
	progress: recordingProgressSchema.nullable(),
	itemId: z.string().nullable().describe('The library item made from it (once processing began)'),
	error: z.string().nullable(),
});
export type RecordingResource = z.output<typeof recordingSchema>;
export const recordingListSchema = z.object({ recordings: z.array(recordingSchema) });

export const consentSetSchema = z
	.object({
		consent: z.boolean().describe('true: this participant may be recorded; false: withdrawn (cut at once from a running recording)'),
	})
	.strict();
export const consentSchema = z.object({
	participantId: participantIdSchema,
	consent: z.boolean(),
	at: isoDateTime,
	by: z.string().describe("Who set it: the participant, a host's ID, or api"),
});
export const sessionRecordingSchema = z.object({
	active: z.boolean(),
	recording: recordingSchema.nullable(),
	consent: z.array(consentSchema),
});
