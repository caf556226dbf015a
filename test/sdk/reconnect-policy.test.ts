import { defaultReconnectPolicy, exponentialBackoff, SignalError } from '@luwte/sdk';
import { describe, expect, it } from 'vitest';
import { reconnectLoop } from '../../packages/sdk/src/client/reconnect-loop.ts';

// The reconnect policy is a pure decision: the attempt and the time since the connection was
// lost go in, a wait (or "give up") comes out. The loop around it runs here with fake attempts.

describe('exponentialBackoff', () => {
	it('keeps every wait between the minimum and a ceiling that doubles up to the maximum', () => {
		const low = exponentialBackoff({ random: () => 0 });
		const high = exponentialBackoff({ random: () => 0.999_999 });
		const ceilings = [1000, 2000, 4000, 8000, 10_000, 10_000, 10_000];
		ceilings.forEach((ceiling, attempt) => {
			expect(low.nextDelayMs({ attempt, elapsedMs: 0 })).toBe(250);
			expect(high.nextDelayMs({ attempt, elapsedMs: 0 })).toBe(ceiling - 1);
		});
		// Far into an outage the doubling cannot overflow past the maximum.
		expect(high.nextDelayMs({ attempt: 5000, elapsedMs: 0 })).toBe(9999);
		for (let attempt = 0; attempt < 40; attempt++) {
			for (let i = 0; i < 50; i++) {
				const d = defaultReconnectPolicy.nextDelayMs({ attempt, elapsedMs: attempt * 1000 })!;
				expect(d).toBeGreaterThanOrEqual(250);
				expect(d).toBeLessThanOrEqual(Math.min(10_000, 1000 * 2 ** attempt));
			}
		}
	});

	it('spreads a room of 100 clients over the window instead of one instant', () => {
		const policy = exponentialBackoff();
		for (const attempt of [0, 1, 2, 5]) {
			const ceiling = Math.min(10_000, 1000 * 2 ** attempt);
			const delays = Array.from({ length: 100 }, () => policy.nextDelayMs({ attempt, elapsedMs: 0 })!);
			for (const d of delays) {
				expect(d).toBeGreaterThanOrEqual(250);
				expect(d).toBeLessThan(ceiling);
			}
			// Not all equal, and not bunched: many distinct values, over much of the window.
			expect(new Set(delays).size).toBeGreaterThan(50);
			expect(Math.max(...delays) - Math.min(...delays)).toBeGreaterThan((ceiling - 250) / 2);
		}
	});

	it('gives up once the outage lasted the maximum, with a last attempt before it', () => {
		const policy = exponentialBackoff({ maxElapsedMs: 60_000, random: () => 0.999_999 });
		expect(policy.nextDelayMs({ attempt: 6, elapsedMs: 55_000 })).toBe(5000); // pulled in to the deadline
		expect(policy.nextDelayMs({ attempt: 7, elapsedMs: 60_000 })).toBeNull();
		expect(policy.nextDelayMs({ attempt: 7, elapsedMs: 90_000 })).toBeNull();
		expect(defaultReconnectPolicy.nextDelayMs({ attempt: 30, elapsedMs: 300_000 })).toBeNull();
		expect(exponentialBackoff({ maxAttempts: 3 }).nextDelayMs({ attempt: 3, elapsedMs: 0 })).toBeNull();
	});

	it('ends within the maximum in simulated time, however the dice fall', () => {
		for (const r of [0, 0.5, 0.999_999]) {
			const policy = exponentialBackoff({ random: () => r });
			let elapsedMs = 0;
			let attempt = 0;
			for (let d = policy.nextDelayMs({ attempt, elapsedMs }); d !== null; d = policy.nextDelayMs({ attempt, elapsedMs })) {
				elapsedMs += d;
				attempt++;
				expect(elapsedMs).toBeLessThanOrEqual(300_000);
			}
			expect(attempt).toBeGreaterThan(20); // about five minutes of tries, not a handful
		}
	});
});

describe('reconnectLoop', () => {
	const quick = exponentialBackoff({ baseDelayMs: 4, minDelayMs: 1, maxDelayMs: 8, maxElapsedMs: 60_000 });

	it('retries until an attempt works, announcing each wait with its attempt number', async () => {
		const waits: number[] = [];
		let tries = 0;
		const outcome = await reconnectLoop({
			policy: quick,
			signal: new AbortController().signal,
			attempt: async () => {
				if (++tries < 3) throw new SignalError('unavailable', 'no worker yet');
			},
			isFatal: () => false,
			onWaiting: (attempt) => waits.push(attempt),
		});
		expect(outcome).toEqual({ kind: 'reconnected', attempts: 3 });
		expect(waits).toEqual([1, 2, 3]);
	});

	it('stops at a failure no retry mends, and gives up with the last error when the policy does', async () => {
		const refused = new SignalError('unauthorized', 'token expired');
		const fatal = await reconnectLoop({
			policy: quick,
			signal: new AbortController().signal,
			attempt: () => Promise.reject(refused),
			isFatal: (err) => err instanceof SignalError && err.code === 'unauthorized',
			onWaiting: () => undefined,
		});
		expect(fatal).toEqual({ kind: 'failed', attempts: 1, error: refused });

		const down = new SignalError('unavailable', 'host down');
		const gaveUp = await reconnectLoop({
			policy: exponentialBackoff({ baseDelayMs: 2, minDelayMs: 1, maxAttempts: 4 }),
			signal: new AbortController().signal,
			attempt: () => Promise.reject(down),
			isFatal: () => false,
			onWaiting: () => undefined,
		});
		expect(gaveUp).toEqual({ kind: 'gave-up', attempts: 4, error: down });
	});

	it('passes the previous failure and the elapsed time to the policy', async () => {
		const seen: unknown[] = [];
		let clock = 0;
		const err = new SignalError('timeout', 'join got no answer');
		await reconnectLoop({
			policy: {
				nextDelayMs: (ctx) => {
					seen.push(ctx);
					return ctx.attempt < 2 ? 1 : null;
				},
			},
			signal: new AbortController().signal,
			now: () => (clock += 100),
			attempt: () => Promise.reject(err),
			isFatal: () => false,
			onWaiting: () => undefined,
		});
		expect(seen).toEqual([
			{ attempt: 0, elapsedMs: 100 },
			{ attempt: 1, elapsedMs: 200, lastError: err },
			{ attempt: 2, elapsedMs: 300, lastError: err },
		]);
	});

	it('stops during a wait when aborted (leave() while reconnecting)', async () => {
		const abort = new AbortController();
		let tries = 0;
		const outcome = reconnectLoop({
			policy: { nextDelayMs: () => 60_000 },
			signal: abort.signal,
			attempt: async () => void tries++,
			isFatal: () => false,
			onWaiting: () => abort.abort(),
		});
		await expect(outcome).resolves.toEqual({ kind: 'aborted', attempts: 0 });
		expect(tries).toBe(0);
	});
});
