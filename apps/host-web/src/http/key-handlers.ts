import { hashApiKey, newApiKey, TenantDirectory, type Tenant, type TenantPatch, type TenantRegistry } from '@luwte/engine/auth';
import { apiKeyIdSchema, type KeyRouteId } from '@luwte/sdk/admin';
import { HostError } from '../errors.ts';
import { parseOrThrow } from '../zod-error.ts';
import type { Handlers } from './handlers.ts';

/** A key's ID: the start of its stored SHA-256 (64 bits; the key itself has 192 bits of randomness). */
export function apiKeyId(hash: string): string {
	return hash.slice(0, 16);
}

export function keyList(t: Tenant): { id: string }[] {
	return t.apiKeyHashes.map((h) => ({ id: apiKeyId(h) }));
}

/** A change adding a new key (the stored list as it is now, so a key another host added meanwhile stays). */
export function addKey(apiKey: string): (current: Tenant) => TenantPatch {
	return (current) => ({ apiKeyHashes: [...current.apiKeyHashes, hashApiKey(apiKey)] });
}

/**
 * A change removing the key whose hash starts with `keyId`: `not_found` when none does, `conflict`
 * when several do (a longer ID tells them apart) or when it is the last key (a tenant without a
 * key could never call again; rotate first).
 */
export function removeKey(rawKeyId: string): (current: Tenant) => TenantPatch {
	const keyId = parseOrThrow(apiKeyIdSchema, rawKeyId, 'key ID');
	return (current) => {
		const matching = current.apiKeyHashes.filter((h) => h.startsWith(keyId));
		if (matching.length === 0) throw new HostError('not_found', `no API key ${keyId}`);
		if (matching.length > 1) throw new HostError('conflict', `several keys start with ${keyId}: give more of the ID`);
		if (current.apiKeyHashes.length === 1) {
			throw new HostError('conflict', 'this is the last API key: issue a new one (POST /v1/keys) before revoking it');
		}
		return { apiKeyHashes: current.apiKeyHashes.filter((h) => h !== matching[0]) };
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
		rotateKey: async ({ tenant }) => {
			const apiKey = newApiKey();
			const updated = await directory.update(tenant.id, addKey(apiKey));
			return { apiKey, keyId: apiKeyId(hashApiKey(apiKey)), keys: keyList(updated) };
		},
		revokeKey: async ({ tenant, params }) => {
			const updated = await directory.update(tenant.id, removeKey(params.keyId));
			return { keys: keyList(updated) };
		},
	};
}
