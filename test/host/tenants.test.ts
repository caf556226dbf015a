import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startHost, type Host } from '@luwte/host-web';
import { AdminClient } from '@luwte/sdk/admin';
import { afterAll, describe, expect, it } from 'vitest';
import { freePortRange } from '../helpers/ports.ts';
import { startTestHost, testOperatorKey } from '../helpers/host.ts';

async function hostIn(dataDir: string): Promise<Host> {
	return startHost({
		port: 0,
		hostname: '127.0.0.1',
		dataDir,
		logLevel: 'silent',
		engine: { workerCount: 1, webRtc: { listenIp: '127.0.0.1', portRange: await freePortRange(3), enableTcp: false } },
	});
}

describe('tenants managed by the operator', () => {
	const dirs: string[] = [];
	afterAll(async () => {
		for (const d of dirs) await rm(d, { recursive: true, force: true });
	});

	it('keeps tenants made through the API across a restart; the development tenant then goes away', async () => {
		const dataDir = await mkdtemp(join(tmpdir(), 'luwte-tenants-'));
		dirs.push(dataDir);
		const first = await hostIn(dataDir);
		expect(first.devApiKey).toBeDefined();
		expect((await stat(first.operatorKeyPath!)).mode & 0o777).toBe(0o600);
		const operatorKey = (await readFile(first.operatorKeyPath!, 'utf8')).trim();
		const res = await fetch(`${first.url}/v1/tenants`, {
			method: 'POST',
			headers: { authorization: `Bearer ${operatorKey}`, 'content-type': 'application/json' },
			body: JSON.stringify({ id: 'zorg-noord', name: 'Zorg Noord', allowedOrigins: ['https://zorg-noord.example'] }),
		});
		expect(res.status).toBe(201);
		const { apiKey } = await res.json();
		await first.close();

		const second = await hostIn(dataDir);
		try {
			expect(second.devApiKey).toBeUndefined();
			expect(second.tenants.list().map((t) => t.id)).toEqual(['zorg-noord']);
			const s = await new AdminClient({ server: second.url, apiKey }).createSession({
				title: 'Koffie-uurtje',
				module: 'communicatie',
			});
			expect(s.module).toBe('communicatie');
			expect((await stat(join(dataDir, 'tenants.json'))).mode & 0o777).toBe(0o600);
		} finally {
			await second.close();
		}
	});

	it('refuses tenant management without the operator key, and bad tenants with the field named', async () => {
		const t = await startTestHost();
		try {
			const withTenantKey = await fetch(`${t.host.url}/v1/tenants`, { headers: { authorization: `Bearer ${t.tenants[0]!.apiKey}` } });
			expect(withTenantKey.status).toBe(401);
			const bad = await fetch(`${t.host.url}/v1/tenants`, {
				method: 'POST',
				headers: { authorization: `Bearer ${testOperatorKey}`, 'content-type': 'application/json' },
				body: JSON.stringify({ id: 'Zorg Zuid', name: 'Zorg Zuid', allowedOrigins: ['zorg-zuid.example/pagina'] }),
			});
			expect(bad.status).toBe(400);
			const fields = (await bad.json()).error.details.fields.map((f: { field: string }) => f.field);
			expect(fields).toEqual(['id', 'allowedOrigins.0']);
			const dup = await fetch(`${t.host.url}/v1/tenants`, {
				method: 'POST',
				headers: { authorization: `Bearer ${testOperatorKey}`, 'content-type': 'application/json' },
				body: JSON.stringify({ id: 'zorg-a', name: 'Nog een A' }),
			});
			expect(dup.status).toBe(409);
			expect(t.host.tenants.get('zorg-a')!.name).toBe('zorg-a');
		} finally {
			await t.close();
		}
	});
});
