// Bandwidth traces of lines that hover around the top simulcast layer's cost (issue 17: a DSL line
// between roughly 1.0 and 1.5 Mbit/s, where the full-resolution layer, 1200 kbit/s at full frame
// rate, sometimes fits and sometimes does not). Half an hour each, deterministic (seeded); written
// with the other benchmark traces by `node bench/src/abr-traces.ts`, and regenerated with other
// seeds by `node bench/src/abr.ts --seeds N`.

const DURATION_MS = 30 * 60_000;

type Points = [number, number][];

/** Points every `stepMs()` for half an hour, `level(t)` rounded; the last row ends the trace. */
function line(stepMs: () => number, level: (t: number) => number): Points {
	const pts: Points = [];
	for (let t = 0; t < DURATION_MS; t += stepMs()) pts.push([t, Math.max(0, Math.round(level(t)))]);
	pts.push([DURATION_MS, pts.at(-1)![1]]);
	return pts;
}

/**
 * A random walk between `lo` and `hi` (kbit/s), starting anywhere in the band, moving by up to
 * ±step/2 at each point, with ±jitter/2 on top (what the line does within a second).
 */
function walk(rnd: () => number, lo: number, hi: number, stepMs: () => number, step: number, jitter = 60): Points {
	let level = lo + rnd() * (hi - lo);
	return line(stepMs, () => {
		level = Math.min(hi, Math.max(lo, level + (rnd() - 0.5) * step));
		return level + (rnd() - 0.5) * jitter;
	});
}

/** The near-top traces and what each stands for. */
export const nearTopTraces: Record<string, { describe: string; gen: (rnd: () => number) => { points: Points } }> = {
	'near-top-dsl-wander': {
		describe:
			'DSL line hovering between 1.0 and 1.5 Mbit/s, around the top layer (1.2 Mbit/s): a random walk moving up to ±75 kbit/s a second, ±30 kbit/s jitter; 30 min',
		gen: (rnd) => ({ points: walk(rnd, 1000, 1500, () => 1000, 150) }),
	},
	'near-top-dsl-swell': {
		describe:
			'DSL line swelling slowly between 1.0 and 1.5 Mbit/s (the street cabinet at evening load): each rise and fall takes 1-4 min, ±40 kbit/s jitter every second; 30 min',
		gen: (rnd) => {
			let cycleStart = 0;
			let periodMs = 60_000 + rnd() * 180_000;
			return {
				points: line(
					() => 1000,
					(t) => {
						if (t - cycleStart >= periodMs) {
							cycleStart = t;
							periodMs = 60_000 + rnd() * 180_000;
						}
						// From the bottom of the band up and back down over one period.
						const phase = (t - cycleStart) / periodMs;
						return 1250 - 250 * Math.cos(2 * Math.PI * phase) + (rnd() - 0.5) * 80;
					},
				),
			};
		},
	},
	'near-top-dsl-steps': {
		describe:
			'DSL line between 1.0 and 1.5 Mbit/s stepping every 2-6 s as another device in the house starts and stops downloads (steps up to ±150 kbit/s); 30 min',
		gen: (rnd) => ({ points: walk(rnd, 1000, 1500, () => 2000 + rnd() * 4000, 300) }),
	},
	'near-top-under': {
		describe:
			'Line just under the top layer: 1.06-1.19 Mbit/s (the full-resolution layer at full frame rate, 1.2 Mbit/s, never quite fits), wandering up to ±30 kbit/s a second; 30 min',
		gen: (rnd) => ({ points: walk(rnd, 1060, 1190, () => 1000, 60) }),
	},
	'near-top-straddle': {
		describe: 'Line straddling the top layer: 1.12-1.30 Mbit/s, wandering up to ±30 kbit/s a second; 30 min',
		gen: (rnd) => ({ points: walk(rnd, 1120, 1300, () => 1000, 60) }),
	},
	'near-top-over': {
		describe: 'Line just over the top layer: 1.22-1.40 Mbit/s, wandering up to ±30 kbit/s a second; 30 min',
		gen: (rnd) => ({ points: walk(rnd, 1220, 1400, () => 1000, 60) }),
	},
};
