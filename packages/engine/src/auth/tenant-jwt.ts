import { randomUUID } from 'node:crypto';
import { decodeJwt, errors as joseErrors, jwtVerify, SignJWT, type JWTPayload } from 'jose';
import { EngineError } from '../errors.ts';
import type { Tenant, TenantRegistry } from './tenants.ts';

const ISSUER = 'luwte';

/**
 * Signs a token for one pseudonymous subject with the tenant's own secret (HS256). Every kind of
 * token has its own audience, so one kind is never accepted as another.
 */
export async function signTenantJwt(
	tenant: Tenant,
	opts: { audience: string; subject: string; claims: Record<string, unknown>; ttlSeconds: number },
): Promise<{ token: string; expiresAt: number }> {
	const now = Math.floor(Date.now() / 1000);
	const exp = now + opts.ttlSeconds;
	const token = await new SignJWT({ ten: tenant.id, ...opts.claims })
		.setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
		.setIssuer(ISSUER)
		.setAudience(opts.audience)
		.setSubject(opts.subject)
		.setIssuedAt(now)
		.setExpirationTime(exp)
		.setJti(randomUUID())
		.sign(Buffer.from(tenant.tokenSecret, 'base64url'));
	return { token, expiresAt: exp * 1000 };
}

/**
 * Verifies signature, issuer, audience and expiry with the secret of the tenant the token names,
 * then its claims with `parse`. Every failure is `unauthorized`, worded for `what` ("the join
 * token"), expiry told apart.
 */
export async function verifyTenantJwt<T>(
	tenants: TenantRegistry,
	token: string,
	opts: { audience: string; what: string; parse: (payload: JWTPayload) => T },
): Promise<T> {
	let tenantId: unknown;
	try {
		tenantId = decodeJwt(token).ten;
	} catch {
		throw new EngineError('unauthorized', `${opts.what} is malformed`);
	}
	const tenant = typeof tenantId === 'string' ? tenants.get(tenantId) : undefined;
	if (!tenant) throw new EngineError('unauthorized', `${opts.what} is not valid`);
	try {
		const { payload } = await jwtVerify(token, Buffer.from(tenant.tokenSecret, 'base64url'), {
			issuer: ISSUER,
			audience: opts.audience,
			algorithms: ['HS256'],
		});
		return opts.parse(payload);
	} catch (err) {
		if (err instanceof joseErrors.JWTExpired) throw new EngineError('unauthorized', `${opts.what} has expired`);
		throw new EngineError('unauthorized', `${opts.what} is not valid`);
	}
}
