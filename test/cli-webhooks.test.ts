import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHost, type TestHost } from './helpers/host.ts';
import { freePortRange } from './helpers/ports.ts';
import { waitFor } from './helpers/wait.ts';

const bin = join(import.meta.dirname, '..', 'apps', 'host-cli', 'bin', 'luwte.mjs');

describe('luwte webhooks', () => {
	let t: TestHost;
	let env: NodeJS.ProcessEnv;
	beforeAll(async () => {
		t = await startTestHost();
		env = { PATH: process.env.PATH, LUWTE_SERVER: t.host.url, LUWTE_API_KEY: t.tenants[0]!.apiKey };
	});
	afterAll(() => t?.close());

	function luwte(args: string[]): Promise<{ code: number | null; out: string; err: string }> {
		const child = spawn(process.execPath, [bin, 'webhooks', ...args], { stdio: ['ignore', 'pipe', 'pipe'], env });
		let out = '';
		let err = '';
		child.stdout!.on('data', (d) => (out += d));
		child.stderr!.on('data', (d) => (err += d));
		return new Promise((resolve) => child.once('exit', (code) => resolve({ code, out, err })));
	}

	it('creates, lists, shows the delivery log, redelivers and deletes', { timeout: 120_000 }, async () => {
		// Nothing listens on that port: deliveries stay pending and are retried.
		const hook = `http://127.0.0.1:${(await freePortRange(1)).min}/hook`;
		const made = await luwte(['create', hook, '--events', 'session.scheduled,session.cancelled']);
		expect(made.code, made.err).toBe(0);
		expect(made.out).toMatch(/^whsec_[A-Za-z0-9_-]{43}\n$/);
		const id = /endpoint (whk_[0-9a-f]{16})/.exec(made.err)![1]!;

		const list = await luwte(['list']);
		expect(list.out).toMatch(
			new RegExp(`^ENDPOINT +ENABLED +PENDING +URL +EVENTS\\n${id} +yes +0 +${hook} +session.scheduled,session.cancelled\\n$`),
		);
		const asJson = JSON.parse((await luwte(['list', '--json'])).out);
		expect(asJson).toMatchObject([{ id, enabled: true, events: ['session.scheduled', 'session.cancelled'] }]);
		expect(JSON.stringify(asJson)).not.toContain('whsec_');

		await t.createSession(t.tenants[0]!);
		let log: { id: string; type: string; state: string; attempts: number; lastError: string | null }[] = [];
		await waitFor(
			async () => {
				log = JSON.parse((await luwte(['deliveries', id, '--json'])).out);
				return log.length === 1 && log[0]!.attempts >= 1;
			},
			30_000,
			'a failed attempt in the log',
		);
		expect(log[0]).toMatchObject({ type: 'session.scheduled', state: 'pending' });
		expect(log[0]!.lastError).toMatch(/ECONNREFUSED/);
		expect((await luwte(['deliveries', id])).out).toMatch(
			/^DELIVERY +EVENT +TYPE +STATE +ATTEMPTS +LAST +NEXT\ndlv_\w+ +evt_\w+ +session.scheduled +pending +\d+ +ECONNREFUSED/,
		);
		expect((await luwte(['deliveries', id, '--state', 'delivered'])).out).toBe('no deliveries\n');

		const again = await luwte(['redeliver', id, log[0]!.id]);
		expect(again.code, again.err).toBe(0);
		expect(again.out).toContain(`delivery ${log[0]!.id} (session.scheduled, event evt_`);

		// Usage errors (2) and the host's refusals (1).
		const typo = await luwte(['create', 'https://x.example/h', '--events', 'session.startd']);
		expect(typo.code).toBe(2);
		expect(typo.err).toContain('--events: unknown session.startd');
		const plain = await luwte(['create', 'http://example.org/h']);
		expect(plain.code).toBe(1);
		expect(plain.err).toMatch(/400 \(invalid_params\)/);
		const unknown = await luwte(['redeliver', id, 'dlv_nope']);
		expect(unknown.code).toBe(1);
		expect(unknown.err).toMatch(/404 \(not_found\)/);

		const deleted = await luwte(['delete', id]);
		expect(deleted).toMatchObject({ code: 0, out: `endpoint ${id} deleted (${hook})\n` });
		expect((await luwte(['list'])).out).toBe('no webhook endpoints\n');
	});
});
