import type { Role } from '../../protocol/index.ts';

/** Reads the role from a join token for the interface only (the server verifies the token). */
export function roleOfToken(token: string): Role | undefined {
	try {
		const part = token.split('.')[1] ?? '';
		const json = JSON.parse(atob(part.replace(/-/g, '+').replace(/_/g, '/'))) as { role?: unknown };
		return typeof json.role === 'string' ? (json.role as Role) : undefined;
	} catch {
		return undefined;
	}
}
