import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { EngineError, invalidInput } from '../errors.ts';
import { webhookEventTypes } from './catalogue.ts';

/**
 * A receiver URL: `https://` anywhere, or plain `http://` only to this machine (localhost,
 * 127.0.0.1, [::1]) for development and tests: event payloads are personal data about care.
 * No user or password in the URL (it would be shown in lists and logs).
 */
export const webhookUrlSchema = z
	.string()
	.max(2048)
	.refine((raw) => {
		if (!URL.canParse(raw)) return false;
		const u = new URL(raw);
		if (u.username !== '' || u.password !== '') return false;
		if (u.protocol === 'https:') return true;
		return u.protocol === 'http:' && ['localhost', '127.0.0.1', '[::1]'].includes(u.hostname);
	}, 'an https:// URL (http:// only to localhost or 127.0.0.1), without user or password');

export const webhookEventTypesSchema = z.array(z.enum(webhookEventTypes)).min(1).max(webhookEventTypes.length);

export const webhookEndpointSchema = z
	.object({
		id: z.string().regex(/^whk_[0-9a-f]{16}$/),
		tenantId: z.string().min(1),
		url: webhookUrlSchema,
		events: webhookEventTypesSchema,
		enabled: z.boolean(),
		description: z.string().max(200).optional(),
		/** The current signing secret. */
		secret: z.string().min(16),
		/** The secret before the last rotation, still signed with until `previousSecretUntil` (ms). */
		previousSecret: z.string().min(16).optional(),
		previousSecretUntil: z.number().int().optional(),
		createdAt: z.number().int(),
		updatedAt: z.number().int(),
	})
	.strict();
export type WebhookEndpoint = z.output<typeof webhookEndpointSchema>;

/** The fields a tenant may change. */
export type WebhookEndpointPatch = Partial<
	Pick<WebhookEndpoint, 'url' | 'events' | 'enabled' | 'description' | 'secret' | 'previousSecret' | 'previousSecretUntil'>
>;

export function newEndpointId(): string {
	return `whk_${randomBytes(8).toString('hex')}`;
}

/** Validates a stored or new endpoint; `code` says whose mistake a bad one is. */
export function parseEndpoint(raw: unknown, code: 'invalid_argument' | 'invalid_config' = 'invalid_argument'): WebhookEndpoint {
	const r = webhookEndpointSchema.safeParse(raw);
	if (!r.success) throw invalidInput(code, 'webhook endpoint', r.error.issues);
	return r.data;
}

/** The secrets a delivery is signed with now: the current one, and the previous during its grace period. */
export function signingSecrets(e: WebhookEndpoint, now: number): string[] {
	return e.previousSecret !== undefined && (e.previousSecretUntil ?? 0) > now ? [e.secret, e.previousSecret] : [e.secret];
}

export function notFound(id: string): EngineError {
	return new EngineError('not_found', `webhook endpoint ${id} not found`);
}
