import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AttendanceLog } from '@luwte/engine/attendance';
import { afterAll } from 'vitest';
import { storeSuite } from './store-suite.ts';

// The embedded store: a JSON-lines file under the data directory.
const dirs: string[] = [];
afterAll(() => {
	for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

storeSuite('embedded file', {
	async fresh() {
		const dir = mkdtempSync(join(tmpdir(), 'luwte-ledger-'));
		dirs.push(dir);
		return {
			async open() {
				const log = await AttendanceLog.open(dir);
				// Every line on disk is one complete event, also after a rewrite.
				for (const line of readFileSync(log.path, 'utf8').split('\n').filter(Boolean)) JSON.parse(line);
				return log;
			},
		};
	},
});
