import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const bin = join(root, 'apps', 'host-cli', 'bin', 'luwte.mjs');
const example = join(root, 'examples', 'billing');

function luwte(args: string[]): Promise<{ code: number | null; out: string; err: string }> {
	const child = spawn(process.execPath, [bin, 'attendance', ...args], {
		stdio: ['ignore', 'pipe', 'pipe'],
		env: { PATH: process.env.PATH },
	});
	let out = '';
	let err = '';
	child.stdout!.on('data', (d) => (out += d));
	child.stderr!.on('data', (d) => (err += d));
	return new Promise((resolve) => child.once('exit', (code) => resolve({ code, out, err })));
}

const files = (
	events = join(example, 'events.jsonl'),
	contracts = join(example, 'contracts.json'),
	indications = join(example, 'indications.json'),
) => ['bill', '--events', events, '--contracts', contracts, '--indications', indications, '--from', '2024-03', '--to', '2024-03'];

describe('luwte attendance bill (offline)', () => {
	let dir = '';
	beforeAll(async () => {
		dir = await mkdtemp(join(tmpdir(), 'luwte-bill-'));
	});
	afterAll(async () => {
		if (dir) await rm(dir, { recursive: true, force: true });
	});

	for (const format of ['csv', 'json'] as const) {
		it(`gives exactly the example's expected ${format}, twice`, async () => {
			const expected = await readFile(join(example, `expected-2024-03.${format}`), 'utf8');
			const first = await luwte([...files(), '--format', format]);
			const second = await luwte([...files(), '--format', format]);
			expect(first.err).toBe('');
			expect(first.code).toBe(0);
			expect(first.out).toBe(expected);
			expect(second.out).toBe(expected);
		});
	}

	it('gives the same bytes when the ledger export lists the events in another order', async () => {
		const lines = (await readFile(join(example, 'events.jsonl'), 'utf8')).trim().split('\n');
		const reversed = join(dir, 'reversed.jsonl');
		await writeFile(reversed, `${lines.reverse().join('\n')}\n`);
		const out = await luwte([...files(reversed), '--format', 'csv']);
		expect(out.out).toBe(await readFile(join(example, 'expected-2024-03.csv'), 'utf8'));
	});

	it('names the line and field of a bad event, with a usage error', async () => {
		const bad = join(dir, 'bad.jsonl');
		await writeFile(
			bad,
			'{"id":"a","at":1,"tenantId":"t","type":"session.ended","sessionId":"s","reason":"ended"}\n{"id":"b","at":"yesterday","tenantId":"t","type":"session.ended"}\n',
		);
		const out = await luwte([...files(bad)]);
		expect(out.code).toBe(2);
		expect(out.err).toContain('bad.jsonl line 2, field at');
		expect(out.out).toBe('');
	});

	it('names the field of a bad contract and of a bad indication', async () => {
		const contracts = join(dir, 'contracts.json');
		await writeFile(
			contracts,
			JSON.stringify({ version: 1, contracts: [{ financer: '0363', unit: 'dagdeel', productCode: '07A03', tariffCents: 35.5 }] }),
		);
		const c = await luwte([...files(undefined, contracts)]);
		expect(c.code).toBe(2);
		expect(c.err).toContain('contracts.json, field contracts.0.tariffCents');

		const indications = join(dir, 'indications.json');
		await writeFile(
			indications,
			JSON.stringify({ version: 1, indications: [{ clientId: 'x', financer: 'Amsterdam', validFrom: '2024-01-01' }] }),
		);
		const i = await luwte([...files(undefined, undefined, indications)]);
		expect(i.code).toBe(2);
		expect(i.err).toContain('indications.json, field indications.0.financer');
	});

	it('refuses a bad period and a missing file as usage errors', async () => {
		const period = await luwte(['bill', ...files().slice(1, 7), '--from', '2024-3', '--to', '2024-03']);
		expect(period.code).toBe(2);
		expect(period.err).toContain('--from must be a month as YYYY-MM');
		const missing = await luwte([...files(join(dir, 'nothing.jsonl'))]);
		expect(missing.code).toBe(2);
		expect(missing.err).toContain('ENOENT');
	});
});
