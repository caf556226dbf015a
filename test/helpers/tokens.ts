import { SignJWT } from 'jose';

/**
 * Signs a join token by hand, as an attacker or a buggy backend might: tests use it to check
 * that the host refuses what it must (wrong secret, expired, another tenant's session).
 */
export function handMadeToken(opts: {
	tenant: string;
	session: string;
	role: string;
	participant: string;
	secret: Uint8Array;
	/** Expiry in seconds since the epoch; default one hour from now. */
	exp?: number;
}): Promise<string> {
	const now = Math.floor(Date.now() / 1000);
	return new SignJWT({ ten: opts.tenant, sid: opts.session, role: opts.role })
		.setProtectedHeader({ alg: 'HS256' })
		.setIssuer('luwte')
		.setAudience('luwte:join')
		.setSubject(opts.participant)
		.setJti(`${opts.participant}-${now}`)
		.setIssuedAt(Math.min(now, (opts.exp ?? now + 3600) - 60))
		.setExpirationTime(opts.exp ?? now + 3600)
		.sign(opts.secret);
}
