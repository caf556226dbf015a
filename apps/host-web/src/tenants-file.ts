import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import { hashApiKey, newApiKey, newTokenSecret, TenantRegistry } from '@luwte/engine/auth';
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
		return devRegistry(dev.tenant, dev.apiKey);
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
	await writePrivate(devPath, `${JSON.stringify({ tenant, apiKey }, null, 2)}\n`);
	return devRegistry(tenant, apiKey);
}

function devRegistry(tenant: unknown, apiKey: string): LoadedTenants {
	const registry = new TenantRegistry([tenant]);
	registry.markEphemeral(DEV_TENANT_ID);
	return { registry, devApiKey: apiKey };
}

/** Writes the persistent tenants to `<dataDir>/tenants.json` (atomically, mode 0600). */
export async function saveTenants(dataDir: string, registry: TenantRegistry): Promise<void> {
	await writePrivate(join(dataDir, 'tenants.json'), `${JSON.stringify(registry.persistent(), null, 2)}\n`);
}

/**
 * The operator key (manages tenants): LUWTE_OPERATOR_KEY, else `<dataDir>/operator-key`,
 * created once (mode 0600). Only its holder can add care organisations.
 */
export async function loadOperatorKey(dataDir: string): Promise<{ key: string; path: string | undefined }> {
	if (process.env.LUWTE_OPERATOR_KEY) return { key: process.env.LUWTE_OPERATOR_KEY, path: undefined };
	const path = join(dataDir, 'operator-key');
	try {
		return { key: (await readFile(path, 'utf8')).trim(), path };
	} catch (err) {
		if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
	}
	const key = `lwo_${randomBytes(24).toString('base64url')}`;
	await writePrivate(path, `${key}\n`);
	return { key, path };
}

async function writePrivate(path: string, text: string): Promise<void> {
	await mkdir(dirname(path), { recursive: true });
	const tmp = `${path}.tmp`;
	await writeFile(tmp, text, { mode: 0o600 });
	await chmod(tmp, 0o600);
	await rename(tmp, path);
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
