import { z } from 'zod';

/**
 * What a recording wrote to disk, kept as `manifest.json` in the recording's folder and rewritten
 * (atomically) whenever a part starts or ends, so that post-processing can run from the folder
 * alone, also after the host crashed mid-recording.
 *
 * A **part** is one ffmpeg run over one participant's recorded tracks at that time (microphone,
 * camera, screen: whichever are recorded), written as Matroska segments `seg-00000.mkv`,
 * `seg-00001.mkv`, … in the part's folder. Tracks of one part are synchronised by ffmpeg (RTCP
 * sender reports). A change of that participant's tracks (camera off and on: a new producer;
 * consent withdrawn or given) ends the part and starts a new one on fresh ports, so no file ever
 * changes its streams midway. Parts are placed on the recording's timeline by `startedAt`.
 */
export const recordedStreamSchema = z.object({
	kind: z.enum(['audio', 'video']),
	source: z.enum(['microphone', 'camera', 'screen']),
	/** The codec as recorded (codec copy, no re-encode): `opus`, `vp8`, `h264`. */
	codec: z.string().min(1),
});
export type RecordedStream = z.output<typeof recordedStreamSchema>;

export const recordedPartSchema = z.object({
	/** Folder of the part, relative to the recording's folder (`part-000`, …). */
	dir: z.string().regex(/^part-\d{3,}$/),
	/** Pseudonymous participant ID. */
	participantId: z.string().min(1),
	role: z.enum(['host', 'participant', 'location', 'viewer']),
	/** The part's streams, in the order ffmpeg writes them (stream index in every segment). */
	streams: z.array(recordedStreamSchema).min(1),
	/** Wall clock (ms since the epoch) of the part's first media: its time 0 on the timeline. */
	startedAt: z.number().int(),
	/** When the part was closed cleanly; null while recording, or when the host crashed. */
	endedAt: z.number().int().nullable(),
});
export type RecordedPart = z.output<typeof recordedPartSchema>;

export const recordingManifestSchema = z.object({
	version: z.literal(1),
	recordingId: z.string().min(1),
	tenantId: z.string().min(1),
	sessionId: z.string().min(1),
	title: z.string().nullable(),
	/** One of the five modules, when the session has one. */
	module: z.string().nullable(),
	startedAt: z.number().int(),
	/** When the recording was stopped cleanly; null while recording or after a crash. */
	endedAt: z.number().int().nullable(),
	parts: z.array(recordedPartSchema),
});
export type RecordingManifest = z.output<typeof recordingManifestSchema>;

/** Segment file names inside a part's folder, in order. */
export const segmentPattern = 'seg-%05d.mkv';
export const segmentFilePattern = /^seg-(\d{5})\.mkv$/;
