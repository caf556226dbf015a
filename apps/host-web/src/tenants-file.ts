import { mkdir, readFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import {
	FileTenantStore,
	hashApiKey,
	newApiKey,
	newTokenSecret,
	RedisTenantStore,
	TenantDirectory,
	type TenantRegistry,
} from '@luwte/engine/auth';
import { isEngineError } from '@luwte/engine/errors';
import { writeFileAtomic } from '@luwte/engine/library';
import { z } from 'zod';
import type { Logger } from './log.ts';

export const DEV_TENANT_ID = 'dev';

const devFileSchema = z.object({ tenant: z.unknown(), apiKey: z.string().min(1) });

export interface LoadedTenants {
	registry: TenantRegistry;
	/** Writes tenant changes durably (file or Redis) before they reach `registry`. */
	directory: TenantDirectory;
	/** Set when no tenants were configured and a development tenant is in use. */
	devApiKey?: string;
}

/**
 * Tenants come from `<dataDir>/tenants.json` (an array), or with `redisUrl` from Redis, shared by
 * every host using it; a Redis without tenants gets those of `<dataDir>/tenants.json` once. When
 * there are none, a development tenant is created once and kept in `<dataDir>/dev-tenant.json`
 * (mode 0600), so its key survives restarts; the host prints that key at start. The development
 * tenant is never stored in Redis: it is this host's alone. Once tenants exist it is retired (a
 * warning says so at each start) unless `dev` asks for it beside them (`--dev`).
 */
export async function loadTenants(
	dataDir: string,
	opts: { redisUrl?: string | undefined; log: Logger; dev?: boolean | undefined },
): Promise<LoadedTenants> {
	let directory: TenantDirectory;
	// An existing tenants file, even an empty one, means tenants are configured: no development tenant.
	let fileExisted = false;
	if (opts.redisUrl) {
		const redis = await RedisTenantStore.open({
			url: opts.redisUrl,
			onError: (err) => opts.log.warn('tenants.sync_failed', { error: String(err) }),
		});
		try {
			directory = await TenantDirectory.open(redis);
			if (directory.registry.list().length === 0) {
				// Read only while Redis has no tenants: after the import Redis holds them.
				const file = await FileTenantStore.open(dataDir);
				fileExisted = file.existed;
				if (file.existed) await importTenants(file, directory, opts.log);
			}
		} catch (err) {
			await redis.close();
			throw err;
		}
	} else {
		const file = await FileTenantStore.open(dataDir);
		fileExisted = file.existed;
		directory = await TenantDirectory.open(file);
	}
	const registry = directory.registry;
	const configured = registry.list().length > 0 || fileExisted;
	if (configured && !opts.dev) {
		// Never silently: a host that had a development tenant (its key in dev-tenant.json) loses it here.
		if ((await readJsonFile(join(dataDir, 'dev-tenant.json'))) !== undefined) {
			opts.log.warn('tenants.dev_tenant_retired', {
				reason: 'tenants are configured; the development tenant, its key and the demo pages are off (start with --dev to keep them)',
				tenants: registry.list().length,
			});
		}
		return { registry, directory };
	}
	if (registry.get(DEV_TENANT_ID)) throw new Error(`--dev: a configured tenant is called "${DEV_TENANT_ID}"; rename it first`);
	const dev = await devTenant(dataDir);
	registry.add(dev.tenant);
	registry.markEphemeral(DEV_TENANT_ID);
	return { registry, directory, devApiKey: dev.apiKey };
}

/** Copies the tenants file into an empty Redis; a tenant another host imported meanwhile is kept as it is. */
async function importTenants(file: FileTenantStore, directory: TenantDirectory, log: Logger): Promise<void> {
	let imported = 0;
	for (const tenant of await file.list()) {
		try {
			await directory.add(tenant, 'invalid_config');
			imported++;
		} catch (err) {
			if (!isEngineError(err) || err.code !== 'conflict') throw err;
		}
	}
	log.info('tenants.imported', { from: file.path, tenants: imported });
}

async function devTenant(dataDir: string): Promise<{ tenant: unknown; apiKey: string }> {
	const devPath = join(dataDir, 'dev-tenant.json');
	const existing = await readJsonFile(devPath);
	if (existing !== undefined) return devFileSchema.parse(existing);
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
	return { tenant, apiKey };
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

/** Mode 0600, atomic and fsync'd: a crash leaves the old file or the new one, never a torn key. */
async function writePrivate(path: string, text: string): Promise<void> {
	await mkdir(dirname(path), { recursive: true });
	await writeFileAtomic(path, text);
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
