/**
 * Time to bill one month for 2,700 clients with realistic activity, against a baseline in the same
 * run: reading the same ledger export (JSON lines → checked events → canonical order) without
 * billing. Events are generated from a seed, so every run bills the same month.
 *
 *   node_modules/.bin/node bench/src/billing.ts [--clients 2700] [--active 0.1] [--runs 5] [--seed 1] [--out prefix] [--against dir]
 *
 * `--out p` writes the last run's CSV and JSON to `p.csv` and `p.json`, to compare two versions
 * byte for byte. `--against dir` also bills with the attendance code of another checkout (e.g. a
 * worktree of the commit before a change), the two interleaved in one run, and checks that both
 * give the same bytes. The engine is imported by path, not by package name, so the code measured
 * is this checkout's even where `node_modules` links to another tree's packages.
 *
 * Then, with this checkout's code only, the month is billed as the host bills it: from the file
 * log through `BillingSnapshots`, once cold (read + derive, kept) and `--runs` times warm (the
 * rules on the kept derivation), each checked to the byte against the bill from the events.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { seededRandom } from '../../packages/engine/src/abr/index.ts';
import type * as Attendance from '../../packages/engine/src/attendance/index.ts';
import { contractsFileSchema, indicationsFileSchema, type LedgerEvent } from '../../packages/engine/src/attendance/index.ts';

const { values } = parseArgs({
	options: {
		clients: { type: 'string', default: '2700' },
		active: { type: 'string', default: '0.1' },
		runs: { type: 'string', default: '5' },
		seed: { type: 'string', default: '1' },
		out: { type: 'string' },
		against: { type: 'string' },
	},
});
const clients = Number(values.clients);
const activeShare = Number(values.active);
const runs = Number(values.runs);

const random = seededRandom(Number(values.seed));
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
const int = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));

const financers = ['0363', '0599', '0518', '0344', 'WLZ'] as const;
/** Live modules; Eigen regie has no live leader and appears only on demand. */
const modules = ['communicatie', 'fit-en-vitaal', 'vaardig-en-creatief', 'talent-en-ambitie'] as const;
const onDemandModules = [...modules, 'eigen-regie', 'eigen-regie'] as const;
const contracts = contractsFileSchema.parse({
	version: 1,
	contracts: [
		{ financer: '0363', unit: 'dagdeel', productCode: '07A03', tariffCents: 3500 },
		{ financer: '0518', unit: 'dagdeel', productCode: '07A03', tariffCents: 3650, pairing: 'month', threshold: { minutes: 45 } },
		{ financer: '0344', unit: 'dagdeel', productCode: '07A03', tariffCents: 3400, excludedModules: ['talent-en-ambitie'] },
		{ financer: '0599', unit: 'hour', productCode: '07A08', tariffCents: 5400 },
		{ financer: 'WLZ', unit: 'none' },
	],
}).contracts;
const clientIds = Array.from({ length: clients }, (_, i) => `client-${String(i).padStart(5, '0')}`);
const indications = indicationsFileSchema.parse({
	version: 1,
	indications: clientIds.map((clientId, i) => ({
		clientId,
		financer: pick(financers),
		validFrom: i % 40 === 0 ? '2024-03-15' : '2023-01-01',
		team: `team-${i % 12}`,
	})),
}).indications;

/** March 2024: weekday sessions of 90 min at 10:00 and 14:00 (Amsterdam, UTC+1), up to 8 clients each. */
function generate(): string {
	const lines: string[] = [];
	let n = 0;
	const push = (at: number, type: string, fields: Record<string, unknown>) =>
		lines.push(JSON.stringify({ id: `ev-${(n++).toString(36)}`, at, tenantId: 'zorg-a', type, ...fields }));
	const active = clientIds.filter(() => random() < activeShare);
	const wanted = new Map(active.map((c) => [c, int(2, 6)]));
	const days: number[] = [];
	for (let d = 1; d <= 31; d++) {
		const t = Date.UTC(2024, 2, d);
		const weekday = new Date(t).getUTCDay();
		if (weekday !== 0 && weekday !== 6) days.push(t);
	}
	let s = 0;
	for (const day of days) {
		for (const hour of [9, 13]) {
			for (let room = 0; room < Math.ceil(active.length / 40); room++) {
				const sessionId = `s-${s++}`;
				const module = pick(modules);
				const start = day + hour * 3600_000;
				const end = start + 90 * 60_000;
				const group = active.filter((c) => (wanted.get(c) ?? 0) > 0 && random() < 0.2).slice(0, 8);
				push(start - 86_400_000, 'session.scheduled', { sessionId, module, startsAt: start, endsAt: end, invited: group });
				push(start, 'session.started', { sessionId, module });
				attend(push, sessionId, 'begeleider', 'host', module, start, end);
				for (const c of group) {
					wanted.set(c, wanted.get(c)! - 1);
					if (random() < 0.1) continue; // invited, never came
					attend(
						push,
						sessionId,
						c,
						'participant',
						module,
						start + int(0, 10) * 60_000,
						end - (random() < 0.2 ? int(10, 70) * 60_000 : 0),
					);
				}
				if (random() < 0.97) push(end, 'session.ended', { sessionId, reason: 'ended' }); // 3 % end in a crash
			}
		}
	}
	for (const c of active)
		if (random() < 0.3)
			push(days[int(0, days.length - 1)]! + 19 * 3600_000, 'library.watch', {
				itemId: `item-${int(1, 40)}`,
				participantId: c,
				event: 'progress',
				positionSeconds: int(60, 1500),
				durationSeconds: 1800,
				module: pick(onDemandModules),
			});
	return `${lines.join('\n')}\n`;
}

