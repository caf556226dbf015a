import { hashApiKey, keyExpired, newApiKey, TenantDirectory, type Tenant, type TenantPatch, type TenantRegistry } from '@luwte/engine/auth';
import { apiKeyIdSchema, type KeyRouteId } from '@luwte/sdk/admin';
import { HostError } from '../errors.ts';
import { parseOrThrow } from '../zod-error.ts';
import type { Handlers } from './handlers.ts';

/** A key's ID: the start of its stored SHA-256 (64 bits; the key itself has 192 bits of randomness). */
export function apiKeyId(hash: string): string {
	return hash.slice(0, 16);
}

/** The tenant's working keys (those past their grace period are gone already for `authenticate`). */
export function keyList(t: Tenant, now = Date.now()): { id: string; expiresAt?: string }[] {
	return t.apiKeyHashes
		.filter((h) => !keyExpired(t, h, now))
		.map((h) => {
			const until = t.apiKeyExpiries?.[h];
			return { id: apiKeyId(h), ...(until !== undefined ? { expiresAt: new Date(until).toISOString() } : {}) };
		});
}

/** The key list without keys past their grace period, which every change drops for good. */
function live(current: Tenant, now: number): { hashes: string[]; expiries: Record<string, number> } {
	const hashes = current.apiKeyHashes.filter((h) => !keyExpired(current, h, now));
	const expiries = Object.fromEntries(Object.entries(current.apiKeyExpiries ?? {}).filter(([h]) => hashes.includes(h)));
	return { hashes, expiries };
}

/**
 * A change adding a new key (to the stored list as it is now, so a key another host added
 * meanwhile stays). With `graceSeconds` the other keys stop working that long from now (0: at
 * once); a key that already ends sooner keeps its end.
 */
export function addKey(apiKey: string, graceSeconds?: number): (current: Tenant) => TenantPatch {
	return (current) => {
		const now = Date.now();
		const { hashes, expiries } = live(current, now);
		const added = hashApiKey(apiKey);
		if (graceSeconds === undefined) return { apiKeyHashes: [...hashes, added], apiKeyExpiries: expiries };
		if (graceSeconds === 0) return { apiKeyHashes: [added], apiKeyExpiries: {} };
		const until = now + graceSeconds * 1000;
		for (const h of hashes) expiries[h] = Math.min(expiries[h] ?? until, until);
		return { apiKeyHashes: [...hashes, added], apiKeyExpiries: expiries };
	};
}

/**
 * A change removing the key whose hash starts with `keyId`: `not_found` when none does, `conflict`
 * when several do (a longer ID tells them apart) or when it is the last key (a tenant without a
 * key could never call again; rotate first).
 */
export function removeKey(rawKeyId: string): (current: Tenant) => TenantPatch {
	const keyId = parseOrThrow(apiKeyIdSchema, rawKeyId, 'key ID');
	return (current) => {
		const { hashes, expiries } = live(current, Date.now());
		const matching = hashes.filter((h) => h.startsWith(keyId));
		if (matching.length === 0) throw new HostError('not_found', `no API key ${keyId}`);
		if (matching.length > 1) throw new HostError('conflict', `several keys start with ${keyId}: give more of the ID`);
		if (hashes.length === 1) {
			throw new HostError('conflict', 'this is the last API key: issue a new one (POST /v1/keys) before revoking it');
		}
		delete expiries[matching[0]!];
		return { apiKeyHashes: hashes.filter((h) => h !== matching[0]), apiKeyExpiries: expiries };
	};
}

/**
 * `/v1/keys`: a tenant rotates and revokes its own API keys. Changes go through the tenant
 * directory (tenants file or Redis), durable before they are answered, and reach every host
 * sharing the store; a revoked key is refused from the next request on.
 */
export function keyHandlers(tenants: TenantRegistry, directory = new TenantDirectory(tenants)): Handlers<KeyRouteId> {
	return {
		listKeys: ({ tenant }) => ({ keys: keyList(tenant) }),
		rotateKey: async ({ tenant, body }) => {
			const apiKey = newApiKey();
			const updated = await directory.update(tenant.id, addKey(apiKey, body.graceSeconds));
			return { apiKey, keyId: apiKeyId(hashApiKey(apiKey)), keys: keyList(updated) };
		},
		revokeKey: async ({ tenant, params }) => {
			const updated = await directory.update(tenant.id, removeKey(params.keyId));
			return { keys: keyList(updated) };
		},
	};
}
