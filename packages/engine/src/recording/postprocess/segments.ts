import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import type { FfmpegTools } from '../ffmpeg.ts';
import { runTool } from '../ffmpeg.ts';
import { segmentFilePattern, type RecordedPart } from '../manifest.ts';

/** What one readable segment holds, in the part's own time (seconds). */
export interface SegmentInfo {
	/** Path relative to the recording folder (`part-000/seg-00003.mkv`). */
	name: string;
	file: string;
	start: number;
	end: number;
	streams: SegmentStream[];
}

export interface SegmentStream {
	index: number;
	kind: 'audio' | 'video';
	codec: string;
	width: number;
	height: number;
}

/** A part whose readable segments are known: ready to be read as one stream with the concat demuxer. */
export interface GatheredPart {
	part: RecordedPart;
	segments: SegmentInfo[];
	/** Part time of the first readable media: the concat demuxer's time 0. */
	start: number;
	end: number;
	/** The part's streams; for video the largest picture size seen in decoded samples. */
	streams: SegmentStream[];
}

/** Segments per part whose first picture is decoded to learn the picture size. */
const SIZE_SAMPLES = 6;
/** ffprobe runs at once: mostly process start and file reading, one per core of a small host. */
const PROBE_CONCURRENCY = 2;

/** Like Promise.all over `items`, with at most `limit` calls running; results in order. */
async function mapLimited<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
	const results: R[] = new Array(items.length);
	let next = 0;
	const worker = async () => {
		while (next < items.length) {
			const i = next++;
			results[i] = await fn(items[i]!);
		}
	};
	await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
	return results;
}

export interface GatherResult {
	parts: GatheredPart[];
	droppedSegments: string[];
	skippedParts: string[];
	/** Why, per dropped segment or skipped part (for logs; the names above are the report). */
	reasons: Record<string, string>;
}

const probeSchema = z.object({
	streams: z
		.array(
			z.object({
				index: z.number().int(),
				codec_type: z.string(),
				codec_name: z.string().optional(),
				width: z.number().int().optional(),
				height: z.number().int().optional(),
			}),
		)
		.default([]),
	packets: z
		.array(
			z.object({
				stream_index: z.number().int(),
				pts_time: z.string().optional(),
				dts_time: z.string().optional(),
				duration_time: z.string().optional(),
			}),
		)
		.default([]),
});

// What the Matroska demuxer says about a file a killed ffmpeg left behind (or other damage).
const damage = /prematurely|invalid|corrupt|truncat|error|EBML|incomplete/i;

/**
 * Reads every packet of a segment (demux only, no decode: cheap) and returns its time span and
 * streams, or why it cannot be used. A file that ends in the middle of an element is treated as
 * unreadable even though its first half would demux: the report names it instead of silently
 * shortening the item at an unknown point.
 */
export async function probeSegment(
	tools: FfmpegTools,
	file: string,
	name: string,
	signal?: AbortSignal,
): Promise<SegmentInfo | { error: string }> {
	let out: { stdout: string; stderr: string };
	const entries = 'stream=index,codec_type,codec_name,width,height:packet=stream_index,pts_time,dts_time,duration_time';
	try {
		out = await runTool(tools.ffprobe, ['-v', 'warning', '-show_entries', entries, '-of', 'json', file], {
			timeoutMs: 60_000,
			...(signal ? { signal } : {}),
		});
	} catch (err) {
		signal?.throwIfAborted();
		return { error: `ffprobe failed: ${(err as Error).message.slice(0, 300)}` };
	}
	const complaint = out.stderr.split('\n').find((l) => damage.test(l));
	if (complaint) return { error: complaint.replace(/^\[[^\]]*\]\s*/, '').trim() };
	let parsed: z.output<typeof probeSchema>;
	try {
		parsed = probeSchema.parse(JSON.parse(out.stdout));
	} catch {
		return { error: 'ffprobe output unreadable' };
	}
	let start = Number.POSITIVE_INFINITY;
	let end = Number.NEGATIVE_INFINITY;
	for (const p of parsed.packets) {
		const t = Number(p.pts_time ?? p.dts_time);
		if (!Number.isFinite(t)) continue;
		const d = Number(p.duration_time);
		start = Math.min(start, t);
		end = Math.max(end, t + (Number.isFinite(d) ? d : 0));
	}
	if (!Number.isFinite(start)) return { error: 'no media packets' };
	const streams: SegmentStream[] = [];
	for (const s of parsed.streams) {
		if (s.codec_type !== 'audio' && s.codec_type !== 'video') continue;
		streams.push({ index: s.index, kind: s.codec_type, codec: s.codec_name ?? 'unknown', width: s.width ?? 0, height: s.height ?? 0 });
	}
	return { name, file, start, end, streams };
}

/** Segment files of a part folder, in order. */
export async function listSegments(partDir: string): Promise<string[]> {
	const names = await readdir(partDir);
	return names
		.map((n) => ({ n, m: segmentFilePattern.exec(n) }))
		.filter((x): x is { n: string; m: RegExpExecArray } => x.m !== null)
		.sort((a, b) => Number(a.m[1]) - Number(b.m[1]))
		.map((x) => x.n);
}

/**
 * Probes every segment of every part. A segment that cannot be read, or whose streams differ
 * from what the manifest says the part recorded, is dropped; a part left without any readable
 * segment is skipped. Both are reported by name.
 */