type Push = (at: number, type: string, fields: Record<string, unknown>) => void;

/** A join, a heartbeat every 15 s, a leave; one in five has a reconnect (a dropped connection, back after 30-150 s). */
function attend(push: Push, sessionId: string, participantId: string, role: string, module: string, from: number, to: number): void {
	const dropAt = random() < 0.2 ? from + int(5, 60) * 60_000 : null;
	let connection = `${sessionId}-${participantId}-a`;
	push(from, 'participant.joined', { sessionId, participantId, role, connectionId: connection, module });
	for (let t = from + 15_000; t < to; t += 15_000) {
		if (dropAt !== null && t >= dropAt && connection.endsWith('-a')) {
			t += int(30, 150) * 1000;
			connection = `${sessionId}-${participantId}-b`;
			push(t, 'participant.joined', { sessionId, participantId, role, connectionId: connection, module });
			continue;
		}
		push(t, 'participant.heartbeat', { sessionId, participantId, connectionId: connection });
	}
	push(to, 'participant.left', { sessionId, participantId, connectionId: connection, reason: 'left' });
}

type Engine = { name: string; lib: typeof Attendance };
const engines: Engine[] = [{ name: 'this checkout', lib: await import('../../packages/engine/src/attendance/index.ts') }];
if (values.against) {
	const path = resolve(values.against, 'packages/engine/src/attendance/index.ts');
	engines.push({ name: values.against, lib: (await import(pathToFileURL(path).href)) as typeof Attendance });
}

function read(lib: typeof Attendance, text: string): LedgerEvent[] {
	const events: LedgerEvent[] = [];
	for (const line of text.split('\n')) {
		if (line === '') continue;
		const p = lib.parseLedgerEvent(JSON.parse(line));
		if (p.ok && p.event) events.push(p.event as LedgerEvent);
	}
	return events;
}

/** `timed` for a step that awaits. */
async function timedAsync<T>(work: () => Promise<T>): Promise<{ value: T; wall: number; cpu: number }> {
	const c = process.cpuUsage();
	const t = performance.now();
	const value = await work();
	const wall = performance.now() - t;
	const u = process.cpuUsage(c);
	return { value, wall, cpu: (u.user + u.system) / 1000 };
}

/** Wall and CPU time (user + system) of one step, ms: CPU time is steadier on a shared machine. */
function timed<T>(work: () => T): { value: T; wall: number; cpu: number } {
	const c = process.cpuUsage();
	const t = performance.now();
	const value = work();
	const wall = performance.now() - t;
	const u = process.cpuUsage(c);
	return { value, wall, cpu: (u.user + u.system) / 1000 };
}

