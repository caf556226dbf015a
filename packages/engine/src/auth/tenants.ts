import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { customProfileListSchema } from '../abr/custom-profiles.ts';
import { EngineError, invalidInput, type EngineErrorCode } from '../errors.ts';
import { lifecycleSchema, quotasSchema } from '../session/lifecycle.ts';

/** A care organisation. Everything it creates (sessions, tokens, records) belongs to it alone. */
export const tenantSchema = z
	.object({
		id: z.string().regex(/^[a-z0-9][a-z0-9-]{1,62}$/, 'lowercase letters, digits and dashes'),
		name: z.string().min(1).max(200),
		/** SHA-256 (hex) of each API key; the keys themselves are never stored. */
		apiKeyHashes: z.array(z.string().regex(/^[0-9a-f]{64}$/)).min(1),
		/**
		 * When a key stops working (epoch ms), by its hash: set when a rotation gives the old keys a
		 * grace period. A key without an entry works until it is revoked.
		 */
		apiKeyExpiries: z.record(z.string().regex(/^[0-9a-f]{64}$/), z.number().int().positive()).optional(),
		/** HS256 secret for join tokens (base64url, at least 32 bytes). */
		tokenSecret: z.string().min(43),
		allowedOrigins: z.array(z.string()).default([]),
		/** Custom stimulus profiles its join tokens may name, besides the built-in ones. */
		stimulusProfiles: customProfileListSchema.default([]),
		/** Defaults for its sessions' join window and automatic end (docs/sessions.md). */
		lifecycle: lifecycleSchema.default({}),
		/** Its limits: sessions per day, live sessions, tokens per minute (docs/sessions.md). */
		quotas: quotasSchema.default({}),
	})
	.strict();

export type Tenant = z.output<typeof tenantSchema>;
/** What may change on a tenant: everything but its ID and token secret. */
export type TenantPatch = Partial<Omit<Tenant, 'id' | 'tokenSecret'>>;

/** A whole tenant, checked; `code`: `invalid_config` for a tenants file or store, `invalid_argument` for a request. */
export function parseTenant(input: unknown, code: EngineErrorCode = 'invalid_config'): Tenant {
	const parsed = tenantSchema.safeParse(input);
	if (!parsed.success) throw invalidInput(code, 'tenant', parsed.error.issues);
	return parsed.data;
}

/** `current` with `patch` applied, validated like a new tenant (`invalid_argument`). */
export function patchTenant(current: Tenant, patch: TenantPatch): Tenant {
	return parseTenant({ ...current, ...patch, id: current.id }, 'invalid_argument');
}

/** Whether the key with this hash has passed the end of its grace period (`apiKeyExpiries`). */
export function keyExpired(tenant: Tenant, hash: string, now = Date.now()): boolean {
	const until = tenant.apiKeyExpiries?.[hash];
	return until !== undefined && until <= now;
}

export function hashApiKey(key: string): string {
	return createHash('sha256').update(key, 'utf8').digest('hex');
}

export function newApiKey(): string {
	return `lwk_${randomBytes(24).toString('base64url')}`;
}

export function newTokenSecret(): string {
	return randomBytes(32).toString('base64url');
}

export class TenantRegistry {
	readonly #tenants = new Map<string, Tenant>();
	readonly #ephemeral = new Set<string>();

	constructor(tenants: readonly unknown[] = []) {
		for (const t of tenants) this.add(t);
	}

	/** `code`: `invalid_config` for a tenants file, `invalid_argument` for a request. */
	add(input: unknown, code: EngineErrorCode = 'invalid_config'): Tenant {
		const tenant = parseTenant(input, code);
		if (this.#tenants.has(tenant.id)) throw new EngineError('conflict', `tenant ${tenant.id} exists`);
		this.#tenants.set(tenant.id, tenant);
		return tenant;
	}

	/** Changes a tenant's name, origins, keys or stimulus profiles; the result is validated like a new tenant. */
	update(id: string, patch: TenantPatch): Tenant {
		const current = this.#tenants.get(id);
		if (!current) throw new EngineError('not_found', `tenant ${id} not found`);
		const tenant = patchTenant(current, patch);
		this.#tenants.set(id, tenant);
		return tenant;
	}

	/**
	 * Adds or replaces a tenant as its durable store holds it (the store validated it). A stored
	 * tenant is never ephemeral, even when it takes the place of the development tenant.
	 */
	put(tenant: Tenant): void {
		this.#ephemeral.delete(tenant.id);
		this.#tenants.set(tenant.id, tenant);
	}

	/** Tenants that are kept in the tenants file (the development tenant is not). */
	persistent(): Tenant[] {
		return this.list().filter((t) => !this.#ephemeral.has(t.id));
	}

	/** Marks a tenant as living only for this run (the development tenant). */
	markEphemeral(id: string): void {
		this.#ephemeral.add(id);
	}

	get(id: string): Tenant | undefined {
		return this.#tenants.get(id);
	}

	list(): Tenant[] {
		return [...this.#tenants.values()];
	}

	/** The tenant an API key belongs to, compared in constant time; a key past its grace period is refused. */
	authenticate(apiKey: string, now = Date.now()): Tenant | undefined {
		const h = Buffer.from(hashApiKey(apiKey), 'hex');
		let found: Tenant | undefined;
		for (const tenant of this.#tenants.values()) {
			for (const stored of tenant.apiKeyHashes) {
				if (timingSafeEqual(h, Buffer.from(stored, 'hex')) && !keyExpired(tenant, stored, now)) found ??= tenant;
			}
		}
		return found;
	}
}
