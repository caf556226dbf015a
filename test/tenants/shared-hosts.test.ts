import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileTenantStore } from '@luwte/engine/auth';
import { startHost, type Host } from '@luwte/host-web';
import { AdminClient, OperatorClient } from '@luwte/sdk/admin';
import { createClient } from 'redis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { freePortRange } from '../helpers/ports.ts';
import { startRedis, type TestRedis } from '../helpers/redis-server.ts';
import { testOperatorKey } from '../helpers/host.ts';
import { waitFor } from '../helpers/wait.ts';
import { tenantInput } from './store-suite.ts';

// Real hosts (each with its own mediasoup worker and data directory) sharing one real Redis.
let redis: TestRedis;
const hosts: Host[] = [];
const dirs: string[] = [];
beforeAll(async () => {
	redis = await startRedis();
});
afterAll(async () => {
	await redis?.close();
	for (const d of dirs) await rm(d, { recursive: true, force: true });
});
beforeEach(async () => {
	const client = createClient({ url: redis.url });
	await client.connect();
	await client.flushAll();
	await client.close();
});
afterEach(async () => {
	for (const h of hosts.splice(0)) await h.close();
});

async function dataDir(): Promise<string> {
	const dir = await mkdtemp(join(tmpdir(), 'luwte-shared-'));
	dirs.push(dir);
	return dir;
}

async function hostOn(dir: string): Promise<Host> {
	const host = await startHost({
		port: 0,
		hostname: '127.0.0.1',
		dataDir: dir,
		logLevel: 'silent',
		redisUrl: redis.url,
		operatorKey: testOperatorKey,
		engine: { workerCount: 1, webRtc: { listenIp: '127.0.0.1', portRange: await freePortRange(3), enableTcp: false } },
	});
	hosts.push(host);
	return host;
}

describe('tenants shared by hosts through Redis', () => {
	it('a tenant the operator adds on one host creates sessions on the other with its key; changes travel both ways', async () => {
		const [dirA, dirB] = [await dataDir(), await dataDir()];
		const [a, b] = [await hostOn(dirA), await hostOn(dirB)];
		const made = await new OperatorClient({ server: a.url, operatorKey: testOperatorKey }).createTenant({
			id: 'zorg-noord',
			name: 'Zorg Noord',
			allowedOrigins: ['https://zorg-noord.example'],
			quotas: { liveSessions: 5 },
		});
		expect(made.tenant).toMatchObject({ id: 'zorg-noord', lifecycle: {}, quotas: { liveSessions: 5 }, apiKeys: 1 });
		await waitFor(() => b.tenants.get('zorg-noord') !== undefined, 30_000, 'the new tenant on host B');
		const session = await new AdminClient({ server: b.url, apiKey: made.apiKey }).createSession({ title: 'Koffie-uurtje' });
		expect(session.id).toMatch(/./);

		// A key added on B works on A; B's change of the session defaults is A's too.
		const opB = new OperatorClient({ server: b.url, operatorKey: testOperatorKey });
		const rotated = await opB.addTenantKey('zorg-noord');
		expect(rotated.tenant.apiKeys).toBe(2);
		const changed = await opB.updateTenant('zorg-noord', { lifecycle: { joinLeadSeconds: 600, idleEndSeconds: 120 } });
		expect(changed.lifecycle).toEqual({ joinLeadSeconds: 600, idleEndSeconds: 120 });
		await waitFor(() => a.tenants.get('zorg-noord')?.lifecycle.idleEndSeconds === 120, 30_000, "B's change on host A");
		expect(a.tenants.get('zorg-noord')!.apiKeyHashes).toHaveLength(2);
		const onA = await new AdminClient({ server: a.url, apiKey: rotated.apiKey }).listSessions();
		expect(onA.sessions).toBeDefined();
		// Redis holds them: neither host wrote a tenants file.
		for (const dir of [dirA, dirB]) await expect(stat(join(dir, 'tenants.json'))).rejects.toMatchObject({ code: 'ENOENT' });
	});

	it('imports an existing tenants file into an empty Redis once; the development tenant stays on its host', async () => {
		// A host with neither tenants in Redis nor a tenants file runs on its own development tenant.
		const devDir = await dataDir();
		const dev = await hostOn(devDir);
		expect(dev.devApiKey).toBeDefined();
		expect(JSON.parse(await readFile(join(devDir, 'dev-tenant.json'), 'utf8')).tenant.id).toBe('dev');

		// A host whose data directory has tenants.json brings its tenants into Redis…
		const fileDir = await dataDir();
		const file = await FileTenantStore.open(fileDir);
		const zuid = await file.add(tenantInput('zorg-zuid', { quotas: { sessionsPerDay: 40 } }));
		await file.close();
		const first = await hostOn(fileDir);
		expect(first.tenants.get('zorg-zuid')).toEqual(zuid);
		// …and a host started after it, with an empty data directory, has them too (and no development tenant).
		const second = await hostOn(await dataDir());
		expect(second.devApiKey).toBeUndefined();
		expect(second.tenants.list().map((t) => t.id)).toEqual(['zorg-zuid']);
		// The development host learns of the new tenant but keeps its own development tenant.
		await waitFor(() => dev.tenants.get('zorg-zuid') !== undefined, 30_000, 'the imported tenant on the development host');
		expect(dev.tenants.get('dev')).toBeDefined();
		expect(second.tenants.get('dev')).toBeUndefined();

		// Only once: a change made in Redis is not undone by the file at the next start.
		await new OperatorClient({ server: second.url, operatorKey: testOperatorKey }).updateTenant('zorg-zuid', {
			name: 'Zorg Zuid-Oost',
		});
		await first.close();
		const again = await hostOn(fileDir);
		expect(again.tenants.get('zorg-zuid')!.name).toBe('Zorg Zuid-Oost');
	});
});