const text = generate();
if (process.env.DUMP_LEDGER) writeFileSync(process.env.DUMP_LEDGER, text);
const lineCount = text.split('\n').length - 1;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
type Times = { wall: number[]; cpu: number[] };
const times = engines.map(() => ({ baseline: { wall: [], cpu: [] } as Times, billing: { wall: [], cpu: [] } as Times }));
const outputs = engines.map(() => ({ csv: '', json: '' }));
let summary = '';
for (let r = 0; r < runs; r++) {
	for (const [i, { lib }] of engines.entries()) {
		const base = timed(() => lib.canonicalOrder(read(lib, text)));
		times[i]!.baseline.wall.push(base.wall);
		times[i]!.baseline.cpu.push(base.cpu);
		const run = timed(() => {
			const result = lib.bill({ events: read(lib, text), contracts, indications, from: '2024-03', to: '2024-03' });
			return { result, csv: lib.billingToCsv(result) };
		});
		times[i]!.billing.wall.push(run.wall);
		times[i]!.billing.cpu.push(run.cpu);
		const { result, csv } = run.value;
		if (r === runs - 1) outputs[i] = { csv, json: lib.billingToJson(result) };
		if (i > 0) continue;
		const billed = result.lines.reduce((sum, l) => sum + l.activities, 0);
		const reasons = new Map<string, number>();
		for (const e of result.exceptions) reasons.set(e.reason, (reasons.get(e.reason) ?? 0) + 1);
		const why = [...reasons]
			.sort()
			.map(([k, v]) => `${k} ${v}`)
			.join(', ');
		summary = `${billed} activities billed in ${result.lines.length} lines; exceptions: ${why}; ${csv.length} bytes of CSV`;
	}
}
if (values.out) {
	writeFileSync(`${values.out}.csv`, outputs[0]!.csv);
	writeFileSync(`${values.out}.json`, outputs[0]!.json);
}
console.log(
	`clients ${clients}, active share ${activeShare}, seed ${values.seed}: ${lineCount} events (${(text.length / 1e6).toFixed(1)} MB of JSON lines)`,
);
console.log(`result: ${summary}`);
const list = (xs: number[]) => xs.map((x) => x.toFixed(0)).join(', ');
for (const [i, { name }] of engines.entries()) {
	const { baseline, billing } = times[i]!;
	console.log(`[${name}]`);
	for (const k of ['wall', 'cpu'] as const) {
		const b = median(baseline[k]);
		const m = median(billing[k]);
		console.log(`  baseline (read + check + order), ${k}, median of ${runs}: ${b.toFixed(0)} ms   [${list(baseline[k])}]`);
		console.log(`  bill (read + check + bill + CSV), ${k}, median of ${runs}: ${m.toFixed(0)} ms   [${list(billing[k])}]`);
		console.log(`  ratio bill / baseline (${k}): ${(m / b).toFixed(2)}`);
	}
}
if (engines.length === 2) {
	const same = outputs[0]!.csv === outputs[1]!.csv && outputs[0]!.json === outputs[1]!.json;
	console.log(`CSV and JSON the same to the byte as ${engines[1]!.name}: ${same ? 'yes' : 'NO'}`);
	for (const k of ['wall', 'cpu'] as const) {
		const ratio = median(times[1]!.billing[k]) / median(times[0]!.billing[k]);
		console.log(`bill: ${engines[1]!.name} / this checkout (${k}): ${ratio.toFixed(2)}`);
	}
	if (!same) process.exitCode = 1;
}

// The host's path: the month in a file log, billed through the snapshot, cold then warm.
const lib = engines[0]!.lib;
const dataDir = mkdtempSync(join(tmpdir(), 'luwte-bench-billing-'));
try {
	mkdirSync(join(dataDir, 'attendance'));
	writeFileSync(join(dataDir, 'attendance', 'events.jsonl'), text);
	const log = await lib.AttendanceLog.open(dataDir);
	const snapshots = new lib.BillingSnapshots(log);
	const readLog = async () => {
		const events: LedgerEvent[] = [];
		for await (const raw of log.replay({ tenantId: 'zorg-a' })) {
			const p = lib.parseLedgerEvent(raw);
			if (p.ok && p.event) events.push(p.event);
		}
		return events;
	};
	const billStore = () =>
		timedAsync(async () => {
			const derived = await snapshots.derivation('zorg-a', '2024-03', '2024-03', readLog);
			const result = lib.billDerived(derived, { contracts, indications, from: '2024-03', to: '2024-03' });
			return { csv: lib.billingToCsv(result), json: lib.billingToJson(result) };
		});
	const cold = await billStore();
	const warm: Times = { wall: [], cpu: [] };
	let same = cold.value.csv === outputs[0]!.csv && cold.value.json === outputs[0]!.json;
	for (let r = 0; r < runs; r++) {
		const run = await billStore();
		warm.wall.push(run.wall);
		warm.cpu.push(run.cpu);
		same &&= run.value.csv === outputs[0]!.csv && run.value.json === outputs[0]!.json;
	}
	await log.close();
	console.log('[this checkout, from the file log through BillingSnapshots]');
	console.log(
		`  bill, snapshot cold (replay + check + derive + bill + CSV + JSON): wall ${cold.wall.toFixed(0)} ms, cpu ${cold.cpu.toFixed(0)} ms`,
	);
	for (const k of ['wall', 'cpu'] as const)
		console.log(
			`  bill again, snapshot warm (position + rules + CSV + JSON), ${k}, median of ${runs}: ${median(warm[k]).toFixed(1)} ms   [${warm[k].map((x) => x.toFixed(1)).join(', ')}]`,
		);
	console.log(
		`  snapshot: ${snapshots.stats.cold} cold, ${snapshots.stats.warm} warm; CSV and JSON the same to the byte as the bill from the events: ${same ? 'yes' : 'NO'}`,
	);
	if (!same || snapshots.stats.warm !== runs) process.exitCode = 1;
} finally {
	rmSync(dataDir, { recursive: true, force: true });
}
