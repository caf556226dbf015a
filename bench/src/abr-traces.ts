// Generates the benchmark bandwidth traces (deterministic: a seeded generator) into bench/traces/:
// the four link kinds (one hour each) and the near-top-layer lines (abr-traces-near-top.ts).
// Run: node bench/src/abr-traces.ts
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { seededRandom } from '@luwte/engine/abr';
import { nearTopTraces } from './abr-traces-near-top.ts';

const HOUR_MS = 3_600_000;

export type Gen = (rnd: () => number) => { points: [number, number][] };

/**
 * Which target calm is held to on a trace (docs/abr.md): `calm-link` the links calm was made for
 * (≥ 5× fewer switches than greedy, no more freeze, ≤ 10 % less bitrate); `near-top` a line
 * around the top layer's cost, where greedy rarely changes resolution (≥ 90 % of greedy's
 * bitrate, no more switches, freeze at most 0.5 s longer).
 */
export type TraceTarget = 'calm-link' | 'near-top';

export interface TraceKind {
	describe: string;
	gen: Gen;
	target: TraceTarget;
}

function build(stepMs: () => number, level: (t: number) => number): [number, number][] {
	const pts: [number, number][] = [];
	for (let t = 0; t < HOUR_MS; t += stepMs()) pts.push([t, Math.max(0, Math.round(level(t)))]);
	pts.push([HOUR_MS, pts.at(-1)![1]]);
	return pts;
}

/** The link kinds and what each stands for (one hour each). */
const linkTraces: Record<string, Omit<TraceKind, 'target'>> = {
	'steady-dsl': {
		describe: 'DSL at home: about 4 Mbit/s with small noise and a short dip every ten minutes or so',
		gen: (rnd) => ({
			points: build(
				() => 1000,
				(t) => (t % 600_000 < 8_000 && t > 60_000 ? 900 + rnd() * 400 : 3800 + (rnd() - 0.5) * 600),
			),
		}),
	},
	'home-wifi-drops': {
		describe:
			'Home Wi-Fi: 2-5 Mbit/s; a few times a minute a dip to 0.6-1.5 Mbit/s for 1-6 s (someone walks by, another device), now and then a short one to 0.3-0.45 Mbit/s; about three times an hour an interference episode of 0.5-3 min at 0.25-0.9 Mbit/s (a microwave oven, a neighbour on the same channel)',
		gen: (rnd) => {
			let dipUntil = -1;
			let dipLevel = 0;
			let episodeUntil = -1;
			return {
				points: build(
					() => 500,
					(t) => {
						if (t >= episodeUntil && rnd() < 3 / 7200) episodeUntil = t + 30_000 + rnd() * 150_000;
						if (t < episodeUntil) return 250 + rnd() * 650;
						if (t >= dipUntil && rnd() < 0.03) {
							const deep = rnd() < 0.05;
							dipUntil = t + (deep ? 500 + rnd() * 1500 : 1000 + rnd() * 5000);
							dipLevel = deep ? 300 + rnd() * 150 : 600 + rnd() * 900;
						}
						return t < dipUntil ? dipLevel : 2000 + rnd() * 3000;
					},
				),
			};
		},
	},
	'4g-car': {
		describe: '4G in a moving car: a slow wander between 0.4 and 6 Mbit/s, cell handovers with 1-3 s near-outages',
		gen: (rnd) => {
			let level = 2500;
			let outageUntil = -1;
			return {
				points: build(
					() => 500,
					(t) => {
						level = Math.min(6000, Math.max(400, level + (rnd() - 0.5) * 500));
						if (t >= outageUntil && rnd() < 0.004) outageUntil = t + 1000 + rnd() * 2000;
						return t < outageUntil ? 80 + rnd() * 120 : level;
					},
				),
			};
		},
	},
	'congested-evening': {
		describe: 'A shared line in the evening: 0.7-2 Mbit/s, wandering every few seconds as the neighbours stream',
		gen: (rnd) => {
			let level = 1300;
			return {
				points: build(
					() => 2000 + rnd() * 4000,
					() => {
						level = Math.min(2000, Math.max(700, level + (rnd() - 0.5) * 700));
						return level;
					},
				),
			};
		},
	},
};

/** Every trace kind of the benchmark, in the order their files' seeds are given (1, 2, ...). */
export const traces: Record<string, TraceKind> = {
	...Object.fromEntries(Object.entries(linkTraces).map(([name, t]) => [name, { ...t, target: 'calm-link' as const }])),
	...Object.fromEntries(Object.entries(nearTopTraces).map(([name, t]) => [name, { ...t, target: 'near-top' as const }])),
};

if (import.meta.main) {
	const dir = join(import.meta.dirname, '..', 'traces');
	await mkdir(dir, { recursive: true });
	let seed = 1;
	for (const [name, { describe, gen }] of Object.entries(traces)) {
		const { points } = gen(seededRandom(seed++));
		const csv = `# ${describe}\nt_ms,kbps\n${points.map(([t, k]) => `${t},${k}`).join('\n')}\n`;
		await writeFile(join(dir, `${name}.csv`), csv);
		process.stderr.write(`wrote bench/traces/${name}.csv (${points.length} points)\n`);
	}
}