export async function gatherParts(
	tools: FfmpegTools,
	recordingDir: string,
	parts: readonly RecordedPart[],
	opts: { signal?: AbortSignal; onSegment?: (done: number, total: number) => void } = {},
): Promise<GatherResult> {
	const result: GatherResult = { parts: [], droppedSegments: [], skippedParts: [], reasons: {} };
	const listed: { part: RecordedPart; names: string[] }[] = [];
	for (const part of parts) {
		try {
			listed.push({ part, names: await listSegments(join(recordingDir, part.dir)) });
		} catch {
			listed.push({ part, names: [] });
			result.reasons[part.dir] = 'folder missing';
		}
	}
	const total = listed.reduce((n, l) => n + l.names.length, 0);
	let done = 0;
	for (const { part, names } of listed) {
		const infos = await mapLimited(names, PROBE_CONCURRENCY, async (n) => {
			opts.signal?.throwIfAborted();
			const info = await probeSegment(tools, join(recordingDir, part.dir, n), `${part.dir}/${n}`, opts.signal);
			opts.onSegment?.(++done, total);
			return info;
		});
		const segments: SegmentInfo[] = [];
		for (const [i, info] of infos.entries()) {
			const name = `${part.dir}/${names[i]}`;
			const problem = 'error' in info ? info.error : (streamMismatch(part, info.streams) ?? layoutChange(segments[0], info));
			if (problem !== undefined) {
				result.droppedSegments.push(name);
				result.reasons[name] = problem;
				continue;
			}
			segments.push(info as SegmentInfo);
		}
		if (segments.length === 0) {
			result.skippedParts.push(part.dir);
			result.reasons[part.dir] ??= names.length === 0 ? 'no segments' : 'no readable segment';
			continue;
		}
		// Segments overlap only if the recorder misbehaved; keep time moving forward.
		const kept: SegmentInfo[] = [];
		for (const s of segments) {
			const prev = kept.at(-1);
			if (prev && s.start < prev.start) {
				result.droppedSegments.push(s.name);
				result.reasons[s.name] = 'starts before the segment preceding it';
				continue;
			}
			kept.push(s);
		}
		result.parts.push({
			part,
			segments: kept,
			start: kept[0]!.start,
			end: Math.max(...kept.map((s) => s.end)),
			streams: await pictureSizes(tools, kept, opts.signal),
		});
	}
	return result;
}

/**
 * The picture size a part really has. A segment's header repeats the size the stream started
 * with (the muxer's, not the picture's): a WebRTC sender starts small and steps up, or steps down
 * under load, within one part. So the first picture of a few segments spread over the part is
 * decoded (segments start on key frames: one frame each) and the largest size kept.
 */
async function pictureSizes(tools: FfmpegTools, segments: readonly SegmentInfo[], signal?: AbortSignal): Promise<SegmentStream[]> {
	const streams = segments[0]!.streams.map((s) => ({ ...s }));
	const picks = new Set<number>();
	for (let i = 0; i < SIZE_SAMPLES; i++) picks.add(Math.round((i * (segments.length - 1)) / Math.max(1, SIZE_SAMPLES - 1)));
	for (const s of streams) {
		if (s.kind !== 'video') continue;
		for (const i of picks) {
			const size = await firstPictureSize(tools, segments[i]!.file, s.index, signal);
			if (!size) continue;
			s.width = Math.max(s.width, size.width);
			s.height = Math.max(s.height, size.height);
		}
	}
	return streams;
}

const frameSizeSchema = z.object({ frames: z.array(z.object({ width: z.number().int(), height: z.number().int() })).default([]) });

async function firstPictureSize(
	tools: FfmpegTools,
	file: string,
	streamIndex: number,
	signal?: AbortSignal,
): Promise<{ width: number; height: number } | undefined> {
	try {
		const { stdout } = await runTool(
			tools.ffprobe,
			[
				'-v',
				'error',
				'-select_streams',
				String(streamIndex),
				'-read_intervals',
				'%+#1',
				'-show_entries',
				'frame=width,height',
				'-of',
				'json',
				file,
			],
			{ timeoutMs: 30_000, ...(signal ? { signal } : {}) },
		);
		return frameSizeSchema.parse(JSON.parse(stdout)).frames[0];
	} catch {
		// Size unknown from this sample: the header's and the other samples' stand.
		signal?.throwIfAborted();
		return undefined;
	}
}

/** The concat demuxer needs every file of a part to have the same streams at the same indexes. */
function layoutChange(first: SegmentInfo | undefined, s: SegmentInfo): string | undefined {
	if (!first) return undefined;
	const sig = (x: SegmentInfo) => x.streams.map((st) => `${st.index}:${st.kind}:${st.codec}`).join(',');
	return sig(first) === sig(s) ? undefined : "streams differ from the part's first segment";
}

/** Same number of audio and of video streams as the manifest says (the n-th video is the manifest's n-th video). */
function streamMismatch(part: RecordedPart, streams: readonly SegmentStream[]): string | undefined {
	const expected = part.streams
		.map((s) => s.kind)
		.sort()
		.join(',');
	const found = streams
		.map((s) => s.kind)
		.sort()
		.join(',');
	return expected === found ? undefined : `streams ${found || 'none'} differ from the manifest's ${expected}`;
}

/**
 * The concat demuxer's list for a part. Segments keep their timestamps (`-reset_timestamps 0`)
 * and Matroska stores a segment's duration as its end time, so the demuxer's own idea of each
 * file's length is wrong: each file's length is given as the distance to the next file's start,
 * which keeps every packet at its recorded time (also across a dropped segment: a gap).
 */
export function concatList(part: GatheredPart): string {
	const quote = (p: string) => `'${p.replaceAll("'", "'\\''")}'`;
	const lines = ['ffconcat version 1.0'];
	part.segments.forEach((s, i) => {
		const next = part.segments[i + 1];
		const duration = (next ? next.start : s.end) - s.start;
		lines.push(`file ${quote(s.file)}`, `duration ${Math.max(0.001, duration).toFixed(6)}`);
	});
	return `${lines.join('\n')}\n`;
}
