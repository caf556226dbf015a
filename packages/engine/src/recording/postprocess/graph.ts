import type { CompositionPlan } from './layout.ts';
import type { Timeline } from './timeline.ts';

/** Output picture rate: constant, PAL countries' rate, and 1/6 less to encode than 30. */
export const OUTPUT_FPS = 25;
/** The dark neutral background of the composed picture, also shown in gaps (near black). */
export const BACKGROUND = '0x101010';

export interface FfmpegGraph {
	/** Input arguments, in input order (each ends with `-i <file>`). */
	inputs: string[][];
	filter: string;
	/** Label of the graph's output pad, with brackets. */
	output: string;
}

const n3 = (x: number) => (Math.round(x * 1000) / 1000).toFixed(3);

function concatInput(listFile: string, extra: string[] = []): string[] {
	// Each input may change picture size mid-stream (a sender adapting): let the scaler follow
	// instead of rebuilding the whole graph, which would restart the background's clock.
	return ['-reinit_filter', '0', ...extra, '-f', 'concat', '-safe', '0', '-i', listFile];
}

/**
 * The composed picture: a background of the item's length, and for each video in each layout
 * interval its own input (seeked to that interval, so no decoded frames wait in memory for a
 * later interval), moved to item time, cut to the interval, fitted into its cell and laid over
 * the background (which also fills the letterbox bars).
 * Run with `-copyts` so the concat demuxer's timestamps are the part times used here.
 */
export function videoGraph(timeline: Timeline, plan: CompositionPlan): FfmpegGraph {
	const inputs: string[][] = [];
	const chains: string[] = [];
	const { width, height } = plan;
	chains.push(`color=c=${BACKGROUND}:s=${width}x${height}:r=${OUTPUT_FPS}:d=${n3(timeline.duration)},format=yuv420p[bg0]`);
	let layer = 0;
	for (const interval of plan.intervals) {
		for (const cell of interval.cells) {
			for (const track of timeline.video) {
				if (track.slot !== cell.slot) continue;
				const a = Math.max(interval.start, track.start);
				const b = Math.min(interval.end, track.end);
				if (!(b - a > 0.001)) continue;
				const part = timeline.parts[track.partIndex]!;
				// Seek a little early (key frames); the trim below makes the cut exact.
				const seek = Math.max(0, a - track.offset - 3);
				const limit = b - track.offset - seek + 1;
				const extra = seek > 0 ? ['-ss', n3(seek), '-t', n3(limit)] : ['-t', n3(limit)];
				const idx = inputs.push(concatInput(part.listFile, extra)) - 1;
				const { x, y, w, h } = cell.rect;
				// Fitted into the cell and centred there frame by frame, so a sender that changes its
				// picture size midway (simulcast layer, CPU adaptation) stays letterboxed in its cell:
				// pad would need a fixed input size, and yuva420p is what overlay takes, so no
				// automatically inserted scaler (configured for the first size) stretches it back.
				chains.push(
					`[${idx}:${track.streamIndex}]setpts=PTS+${n3(track.offset)}/TB,trim=start=${n3(a)}:end=${n3(b)},` +
						`scale=${w}:${h}:force_original_aspect_ratio=decrease:force_divisible_by=2,setsar=1,format=yuva420p[t${layer}]`,
				);
				chains.push(
					`[bg${layer}][t${layer}]overlay=x=${x}+(${w}-w)/2:y=${y}+(${h}-h)/2:eval=frame:eof_action=pass:repeatlast=0[bg${layer + 1}]`,
				);
				layer++;
			}
		}
	}
	chains.push(`[bg${layer}]format=yuv420p,setsar=1[vout]`);
	return { inputs, filter: chains.join(';\n'), output: '[vout]' };
}

/**
 * The mixed sound: each part's audio moved to item time, the lead-in and any gap filled with
 * silence by timestamp (aresample), all summed without normalisation (amix would otherwise
 * lower everyone whenever someone else is recorded), padded or cut to the item's length.
 * `firstInput` is the input index the audio inputs start at (after e.g. a video input).
 */
export function audioGraph(timeline: Timeline, firstInput = 0): FfmpegGraph {
	const inputs: string[][] = [];
	const chains: string[] = [];
	const labels: string[] = [];
	const d = n3(timeline.duration);
	const inputOfPart = new Map<number, number>();
	for (const track of timeline.audio) {
		let idx = inputOfPart.get(track.partIndex);
		if (idx === undefined) {
			idx = firstInput + inputs.push(concatInput(timeline.parts[track.partIndex]!.listFile)) - 1;
			inputOfPart.set(track.partIndex, idx);
		}
		const label = `a${labels.length}`;
		chains.push(
			`[${idx}:${track.streamIndex}]asetpts=PTS+${n3(track.offset)}/TB,aresample=48000:async=1:first_pts=0,` +
				`aformat=sample_fmts=fltp:sample_rates=48000:channel_layouts=stereo[${label}]`,
		);
		labels.push(`[${label}]`);
	}
	if (labels.length === 0) chains.push(`anullsrc=r=48000:cl=stereo,atrim=end=${d}[mix]`);
	else if (labels.length === 1) chains.push(`${labels[0]}apad=whole_dur=${d},atrim=end=${d}[mix]`);
	else
		chains.push(
			`${labels.join('')}amix=inputs=${labels.length}:normalize=0:duration=longest:dropout_transition=0,apad=whole_dur=${d},atrim=end=${d}[mix]`,
		);
	return { inputs, filter: chains.join(';\n'), output: '[mix]' };
}
