import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startHost, type Host } from '@luwte/host-web';
import { AdminClient, OperatorClient } from '@luwte/sdk/admin';
import { afterAll, describe, expect, it } from 'vitest';
import { testOperatorKey } from '../helpers/host.ts';
import { freePortRange } from '../helpers/ports.ts';
import { startRedis, type TestRedis } from '../helpers/redis-server.ts';
import { waitFor } from '../helpers/wait.ts';

async function hostIn(dataDir: string): Promise<Host> {
	return startHost({
		port: 0,
		hostname: '127.0.0.1',
		dataDir,
		logLevel: 'silent',
		engine: { workerCount: 1, webRtc: { listenIp: '127.0.0.1', portRange: await freePortRange(3), enableTcp: false } },
	});
}

const sessionsStatus = async (url: string, key: string) =>
	(await fetch(`${url}/v1/sessions`, { headers: { authorization: `Bearer ${key}` } })).status;

describe('API key rotation and revocation', () => {
	const dirs: string[] = [];
	afterAll(async () => {
		for (const d of dirs) await rm(d, { recursive: true, force: true });
	});

	it('lets a tenant rotate its key and revoke the old one: the old key is refused at once and after a restart', async () => {
		const dataDir = await mkdtemp(join(tmpdir(), 'luwte-keys-'));
		dirs.push(dataDir);
		let host = await hostIn(dataDir);
		const operatorKey = (await readFile(host.operatorKeyPath!, 'utf8')).trim();
		const op = new OperatorClient({ server: host.url, operatorKey });
		const made = await op.createTenant({ id: 'zorg-oost', name: 'Zorg Oost' });
		const oldKey = made.apiKey;
		expect(made.tenant.keyIds).toEqual([made.keyId]);

		const asOld = new AdminClient({ server: host.url, apiKey: oldKey });
		const rotated = await asOld.rotateKey();
		expect(rotated.apiKey).toMatch(/^lwk_/);
		expect(rotated.keys.map((k) => k.id)).toEqual([made.keyId, rotated.keyId]);
		// Until it is revoked the old key keeps working: the backend can switch over first.
		expect(await sessionsStatus(host.url, oldKey)).toBe(200);
		const asNew = new AdminClient({ server: host.url, apiKey: rotated.apiKey });
		expect((await asNew.listKeys()).keys.map((k) => k.id)).toEqual([made.keyId, rotated.keyId]);
		// Only hashes are stored: neither key is in the tenants file.
		const file = await readFile(join(dataDir, 'tenants.json'), 'utf8');
		expect(file).not.toContain(oldKey);
		expect(file).not.toContain(rotated.apiKey);

		expect((await asNew.revokeKey(made.keyId)).keys.map((k) => k.id)).toEqual([rotated.keyId]);
		expect(await sessionsStatus(host.url, oldKey)).toBe(401);
		expect(await sessionsStatus(host.url, rotated.apiKey)).toBe(200);
		await host.close();

		host = await hostIn(dataDir);
		try {
			expect(await sessionsStatus(host.url, oldKey)).toBe(401);
			expect(await sessionsStatus(host.url, rotated.apiKey)).toBe(200);
		} finally {
			await host.close();
		}
	});

	it('refuses revoking the last key, an unknown or malformed key ID, and keys of another tenant', async () => {
		const dataDir = await mkdtemp(join(tmpdir(), 'luwte-keys-'));
		dirs.push(dataDir);
		const host = await hostIn(dataDir);
		try {
			const operatorKey = (await readFile(host.operatorKeyPath!, 'utf8')).trim();
			const op = new OperatorClient({ server: host.url, operatorKey });
			const a = await op.createTenant({ id: 'zorg-a', name: 'A' });
			const b = await op.createTenant({ id: 'zorg-b', name: 'B' });
			const asA = new AdminClient({ server: host.url, apiKey: a.apiKey });
			await expect(asA.revokeKey(a.keyId)).rejects.toMatchObject({ status: 409, code: 'conflict' });
			await asA.rotateKey();
			await expect(asA.revokeKey('0000000000000000')).rejects.toMatchObject({ status: 404, code: 'not_found' });
			await expect(asA.revokeKey('xyz')).rejects.toMatchObject({ status: 400, code: 'invalid_params' });
			// Tenant B's key ID means nothing to tenant A: its key stays valid.
			await expect(asA.revokeKey(b.keyId)).rejects.toMatchObject({ status: 404 });
			expect(await sessionsStatus(host.url, b.apiKey)).toBe(200);
			// Key management needs the tenant's key, not a join or library token, nor no key.
			expect((await fetch(`${host.url}/v1/keys`, { method: 'POST' })).status).toBe(401);

			// The operator revokes by ID too (e.g. a leaked key), with the same rules.
			const extra = await op.addTenantKey('zorg-b');
			const afterRevoke = await op.revokeTenantKey('zorg-b', b.keyId.slice(0, 8));
			expect(afterRevoke.keyIds).toEqual([extra.keyId]);
			expect(await sessionsStatus(host.url, b.apiKey)).toBe(401);
			expect(await sessionsStatus(host.url, extra.apiKey)).toBe(200);
			await expect(op.revokeTenantKey('zorg-b', extra.keyId)).rejects.toMatchObject({ status: 409 });
			await expect(op.revokeTenantKey('zorg-x', extra.keyId)).rejects.toMatchObject({ status: 404 });
		} finally {
			await host.close();
		}
	});
});

