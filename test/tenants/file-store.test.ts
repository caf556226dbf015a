import { mkdtempSync, rmSync } from 'node:fs';
import { readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileTenantStore } from '@luwte/engine/auth';
import { afterAll, expect, it } from 'vitest';
import { tenantInput, tenantStoreSuite } from './store-suite.ts';

// The one-host store: `<dataDir>/tenants.json`.
const dirs: string[] = [];
afterAll(() => {
	for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
function dataDir(): string {
	const dir = mkdtempSync(join(tmpdir(), 'luwte-tenants-'));
	dirs.push(dir);
	return dir;
}

tenantStoreSuite('tenants file', {
	async fresh() {
		const dir = dataDir();
		return {
			open: () => FileTenantStore.open(dir),
			// A file where the data directory was: nothing can be written under it.
			async breakWrites() {
				await rename(dir, `${dir}.away`);
				await writeFile(dir, 'not a folder');
			},
			async repair() {
				await rm(dir, { force: true });
				await rename(`${dir}.away`, dir);
			},
		};
	},
});

it('writes tenants.json as a private JSON array that a host of an earlier version reads', async () => {
	const dir = dataDir();
	const store = await FileTenantStore.open(dir);
	expect(store.existed).toBe(false);
	const a = await store.add(tenantInput('zorg-a'));
	await store.close();
	const path = join(dir, 'tenants.json');
	expect((await stat(path)).mode & 0o777).toBe(0o600);
	expect(JSON.parse(await readFile(path, 'utf8'))).toEqual([a]);
	expect((await FileTenantStore.open(dir)).existed).toBe(true);
});

it('refuses a tenants file that is not a list of valid, distinct tenants', async () => {
	const dir = dataDir();
	const path = join(dir, 'tenants.json');
	for (const [text, message] of [
		['{', 'not valid JSON'],
		['{"id":"zorg-a"}', 'array of tenants'],
		[JSON.stringify([{ id: 'zorg-a' }]), 'invalid tenant at "name"'],
		[JSON.stringify([tenantInput('zorg-a'), tenantInput('zorg-a')]), 'tenant zorg-a twice'],
	] as const) {
		await writeFile(path, text);
		await expect(FileTenantStore.open(dir)).rejects.toMatchObject({
			code: 'invalid_config',
			message: expect.stringContaining(message),
		});
	}
});
