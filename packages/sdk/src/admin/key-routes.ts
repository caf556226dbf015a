import { z } from 'zod';
import type { ApiRoute } from './route-types.ts';

// A tenant's API keys, managed by the tenant itself (its current key): rotate and revoke. The host
// keeps only each key's SHA-256; a key is named by the start of that hash (its ID), never by the
// key, so IDs can be listed, logged and passed around without giving anything away.

export const apiKeyIdSchema = z
	.string()
	.regex(/^[0-9a-f]{8,64}$/, 'a key ID: 8 to 64 lowercase hex digits (the start of the key hash)')
	.describe('A key ID (16 hex digits as listed; any unambiguous start of it of 8 or more digits is taken)');

export const apiKeyListSchema = z.object({
	keys: z.array(
		z.object({
			id: z.string().describe('The key ID: the first 16 hex digits of the key’s SHA-256'),
			expiresAt: z.iso
				.datetime()
				.optional()
				.describe('When the key stops working (a rotation’s grace period); absent: until revoked'),
		}),
	),
});

/** 30 days: the longest an old key may live on after a rotation. */
const MAX_GRACE_SECONDS = 30 * 86_400;

export const apiKeyRotateSchema = z
	.object({
		graceSeconds: z
			.number()
			.int()
			.min(0)
			.max(MAX_GRACE_SECONDS)
			.optional()
			.describe('The other keys stop working after this many seconds (0: at once); absent: they work until revoked'),
	})
	.strict();
export type ApiKeyRotate = z.input<typeof apiKeyRotateSchema>;

export const apiKeyCreatedSchema = z.object({
	apiKey: z.string().describe("The new key, shown once: store it in the care organisation's backend"),
	keyId: z.string().describe('Its ID'),
	keys: apiKeyListSchema.shape.keys.describe('Every valid key of the tenant now, the new one last'),
});

export const keyRoutes = {
	listKeys: {
		method: 'get',
		path: '/v1/keys',
		auth: 'tenant',
		summary: "The IDs of the tenant's valid API keys",
		response: apiKeyListSchema,
		status: 200,
	},
	rotateKey: {
		method: 'post',
		path: '/v1/keys',
		auth: 'tenant',
		summary:
			'Issue a new API key (shown once); the old ones stay valid until revoked, or for `graceSeconds`, so the backend can switch over first',
		body: apiKeyRotateSchema,
		response: apiKeyCreatedSchema,
		status: 201,
	},
	revokeKey: {
		method: 'delete',
		path: '/v1/keys/{keyId}',
		auth: 'tenant',
		summary: 'Revoke an API key at once, on every host (the last one cannot be revoked: rotate first)',
		response: apiKeyListSchema,
		status: 200,
	},
} as const satisfies Record<string, ApiRoute>;

export type KeyRouteId = keyof typeof keyRoutes;
