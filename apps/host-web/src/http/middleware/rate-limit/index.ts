import type { MiddlewareHandler } from 'hono';
import { TokenBucket } from '../../../signal/rate-limit.ts';
import type { Env } from '../../env.ts';

export interface ApiRateLimit {
	ratePerSecond: number;
	burst: number;
	/** Told of each refused request (the host counts them: `luwte_refused_total{door="api_rate"}`). */
	onRefused?: (() => void) | undefined;
}

/**
 * A token bucket per tenant (its API keys share one) and one for the operator key: beyond it, 429
 * `rate_limited` with `Retry-After`. Put it after the credential check, so that only a caller who
 * proved a key spends that key's budget, and nobody can spend another tenant's.
 */
export function apiRateLimit(limit: ApiRateLimit): MiddlewareHandler<Env> {
	// One per tenant ever seen: as many as the host has tenants.
	const buckets = new Map<string, TokenBucket>();
	// Time to the next token is at most 1/rate; a whole second at least, as Retry-After counts.
	const retryAfter = Math.max(1, Math.ceil(1 / limit.ratePerSecond));
	return async (c, next) => {
		const key = c.get('tenant')?.id ?? '\0operator';
		let bucket = buckets.get(key);
		if (!bucket) {
			bucket = new TokenBucket(limit.ratePerSecond, limit.burst);
			buckets.set(key, bucket);
		}
		if (!bucket.take()) {
			limit.onRefused?.();
			return c.json(
				{
					error: {
						code: 'rate_limited',
						message: `at most ${limit.ratePerSecond} requests per second (bursts of ${limit.burst}) per tenant`,
						details: { retryAfterSeconds: retryAfter },
					},
				},
				429,
				{ 'Retry-After': String(retryAfter) },
			);
		}
		await next();
	};
}
