export const postprocessPhases = ['segments', 'compose', 'loudness-measure', 'encode', 'flash-check', 'thumbnail', 'done'] as const;
export type PostprocessPhase = (typeof postprocessPhases)[number];

export interface PostprocessProgress {
	phase: PostprocessPhase;
	/** Of the whole run, 0..1; never goes back. */
	fraction: number;
	/** Of the current phase, 0..1. */
	phaseFraction: number;
}

/** Share of the whole run per phase, roughly its share of the CPU time (composing encodes the picture). */
const weights: Record<Exclude<PostprocessPhase, 'done'>, number> = {
	segments: 0.05,
	compose: 0.6,
	'loudness-measure': 0.05,
	encode: 0.1,
	'flash-check': 0.15,
	thumbnail: 0.05,
};

/** Turns per-phase progress into a monotonic overall fraction and calls the listener. */
export class ProgressReporter {
	readonly #listener: ((p: PostprocessProgress) => void) | undefined;
	#fraction = 0;
	#phase: PostprocessPhase | undefined;
	#phaseFraction = 0;

	constructor(listener?: (p: PostprocessProgress) => void) {
		this.#listener = listener;
	}

	report(phase: PostprocessPhase, phaseFraction: number): void {
		if (phase !== this.#phase) {
			this.#phase = phase;
			this.#phaseFraction = 0;
		}
		const pf = Math.min(1, Math.max(this.#phaseFraction, Number.isFinite(phaseFraction) ? phaseFraction : 0));
		this.#phaseFraction = pf;
		let overall = 1;
		if (phase !== 'done') {
			let before = 0;
			for (const p of postprocessPhases) {
				if (p === phase || p === 'done') break;
				before += weights[p];
			}
			overall = before + weights[phase] * pf;
		}
		this.#fraction = Math.min(1, Math.max(this.#fraction, overall));
		if (!this.#listener) return;
		try {
			this.#listener({ phase, fraction: this.#fraction, phaseFraction: pf });
		} catch {
			// A failing progress display must not fail the processing.
		}
	}

	/** A listener for ffmpeg's `-progress pipe:1` lines, reporting out_time against `seconds`. */
	ffmpegLines(phase: PostprocessPhase, seconds: number, scale = 1, base = 0): (line: string) => void {
		return (line) => {
			const m = /^out_time_us=(\d+)/.exec(line);
			if (m) this.report(phase, base + (scale * Number(m[1])) / 1e6 / Math.max(0.001, seconds));
			else if (line === 'progress=end') this.report(phase, base + scale);
		};
	}
}
