import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { hashApiKey, newApiKey, newTokenSecret, TenantRegistry } from '@luwte/engine';
import { z } from 'zod';

const DEV_TENANT_ID = 'dev';

const devFileSchema = z.object({ tenant: z.unknown(), apiKey: z.string().min(1) });

export interface LoadedTenants {
	registry: TenantRegistry;
	/** Set when no tenants were configured and a development tenant is in use. */
	devApiKey?: string;
}

/**
 * Tenants come from `<dataDir>/tenants.json` (an array). When there is none, a development
 * tenant is created once and kept in `<dataDir>/dev-tenant.json` (mode 0600), so its key
 * survives restarts; the host prints that key at start.
 */
export async function loadTenants(dataDir: string): Promise<LoadedTenants> {
	const configured = await readJsonFile(join(dataDir, 'tenants.json'));
	if (configured !== undefined) {
		const list = z.array(z.unknown()).parse(configured);
		return { registry: new TenantRegistry(list) };
	}
	const devPath = join(dataDir, 'dev-tenant.json');
	const existing = await readJsonFile(devPath);
	if (existing !== undefined) {
		const dev = devFileSchema.parse(existing);
		return { registry: new TenantRegistry([dev.tenant]), devApiKey: dev.apiKey };
	}
	const apiKey = newApiKey();
	const tenant = {
		id: DEV_TENANT_ID,
		name: 'Ontwikkeling (development)',
		apiKeyHashes: [hashApiKey(apiKey)],
		tokenSecret: newTokenSecret(),
		// Development only: any website may embed this tenant's sessions.
		allowedOrigins: ['*'],
	};
	await mkdir(dataDir, { recursive: true });
	const tmp = `${devPath}.tmp`;
	await writeFile(tmp, `${JSON.stringify({ tenant, apiKey }, null, 2)}\n`, { mode: 0o600 });
	await chmod(tmp, 0o600);
	await rename(tmp, devPath);
	return { registry: new TenantRegistry([tenant]), devApiKey: apiKey };
}

async function readJsonFile(path: string): Promise<unknown> {
	let text: string;
	try {
		text = await readFile(path, 'utf8');
	} catch (err) {
		if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
		throw err;
	}
	try {
		return JSON.parse(text);
	} catch {
		throw new Error(`${path} is not valid JSON`);
	}
}
