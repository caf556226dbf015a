import { createHmac } from 'node:crypto';
import { z } from 'zod';

/**
 * TURN for clients behind firewalls that block UDP or allow only TCP/TLS on 443 (docs/operations.md).
 * Credentials follow the TURN REST API scheme that coturn implements with `use-auth-secret`: the
 * username is `<expiry unix seconds>:<pseudonymous id>`, the password the base64 HMAC-SHA1 of that
 * username under a secret the host and the TURN server share. Nothing is stored per user, and a
 * credential dies by itself at its expiry.
 */
export const turnConfigSchema = z
	.object({
		/** e.g. `turn:turn.example.org:3478?transport=udp`, `turn:…:3478?transport=tcp`, `turns:turn.example.org:443?transport=tcp`. */
		urls: z
			.array(z.string().regex(/^turns?:[^\s]+$/, 'a turn: or turns: URL'))
			.min(1)
			.max(8),
		/** The shared secret (coturn's `static-auth-secret`); at least 16 characters. */
		secret: z.string().min(16),
		/** How long a credential handed out at join stays valid (default 6 hours: a day part and then some). */
		ttlSeconds: z
			.number()
			.int()
			.min(60)
			.max(7 * 86_400)
			.default(6 * 3600),
	})
	.strict();
export type TurnConfigInput = z.input<typeof turnConfigSchema>;
export type TurnConfig = z.output<typeof turnConfigSchema>;

export interface IceServer {
	urls: string[];
	username: string;
	credential: string;
}

/** Time-limited TURN credentials for one pseudonymous participant. */
export function turnCredentials(turn: TurnConfig, participantId: string, now = Date.now()): IceServer {
	const username = `${Math.floor(now / 1000) + turn.ttlSeconds}:${participantId}`;
	const credential = createHmac('sha1', turn.secret).update(username).digest('base64');
	return { urls: [...turn.urls], username, credential };
}
