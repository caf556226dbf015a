import type { Role } from '../../protocol/index.ts';

/** The token's claims, read for the interface only (the server verifies the token). */
function claimsOf(token: string): Record<string, unknown> | undefined {
	try {
		const part = token.split('.')[1] ?? '';
		const json: unknown = JSON.parse(atob(part.replace(/-/g, '+').replace(/_/g, '/')));
		return json && typeof json === 'object' ? (json as Record<string, unknown>) : undefined;
	} catch {
		return undefined;
	}
}

/** Reads the role from a join token for the interface only (the server verifies the token). */
export function roleOfToken(token: string): Role | undefined {
	const role = claimsOf(token)?.role;
	return typeof role === 'string' ? (role as Role) : undefined;
}

/**
 * Whether the token's stimulus profile (its `sp` claim: an ID or an inline definition) is calm, or
 * built on calm: then incoming voices are levelled unless the page says otherwise. `standard` and
 * `greedy`, and definitions on `standard`, are not. A tenant's own profile ID cannot be looked into
 * here: it counts as calm, the base a tenant's profile has unless it names another, and the safer
 * choice for the people Luwte serves. No token yet, or no profile in it (the engine's default): calm.
 */
export function calmProfileOfToken(token: string): boolean {
	const sp = claimsOf(token)?.sp;
	if (sp === 'standard' || sp === 'greedy') return false;
	if (sp && typeof sp === 'object' && (sp as { base?: unknown }).base === 'standard') return false;
	return true;
}