describe('API key revocation across hosts sharing Redis', () => {
	let redis: TestRedis | undefined;
	const hosts: Host[] = [];
	const dirs: string[] = [];
	afterAll(async () => {
		for (const h of hosts) await h.close();
		await redis?.close();
		for (const d of dirs) await rm(d, { recursive: true, force: true });
	});

	it('a key revoked on one host is refused on the other', async () => {
		redis = await startRedis();
		for (let i = 0; i < 2; i++) {
			const dataDir = await mkdtemp(join(tmpdir(), 'luwte-keys-redis-'));
			dirs.push(dataDir);
			hosts.push(
				await startHost({
					port: 0,
					hostname: '127.0.0.1',
					dataDir,
					logLevel: 'silent',
					redisUrl: redis.url,
					operatorKey: testOperatorKey,
					engine: { workerCount: 1, webRtc: { listenIp: '127.0.0.1', portRange: await freePortRange(3), enableTcp: false } },
				}),
			);
		}
		const [a, b] = hosts as [Host, Host];
		const made = await new OperatorClient({ server: a.url, operatorKey: testOperatorKey }).createTenant({
			id: 'zorg-midden',
			name: 'Midden',
		});
		await waitFor(() => b.tenants.get('zorg-midden') !== undefined, 30_000, 'the tenant on host B');
		const rotated = await new AdminClient({ server: b.url, apiKey: made.apiKey }).rotateKey();
		await waitFor(() => a.tenants.get('zorg-midden')?.apiKeyHashes.length === 2, 30_000, 'the new key on host A');
		expect(await sessionsStatus(a.url, rotated.apiKey)).toBe(200);
		await new AdminClient({ server: a.url, apiKey: rotated.apiKey }).revokeKey(made.keyId);
		await waitFor(async () => (await sessionsStatus(b.url, made.apiKey)) === 401, 30_000, 'the old key refused on host B');
		expect(await sessionsStatus(b.url, rotated.apiKey)).toBe(200);
	});
});

describe('API key rotation with a grace period', () => {
	let host: Host;
	let dataDir: string;
	afterAll(async () => {
		await host?.close();
		if (dataDir) await rm(dataDir, { recursive: true, force: true });
	});

	it('ends the old keys at once (graceSeconds 0) or after the grace period', async () => {
		dataDir = await mkdtemp(join(tmpdir(), 'luwte-keys-grace-'));
		host = await hostIn(dataDir);
		const op = new OperatorClient({ server: host.url, operatorKey: (await readFile(host.operatorKeyPath!, 'utf8')).trim() });
		const made = await op.createTenant({ id: 'zorg-zee', name: 'Zee' });

		const now = await new AdminClient({ server: host.url, apiKey: made.apiKey }).rotateKey({ graceSeconds: 0 });
		expect(now.keys.map((k) => k.id)).toEqual([now.keyId]);
		expect(await sessionsStatus(host.url, made.apiKey)).toBe(401);

		const asNow = new AdminClient({ server: host.url, apiKey: now.apiKey });
		const t0 = Date.now();
		const later = await asNow.rotateKey({ graceSeconds: 2 });
		const old = later.keys.find((k) => k.id === now.keyId)!;
		expect(Date.parse(old.expiresAt!) - t0).toBeGreaterThan(1000);
		expect(later.keys.find((k) => k.id === later.keyId)!.expiresAt).toBeUndefined();
		// During the grace period both keys work; then only the new one, with nobody revoking anything.
		expect(await sessionsStatus(host.url, now.apiKey)).toBe(200);
		await waitFor(
			async () => (await sessionsStatus(host.url, now.apiKey)) === 401,
			30_000,
			'the old key refused after its grace period',
		);
		expect(Date.now() - t0).toBeGreaterThanOrEqual(2000);
		expect(await sessionsStatus(host.url, later.apiKey)).toBe(200);
		expect((await new AdminClient({ server: host.url, apiKey: later.apiKey }).listKeys()).keys).toEqual([{ id: later.keyId }]);
		expect((await op.listTenants()).tenants.find((t) => t.id === 'zorg-zee')).toMatchObject({ apiKeys: 1, keyIds: [later.keyId] });
		await expect(asNow.rotateKey({ graceSeconds: -1 })).rejects.toMatchObject({ status: 401 });
		const bad = await new AdminClient({ server: host.url, apiKey: later.apiKey })
			.rotateKey({ graceSeconds: 31 * 86_400 })
			.catch((e) => e);
		expect(bad).toMatchObject({ status: 400, code: 'invalid_params' });
	});
});
