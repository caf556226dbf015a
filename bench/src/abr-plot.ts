// Draws one trace through the simulator for calm and greedy: the path's bandwidth, the bitrate of
// the layer each profile chose, and the chosen resolution over time, as an SVG for
// bench/RESULTS.md. Run: node bench/src/abr-plot.ts [--trace home-wifi-drops] [--minutes 10]
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { builtinProfiles, defaultModel, parseTrace, simulate, type TimelinePoint } from '@luwte/engine/abr';

const { values } = parseArgs({
	options: { trace: { type: 'string', default: 'home-wifi-drops' }, minutes: { type: 'string', default: '10' }, out: { type: 'string' } },
});
const minutes = Number(values.minutes);
if (!Number.isFinite(minutes) || minutes <= 0 || minutes > 60) throw new Error('--minutes must be between 0 and 60');
const benchDir = join(import.meta.dirname, '..');
const trace = parseTrace(await readFile(join(benchDir, 'traces', `${values.trace}.csv`), 'utf8'));
const limitMs = minutes * 60_000;

/** One point per second (the simulator ticks every 100 ms; a second is enough to see switches). */
function timeline(profileId: 'calm' | 'greedy'): TimelinePoint[] {
	const out: TimelinePoint[] = [];
	simulate(trace, builtinProfiles[profileId], defaultModel, (p) => {
		if (p.tMs < limitMs && p.tMs % 1000 === 0) out.push(p);
	});
	return out;
}
const calm = timeline('calm');
const greedy = timeline('greedy');
const kbps = (p: TimelinePoint) => defaultModel.layerKbps[p.layer.spatial]![p.layer.temporal]!;

const W = 960;
const left = 84;
const right = 16;
const plotW = W - left - right;
const top1 = 40;
const h1 = 260;
const top2 = top1 + h1 + 50;
const h2 = 120;
const H = top2 + h2 + 50;
const maxKbps = 3000;
const x = (tMs: number) => left + (tMs / limitMs) * plotW;
const y1 = (k: number) => top1 + h1 - (Math.min(k, maxKbps) / maxKbps) * h1;
const y2 = (s: number, lane: number) => top2 + h2 - ((s + 0.5) / 3) * h2 + lane * 6;

/** A step line (the value holds until the next point). */
function steps(points: TimelinePoint[], y: (p: TimelinePoint) => number): string {
	let d = '';
	for (const [i, p] of points.entries())
		d += i === 0 ? `M${x(p.tMs).toFixed(1)} ${y(p).toFixed(1)} ` : `H${x(p.tMs).toFixed(1)} V${y(p).toFixed(1)} `;
	return `${d}H${x(limitMs).toFixed(1)}`;
}
function freezeMarks(points: TimelinePoint[], yy: number, colour: string): string {
	return points
		.filter((p) => p.frozen)
		.map(
			(p) =>
				`<rect x="${x(p.tMs).toFixed(1)}" y="${yy}" width="${Math.max(1, plotW / (limitMs / 1000)).toFixed(1)}" height="6" fill="${colour}"/>`,
		)
		.join('');
}

const bw = trace.filter((p) => p.tMs <= limitMs).map((p) => ({ tMs: p.tMs, availableKbps: p.kbps }) as TimelinePoint);
const grid = [0, 500, 1000, 1500, 2000, 2500, 3000]
	.map(
		(k) =>
			`<line x1="${left}" x2="${W - right}" y1="${y1(k)}" y2="${y1(k)}" stroke="#ddd"/><text x="${left - 6}" y="${y1(k) + 4}" text-anchor="end">${k}</text>`,
	)
	.join('');
const timeTicks = Array.from({ length: Math.floor(minutes) + 1 }, (_, m) => m)
	.map((m) => `<text x="${x(m * 60_000)}" y="${top2 + h2 + 18}" text-anchor="middle">${m}</text>`)
	.join('');
const laneLabels = ['¼ (180p)', '½ (360p)', 'vol (720p)']
	.map(
		(l, s) =>
			`<text x="${left - 6}" y="${y2(s, 0) + 4}" text-anchor="end">${l}</text><line x1="${left}" x2="${W - right}" y1="${y2(s, 0)}" y2="${y2(s, 0)}" stroke="#eee"/>`,
	)
	.join('');

const svg = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12" role="img" aria-label="Calm and greedy on ${values.trace}, first ${minutes} minutes">
<rect width="${W}" height="${H}" fill="#fff"/>
<text x="${left}" y="20" font-size="14" font-weight="bold">${values.trace}, first ${minutes} min (simulator, docs/abr.md): bitrate (kbit/s, axis cut at ${maxKbps}) and resolution</text>
${grid}
<path d="${steps(bw, (p) => y1(p.availableKbps))}" fill="none" stroke="#bbb" stroke-width="1"/>
<path d="${steps(greedy, (p) => y1(kbps(p)))}" fill="none" stroke="#d95f02" stroke-width="1.2"/>
<path d="${steps(calm, (p) => y1(kbps(p)))}" fill="none" stroke="#1b5eab" stroke-width="2"/>
${freezeMarks(greedy, top1 + h1 + 6, '#d95f02')}${freezeMarks(calm, top1 + h1 + 14, '#1b5eab')}
<text x="${left}" y="${top1 + h1 + 34}">freeze marks below the axis: greedy (orange, upper row), calm (blue, lower row)</text>
${laneLabels}
<path d="${steps(greedy, (p) => y2(p.layer.spatial, -1))}" fill="none" stroke="#d95f02" stroke-width="1.2"/>
<path d="${steps(calm, (p) => y2(p.layer.spatial, 1))}" fill="none" stroke="#1b5eab" stroke-width="2"/>
${timeTicks}<text x="${left + plotW / 2}" y="${top2 + h2 + 36}" text-anchor="middle">minutes</text>
<g transform="translate(${W - right - 330},${top1 + 8})"><rect width="320" height="58" fill="#fff" stroke="#ccc"/>
<line x1="10" x2="40" y1="14" y2="14" stroke="#bbb"/><text x="48" y="18">available bandwidth (trace)</text>
<line x1="10" x2="40" y1="32" y2="32" stroke="#d95f02" stroke-width="1.2"/><text x="48" y="36">greedy: chosen layer's bitrate</text>
<line x1="10" x2="40" y1="50" y2="50" stroke="#1b5eab" stroke-width="2"/><text x="48" y="54">calm: chosen layer's bitrate</text></g>
</svg>
`;
const out = values.out ?? join(benchDir, `abr-plot-${values.trace}.svg`);
await writeFile(out, svg);
process.stderr.write(`wrote ${out}\n`);
