/**
 * What a host pays at start-up for the age of its file ledger: `AttendanceLog.open` (reads every
 * line to know the IDs already stored) and the library's replay of `library.watch` events (resume
 * positions), for a ledger of 1, 2 and 3 copies of the seeded billing month (bench/src/billing.ts
 * writes it with `DUMP_LEDGER=path`). Each copy gets its own IDs and is shifted by 31 days.
 *
 *   DUMP_LEDGER=/tmp/month.jsonl node_modules/.bin/node bench/src/billing.ts --runs 1
 *   node_modules/.bin/node bench/src/ledger-open.ts --month /tmp/month.jsonl [--copies 3] [--against dir]
 *
 * `--against dir` also opens each ledger with the store code of another checkout, in the same run.
 */
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { AttendanceLog } from '../../packages/engine/src/attendance/index.ts';

const { values } = parseArgs({
	options: { month: { type: 'string' }, copies: { type: 'string', default: '3' }, against: { type: 'string' } },
});
const stores: { name: string; Log: typeof AttendanceLog }[] = [{ name: 'this checkout', Log: AttendanceLog }];
if (values.against) {
	const path = pathToFileURL(resolve(values.against, 'packages/engine/src/attendance/index.ts')).href;
	stores.push({ name: values.against, Log: ((await import(path)) as { AttendanceLog: typeof AttendanceLog }).AttendanceLog });
}
if (!values.month) throw new Error('--month <path of a JSON-lines ledger> is required');
const month = (await readFile(values.month, 'utf8')).split('\n').filter((l) => l !== '');
const DAY = 86_400_000;

for (let copies = 1; copies <= Number(values.copies); copies++) {
	const dir = await mkdtemp(join(tmpdir(), 'luwte-ledger-open-'));
	try {
		await mkdir(join(dir, 'attendance'));
		const lines: string[] = [];
		for (let c = 0; c < copies; c++)
			for (const line of month) {
				const e = JSON.parse(line) as { id: string; at: number };
				lines.push(JSON.stringify({ ...e, id: `${e.id}-${c}`, at: e.at + c * 31 * DAY }));
			}
		await writeFile(join(dir, 'attendance', 'events.jsonl'), `${lines.join('\n')}\n`);
		for (const { name, Log } of stores) {
			let t = performance.now();
			const log = await Log.open(dir);
			const open = performance.now() - t;
			t = performance.now();
			let watches = 0;
			for await (const _ of log.replay({ type: 'library.watch' })) watches++;
			const replay = performance.now() - t;
			await log.close();
			console.log(
				`[${name}] ${copies} month(s), ${lines.length} events: open ${open.toFixed(0)} ms, replay of ${watches} library.watch ${replay.toFixed(0)} ms`,
			);
		}
	} finally {
		await rm(dir, { recursive: true, force: true });
	}
}
