import { z } from 'zod';

/**
 * When a failed delivery is tried again: exponential backoff from `minMs`, doubling up to
 * `maxMs`, each wait drawn at random between half and all of it ("equal jitter", so many
 * endpoints failing together do not retry in step), until `maxAttempts` attempts or `maxAgeMs`
 * after the delivery was queued. Pure: the caller passes the clock and the random source.
 *
 * The defaults (10 s doubling to 1 h, 24 h) keep trying through a receiver's outage of a working
 * day, then give up; the delivery log shows what gave up and a manual redelivery starts again.
 */
export const retryPolicySchema = z
	.object({
		minMs: z.number().int().min(1).max(3_600_000).default(10_000),
		maxMs: z.number().int().min(1).max(86_400_000).default(3_600_000),
		maxAttempts: z.number().int().min(1).max(1_000).default(50),
		maxAgeMs: z
			.number()
			.int()
			.min(1)
			.max(30 * 86_400_000)
			.default(86_400_000),
	})
	.strict();
export type RetryPolicy = z.output<typeof retryPolicySchema>;
export type RetryPolicyInput = z.input<typeof retryPolicySchema>;

/** The wait after the `attempts`-th failed attempt (1 = the first). */
export function retryDelay(attempts: number, p: RetryPolicy, random: () => number = Math.random): number {
	const full = Math.min(p.maxMs, p.minMs * 2 ** Math.min(Math.max(attempts - 1, 0), 40));
	return Math.max(1, Math.round(full / 2 + (random() * full) / 2));
}

/** Whether a delivery that just failed its `attempts`-th attempt is given up. */
export function givesUp(attempts: number, queuedAt: number, now: number, p: RetryPolicy): boolean {
	return attempts >= p.maxAttempts || now - queuedAt >= p.maxAgeMs;
}
