import { z } from 'zod';

/** EBU R128 programme loudness. */
export const TARGET_LUFS = -23;
/** Most true peak allowed in the delivered file. */
export const MAX_TRUE_PEAK = -1;
/**
 * What loudnorm aims at: below the limit, because the AAC encoder's reconstruction overshoots
 * the peaks it was given (typically a few tenths of a dB, more on sharp transients).
 */
export const LOUDNORM_TRUE_PEAK = -2;
/**
 * Loudness range the normalisation keeps untouched. loudnorm applies one linear gain only when
 * the measured range fits within this target; a group recording with a quiet client and a loud
 * begeleider easily spans 15 LU, and compressing that would change how people sound.
 */
const LOUDNORM_RANGE = 20;

const num = z.union([z.number(), z.string()]).transform((v) => (typeof v === 'number' ? v : Number(v)));

const loudnormJsonSchema = z.object({
	input_i: num,
	input_tp: num,
	input_lra: num,
	input_thresh: num,
	output_i: num.optional(),
	output_tp: num.optional(),
	normalization_type: z.string().optional(),
	target_offset: num,
});
export type LoudnormMeasurement = z.output<typeof loudnormJsonSchema>;

/** The JSON block loudnorm prints (last on stderr) with `print_format=json`. */
export function parseLoudnorm(stderr: string): LoudnormMeasurement {
	const start = stderr.lastIndexOf('{');
	const end = stderr.lastIndexOf('}');
	if (start < 0 || end < start) throw new Error('loudnorm printed no measurement');
	return loudnormJsonSchema.parse(JSON.parse(stderr.slice(start, end + 1)));
}

/** Integrated loudness and true peak from ebur128's summary (`peak=true`). */
export function parseEbur128(stderr: string): { integrated: number; truePeak: number } {
	const summary = stderr.slice(stderr.lastIndexOf('Summary:'));
	const i = /I:\s+(-?[\d.]+|-inf)\s+LUFS/.exec(summary);
	const tp = /True peak:\s+Peak:\s+(-?[\d.]+|-inf)\s+dBFS/.exec(summary);
	if (!i || !tp) throw new Error('ebur128 printed no summary');
	const val = (s: string) => (s === '-inf' ? Number.NEGATIVE_INFINITY : Number(s));
	return { integrated: val(i[1]!), truePeak: val(tp[1]!) };
}

/**
 * Pass 1: measure only (the output is discarded). Both meters see the same sound: ebur128 (the
 * standard meter, also used to verify the encoded file) for integrated loudness and true peak,
 * loudnorm for its own range and gate values. They can disagree by several dB on sound whose
 * quiet stretches sit right at the relative gate (one includes them, the other not); the gain
 * must come from the meter the result is judged by.
 */
export function measureFilter(): string {
	return `ebur128=peak=true:framelog=verbose,loudnorm=I=${TARGET_LUFS}:TP=${LOUDNORM_TRUE_PEAK}:LRA=${LOUDNORM_RANGE}:print_format=json`;
}

/** Pass 1's result: loudnorm's measurement with integrated loudness and true peak from ebur128. */
export function parseMeasurement(stderr: string): LoudnormMeasurement {
	const loudnorm = parseLoudnorm(stderr);
	const standard = parseEbur128(stderr);
	return { ...loudnorm, input_i: standard.integrated, input_tp: standard.truePeak };
}

/** Audio is silent throughout (nothing above the absolute gate): nothing to normalise. */
export function isSilent(m: LoudnormMeasurement): boolean {
	return !Number.isFinite(m.input_i) || m.input_i <= -70 || !Number.isFinite(m.input_tp) || !Number.isFinite(m.input_thresh);
}

/**
 * Pass 2: apply with the measured values. loudnorm then uses one linear gain where that reaches
 * the target without passing the true-peak ceiling (and the range fits), else its dynamic mode.
 * It works at 192 kHz internally: resample back to 48 kHz. `adjust` corrects a previous try.
 */
export function loudnormApplyFilter(m: LoudnormMeasurement, adjust: { integrated?: number; truePeak?: number } = {}): string {
	// Within loudnorm's option ranges, so an odd measurement can never make ffmpeg refuse the graph.
	const target = clamp(TARGET_LUFS + (adjust.integrated ?? 0), TARGET_LUFS - 3, TARGET_LUFS + 3);
	const tp = clamp(LOUDNORM_TRUE_PEAK + (adjust.truePeak ?? 0), -9, 0);
	const f = (x: number, lo: number, hi: number) => clamp(Number.isFinite(x) ? x : lo, lo, hi).toFixed(2);
	return (
		`loudnorm=I=${target.toFixed(2)}:TP=${tp.toFixed(2)}:LRA=${LOUDNORM_RANGE}` +
		`:measured_I=${f(m.input_i, -99, 0)}:measured_TP=${f(m.input_tp, -99, 99)}:measured_LRA=${f(m.input_lra, 0, 99)}` +
		`:measured_thresh=${f(m.input_thresh, -99, 0)}:offset=${f(m.target_offset, -99, 99)}:linear=true:print_format=json,aresample=48000`
	);
}

function clamp(x: number, lo: number, hi: number): number {
	return Math.min(hi, Math.max(lo, x));
}
