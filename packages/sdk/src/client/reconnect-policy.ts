/**
 * When to try again after a lost connection: a pure decision, so it can be tested without
 * sockets and replaced by a page with its own needs. `SessionClient` owns the loop that uses it.
 */

/** What a policy knows when it decides. */
export interface ReconnectContext {
	/** Attempts made so far in this outage (0 before the first). */
	attempt: number;
	/** Time since the connection was lost (ms). */
	elapsedMs: number;
	/** Why the previous attempt failed (undefined before the first). */
	lastError?: unknown;
}

export interface ReconnectPolicy {
	/** Milliseconds to wait before the next attempt, or null to give up. */
	nextDelayMs(context: ReconnectContext): number | null;
}

export interface BackoffOptions {
	/** The first attempt's ceiling (ms); each later attempt doubles it. Default 1,000. */
	baseDelayMs?: number;
	/** The largest wait between two attempts (ms). Default 10,000. */
	maxDelayMs?: number;
	/** The shortest wait (ms), so a client never hammers a host that just went away. Default 250. */
	minDelayMs?: number;
	/** Give up once the outage has lasted this long (ms). Default 300,000 (five minutes). */
	maxElapsedMs?: number;
	/** Give up after this many attempts. Default: no limit but the time. */
	maxAttempts?: number;
	/** A number in [0, 1); Math.random by default (tests pass their own). */
	random?: () => number;
}

/**
 * Exponential backoff with full jitter: each wait is drawn at random between the minimum and a
 * ceiling that doubles per attempt (1 s, 2 s, 4 s, …, 10 s). After a host restarts, the clients
 * of a whole room then come back spread over that window instead of in the same instant. The
 * last attempt is pulled in so it happens before `maxElapsedMs`; after that the policy gives up.
 */
export function exponentialBackoff(options: BackoffOptions = {}): ReconnectPolicy {
	const base = options.baseDelayMs ?? 1000;
	const max = options.maxDelayMs ?? 10_000;
	const min = Math.min(options.minDelayMs ?? 250, max);
	const maxElapsed = options.maxElapsedMs ?? 300_000;
	const maxAttempts = options.maxAttempts ?? Number.POSITIVE_INFINITY;
	const random = options.random ?? Math.random;
	return {
		nextDelayMs({ attempt, elapsedMs }) {
			if (attempt >= maxAttempts || elapsedMs >= maxElapsed) return null;
			// 2 ** attempt overflows to Infinity long after the ceiling is reached: min() holds it.
			const ceiling = Math.max(min, Math.min(max, base * 2 ** attempt));
			const delay = min + Math.floor(random() * (ceiling - min));
			return Math.min(delay, maxElapsed - elapsedMs);
		},
	};
}

/** The policy `SessionClient` uses when reconnecting is switched on without one of its own. */
export const defaultReconnectPolicy: ReconnectPolicy = exponentialBackoff();
