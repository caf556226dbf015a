import { randomUUID } from 'node:crypto';
import { decodeJwt, errors as joseErrors, jwtVerify, SignJWT } from 'jose';
import { z } from 'zod';
import { resolveStimulusProfile, stimulusProfileRefSchema, type StimulusProfileRef } from '../abr/custom-profiles.ts';
import { EngineError } from '../errors.ts';
import { roles, type Role } from '../session/roles.ts';
import type { Tenant, TenantRegistry } from './tenants.ts';

const ISSUER = 'luwte';
const AUDIENCE = 'luwte:join';

/** What a join token grants: one pseudonymous participant, one role, in one session of one tenant. */
export interface JoinGrant {
	tenantId: string;
	sessionId: string;
	participantId: string;
	role: Role;
	/**
	 * Stimulus profile the engine applies to what this participant receives: an ID (built in or
	 * the tenant's, resolved at join with the tenant's definitions then) or an inline definition.
	 */
	stimulusProfile: StimulusProfileRef;
	expiresAt: number;
	tokenId: string;
}

const claimsSchema = z.object({
	ten: z.string().min(1),
	sid: z.string().min(1),
	sub: z.string().min(1),
	role: z.enum(roles),
	sp: stimulusProfileRefSchema.default('calm'),
	exp: z.number(),
	jti: z.string().min(1),
});

export async function issueJoinToken(
	tenant: Tenant,
	grant: { sessionId: string; participantId: string; role: Role; stimulusProfile?: StimulusProfileRef; ttlSeconds: number },
): Promise<{ token: string; expiresAt: number }> {
	const sp = grant.stimulusProfile ?? 'calm';
	// No token for a profile that does not resolve (unknown ID, bad definition): invalid_argument.
	resolveStimulusProfile(tenant, sp);
	const now = Math.floor(Date.now() / 1000);
	const exp = now + grant.ttlSeconds;
	// `sp` holds the ID or the definition as given (only its changed fields), to keep tokens small.
	const token = await new SignJWT({ ten: tenant.id, sid: grant.sessionId, role: grant.role, sp })
		.setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
		.setIssuer(ISSUER)
		.setAudience(AUDIENCE)
		.setSubject(grant.participantId)
		.setIssuedAt(now)
		.setExpirationTime(exp)
		.setJti(randomUUID())
		.sign(Buffer.from(tenant.tokenSecret, 'base64url'));
	return { token, expiresAt: exp * 1000 };
}

/** Verifies signature, audience and expiry with the secret of the tenant the token names. */
export async function verifyJoinToken(tenants: TenantRegistry, token: string): Promise<JoinGrant> {
	let tenantId: unknown;
	try {
		tenantId = decodeJwt(token).ten;
	} catch {
		throw new EngineError('unauthorized', 'the join token is malformed');
	}
	const tenant = typeof tenantId === 'string' ? tenants.get(tenantId) : undefined;
	if (!tenant) throw new EngineError('unauthorized', 'the join token is not valid');
	try {
		const { payload } = await jwtVerify(token, Buffer.from(tenant.tokenSecret, 'base64url'), {
			issuer: ISSUER,
			audience: AUDIENCE,
			algorithms: ['HS256'],
		});
		const claims = claimsSchema.parse(payload);
		return {
			tenantId: claims.ten,
			sessionId: claims.sid,
			participantId: claims.sub,
			role: claims.role,
			stimulusProfile: claims.sp,
			expiresAt: claims.exp * 1000,
			tokenId: claims.jti,
		};
	} catch (err) {
		if (err instanceof joseErrors.JWTExpired) throw new EngineError('unauthorized', 'the join token has expired');
		throw new EngineError('unauthorized', 'the join token is not valid');
	}
}
