import { z } from 'zod';
import { resolveStimulusProfile, stimulusProfileRefSchema, type StimulusProfileRef } from '../abr/custom-profiles.ts';
import { roles, type Role } from '../session/roles.ts';
import { signTenantJwt, verifyTenantJwt } from './tenant-jwt.ts';
import type { Tenant, TenantRegistry } from './tenants.ts';

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
	// `sp` holds the ID or the definition as given (only its changed fields), to keep tokens small.
	return signTenantJwt(tenant, {
		audience: AUDIENCE,
		subject: grant.participantId,
		claims: { sid: grant.sessionId, role: grant.role, sp },
		ttlSeconds: grant.ttlSeconds,
	});
}

/** Verifies signature, audience and expiry with the secret of the tenant the token names. */
export async function verifyJoinToken(tenants: TenantRegistry, token: string): Promise<JoinGrant> {
	return verifyTenantJwt(tenants, token, {
		audience: AUDIENCE,
		what: 'the join token',
		parse: (payload) => {
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
		},
	});
}
