// Runs the ABR simulator over the benchmark traces for calm, standard and greedy and prints the
// table for bench/RESULTS.md. Run: node bench/src/abr.ts [--json]
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { builtinProfiles, parseTrace, simulate, type SimulationResult } from '@luwte/engine';

const { values } = parseArgs({ options: { json: { type: 'boolean', default: false } } });
const dir = join(import.meta.dirname, '..', 'traces');
const rows: (SimulationResult & { trace: string })[] = [];
for (const file of (await readdir(dir)).filter((f) => f.endsWith('.csv')).sort()) {
	const trace = parseTrace(await readFile(join(dir, file), 'utf8'));
	for (const profile of [builtinProfiles.calm, builtinProfiles.standard, builtinProfiles.greedy]) {
		rows.push({ trace: file.replace(/\.csv$/, ''), ...simulate(trace, profile) });
	}
}
if (values.json) {
	process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
} else {
	const out = ['| trace | profile | spatial switches / h | temporal switches | freeze s | mean kbit/s | calm vs greedy |', '|---|---|---:|---:|---:|---:|---|'];
	for (const r of rows) {
		let verdict = '';
		if (r.profile === 'calm') {
			const g = rows.find((x) => x.trace === r.trace && x.profile === 'greedy')!;
			const fewer = r.spatialSwitchesPerHour === 0 ? Infinity : g.spatialSwitchesPerHour / r.spatialSwitchesPerHour;
			const lessRate = 1 - r.meanKbps / g.meanKbps;
			const ok = fewer >= 5 && r.freezeSeconds <= g.freezeSeconds && lessRate <= 0.1;
			verdict = `${fewer === Infinity ? '∞' : fewer.toFixed(1)}× fewer switches, ${(lessRate * 100).toFixed(1)} % less bitrate, freeze ${r.freezeSeconds} vs ${g.freezeSeconds} s: ${ok ? 'meets' : 'misses'} the target`;
		}
		out.push(`| ${r.trace} | ${r.profile} | ${r.spatialSwitchesPerHour} | ${r.temporalSwitches} | ${r.freezeSeconds} | ${r.meanKbps} | ${verdict} |`);
	}
	process.stdout.write(`${out.join('\n')}\n`);
}
