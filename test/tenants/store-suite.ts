import { hashApiKey, newApiKey, newTokenSecret, TenantDirectory, type Tenant, type TenantStore } from '@luwte/engine/auth';
import { afterEach, describe, expect, it } from 'vitest';

/** One empty store per test; `open` may be called again after `close` (a restart of the host). */
export interface TenantStoreHarness {
	fresh(): Promise<{
		open(): Promise<TenantStore>;
		/** Makes every write fail until `repair` (the disk or Redis gone). */
		breakWrites(): Promise<void>;
		repair(): Promise<void>;
	}>;
}

export function tenantInput(id: string, extra: Record<string, unknown> = {}) {
	return { id, name: `Zorg ${id}`, apiKeyHashes: [hashApiKey(newApiKey())], tokenSecret: newTokenSecret(), ...extra };
}

function errorOf(p: Promise<unknown>): Promise<{ code?: string; details?: { fields?: { field: string }[] } }> {
	return p.then(
		() => {
			throw new Error('expected a refusal');
		},
		(err: unknown) => err as { code?: string },
	);
}

/** The same cases for every tenant store: what a host relies on when it answers the operator. */
export function tenantStoreSuite(name: string, harness: TenantStoreHarness): void {
	describe(`tenant store: ${name}`, () => {
		const open: TenantStore[] = [];
		const toRepair: (() => Promise<void>)[] = [];
		async function start() {
			const backing = await harness.fresh();
			return {
				...backing,
				async open() {
					const s = await backing.open();
					open.push(s);
					return s;
				},
				async breakWrites() {
					toRepair.push(backing.repair);
					await backing.breakWrites();
				},
			};
		}
		afterEach(async () => {
			for (const r of toRepair.splice(0)) await r();
			for (const s of open.splice(0)) await s.close();
		});

		it('adds and changes tenants, and has them again after a reopen, with session defaults and limits', async () => {
			const backing = await start();
			const store = await backing.open();
			expect(await store.list()).toEqual([]);
			const a = await store.add(tenantInput('zorg-a', { allowedOrigins: ['https://zorg-a.example'] }));
			expect(a).toMatchObject({
				id: 'zorg-a',
				allowedOrigins: ['https://zorg-a.example'],
				stimulusProfiles: [],
				lifecycle: {},
				quotas: {},
			});
			await store.add(tenantInput('zorg-b', { lifecycle: { idleEndSeconds: 300 }, quotas: { liveSessions: 3 } }));
			const seen: string[] = [];
			const changed = await store.update('zorg-a', (current) => {
				seen.push(current.name);
				return { name: 'Zorg A-Oost', quotas: { sessionsPerDay: 20 } };
			});
			expect(seen).toEqual(['Zorg zorg-a']);
			expect(changed).toMatchObject({
				id: 'zorg-a',
				name: 'Zorg A-Oost',
				quotas: { sessionsPerDay: 20 },
				tokenSecret: a.tokenSecret,
			});
			await store.close();

			const again = await backing.open();
			const byId = Object.fromEntries((await again.list()).map((t) => [t.id, t]));
			expect(Object.keys(byId).sort()).toEqual(['zorg-a', 'zorg-b']);
			expect(byId['zorg-a']).toEqual(changed);
			expect(byId['zorg-b']).toMatchObject({ lifecycle: { idleEndSeconds: 300 }, quotas: { liveSessions: 3 } });
		});

		it('refuses a bad tenant, a taken ID and an unknown one, and changes nothing', async () => {
			const backing = await start();
			const store = await backing.open();
			const a = await store.add(tenantInput('zorg-a'));
			const bad = await errorOf(store.add(tenantInput('Zorg B', { quotas: { liveSessions: 0 } })));
			expect(bad.code).toBe('invalid_argument');
			expect(bad.details?.fields?.map((f) => f.field)).toEqual(['id', 'quotas.liveSessions']);
			expect((await errorOf(store.add(tenantInput('zorg-a')))).code).toBe('conflict');
			expect((await errorOf(store.update('zorg-a', () => ({ lifecycle: { idleEndSeconds: 1 } })))).code).toBe('invalid_argument');
			expect((await errorOf(store.update('zorg-a', () => ({ apiKeyHashes: [] })))).code).toBe('invalid_argument');
			expect((await errorOf(store.update('zorg-x', () => ({ name: 'X' })))).code).toBe('not_found');
			expect(await store.list()).toEqual([a]);
			await store.close();
			expect(await (await backing.open()).list()).toEqual([a]);
		});

		it('keeps every change made at once (two API keys added together)', async () => {
			const store = await (await start()).open();
			await store.add(tenantInput('zorg-a'));
			const keys = [hashApiKey(newApiKey()), hashApiKey(newApiKey()), hashApiKey(newApiKey())];
			await Promise.all(keys.map((k) => store.update('zorg-a', (t) => ({ apiKeyHashes: [...t.apiKeyHashes, k] }))));
			const [stored] = await store.list();
			expect(stored!.apiKeyHashes).toHaveLength(4);
			expect(stored!.apiKeyHashes).toEqual(expect.arrayContaining(keys));
		});

		it('puts a change into the registry only once it is stored; a failed write changes nothing', async () => {
			const backing = await start();
			const directory = await TenantDirectory.open(await backing.open());
			const a = await directory.add(tenantInput('zorg-a'));
			expect(directory.registry.get('zorg-a')).toEqual(a);
			const b = await directory.update('zorg-a', () => ({ name: 'Zorg A-Oost' }));
			expect(directory.registry.get('zorg-a')).toEqual(b);

			await backing.breakWrites();
			expect((await errorOf(directory.add(tenantInput('zorg-b')))).code).toBe('unavailable');
			expect((await errorOf(directory.update('zorg-a', () => ({ name: 'Zorg A-West' })))).code).toBe('unavailable');
			expect(directory.registry.list()).toEqual([b]);
			await backing.repair();
			toRepair.length = 0;

			const reopened = await TenantDirectory.open(await backing.open());
			expect(reopened.registry.list()).toEqual([b]);
			// Writable again.
			await reopened.add(tenantInput('zorg-b'));
			expect(reopened.registry.list().map((t: Tenant) => t.id)).toEqual(['zorg-a', 'zorg-b']);
		});
	});
}
