import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AdminClient } from '@luwte/sdk/admin';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHost, type TestHost } from './helpers/host.ts';

const bin = join(import.meta.dirname, '..', 'apps', 'host-cli', 'bin', 'luwte.mjs');
const examples = join(import.meta.dirname, '..', 'examples', 'billing');
const read = (f: string) => readFileSync(join(examples, f), 'utf8');

describe('luwte attendance against a running host', () => {
	let t: TestHost;
	let env: NodeJS.ProcessEnv;
	beforeAll(async () => {
		t = await startTestHost();
		env = { PATH: process.env.PATH, LUWTE_SERVER: t.host.url, LUWTE_API_KEY: t.tenants[0]!.apiKey };
		const admin = new AdminClient({ server: t.host.url, apiKey: t.tenants[0]!.apiKey });
		await admin.setContracts(JSON.parse(read('contracts.json')));
		await admin.setIndications(JSON.parse(read('indications.json')));
		await t.host.attendance.append(
			read('events.jsonl')
				.trim()
				.split('\n')
				.map((l) => JSON.parse(l)),
		);
	});
	afterAll(() => t?.close());

	function luwte(args: string[], environment = env): Promise<{ code: number | null; out: string; err: string }> {
		const child = spawn(process.execPath, [bin, 'attendance', ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: environment });
		let out = '';
		let err = '';
		child.stdout!.on('data', (d) => (out += d));
		child.stderr!.on('data', (d) => (err += d));
		return new Promise((resolve) => child.once('exit', (code) => resolve({ code, out, err })));
	}

	it('bills the host’s ledger with the same bytes as the offline command, and forgets a client', async () => {
		const online = await luwte(['bill', '--from', '2024-03', '--to', '2024-03', '--format', 'csv']);
		expect(online.code, online.err).toBe(0);
		expect(online.out).toBe(read('expected-2024-03.csv'));
		const offline = await luwte([
			'bill',
			'--events',
			join(examples, 'events.jsonl'),
			'--contracts',
			join(examples, 'contracts.json'),
			'--indications',
			join(examples, 'indications.json'),
			'--from',
			'2024-03',
			'--to',
			'2024-03',
			'--format',
			'csv',
		]);
		expect(offline.out).toBe(online.out);

		const forgotten = await luwte(['forget', 'client-bram']);
		expect(forgotten.code, forgotten.err).toBe(0);
		expect(forgotten.out).toMatch(/^client-bram: \d+ events removed\n$/);
		const after = await luwte(['bill', '--from', '2024-03', '--to', '2024-03', '--format', 'csv']);
		expect(after.out.split('\n')).toEqual(online.out.split('\n').filter((l) => !l.includes(',client-bram,')));

		const noKey = await luwte(['bill', '--from', '2024-03', '--to', '2024-03'], { PATH: process.env.PATH, LUWTE_SERVER: t.host.url });
		expect(noKey.code).toBe(2);
		expect(noKey.err).toMatch(/no API key/);
	});
});
