import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { signTenantJwt, verifyTenantJwt } from './tenant-jwt.ts';
import type { Tenant, TenantRegistry } from './tenants.ts';

/** Its own audience: a join token is no library token, and the other way round. */
const AUDIENCE = 'luwte:library';

/** What a library token grants: one pseudonymous client of one tenant may watch its published library. */
export interface LibraryGrant {
	tenantId: string;
	participantId: string;
	expiresAt: number;
	tokenId: string;
}

const claimsSchema = z.object({
	ten: z.string().min(1),
	sub: z.string().regex(/^[A-Za-z0-9_-]{3,64}$/),
	scope: z.literal('library'),
	exp: z.number(),
	jti: z.string().min(1),
});

export function issueLibraryToken(
	tenant: Tenant,
	grant: { participantId: string; ttlSeconds: number },
): Promise<{ token: string; expiresAt: number }> {
	return signTenantJwt(tenant, {
		audience: AUDIENCE,
		subject: grant.participantId,
		claims: { scope: 'library' },
		ttlSeconds: grant.ttlSeconds,
	});
}

/** Verifies signature, audience, scope and expiry with the secret of the tenant the token names. */
export function verifyLibraryToken(tenants: TenantRegistry, token: string): Promise<LibraryGrant> {
	return verifyTenantJwt(tenants, token, {
		audience: AUDIENCE,
		what: 'the library token',
		parse: (payload) => {
			const claims = claimsSchema.parse(payload);
			return { tenantId: claims.ten, participantId: claims.sub, expiresAt: claims.exp * 1000, tokenId: claims.jti };
		},
	});
}

/**
 * Signed media links. A `<video src>` or `<img src>` cannot send an Authorization header, and a
 * cookie would be a third-party cookie on the care provider's site (blocked by browsers). So the
 * player gets a link that names only the item, the file and an expiry, signed with a key derived
 * from the tenant's token secret: no participant ID or token in the URL.
 */
/** What a media link serves: the video, its thumbnail, or its subtitles in one language (`subtitles.nl.vtt`). */
export type MediaFile = 'media' | 'thumbnail' | `subtitles.${string}.vtt`;

export function mediaSignature(tenant: Tenant, itemId: string, file: MediaFile, expiresAtSeconds: number): string {
	const key = createHmac('sha256', Buffer.from(tenant.tokenSecret, 'base64url')).update('luwte:library-media:v1').digest();
	return createHmac('sha256', key).update(`${itemId}\n${file}\n${expiresAtSeconds}`).digest('base64url');
}

/** True when `signature` was made by `mediaSignature` for these values and has not expired. */
export function verifyMediaSignature(
	tenant: Tenant,
	itemId: string,
	file: MediaFile,
	expiresAtSeconds: number,
	signature: string,
	nowMs: number = Date.now(),
): boolean {
	if (!Number.isInteger(expiresAtSeconds) || expiresAtSeconds * 1000 < nowMs) return false;
	const expected = Buffer.from(mediaSignature(tenant, itemId, file, expiresAtSeconds));
	const given = Buffer.from(signature);
	return given.length === expected.length && timingSafeEqual(given, expected);
}
