import { exponentialBackoff, MAX_OPENING_WAIT_MS, notStartedOf, openingDelayMs, SignalError, waitingForOpening } from '@luwte/sdk';
import { describe, expect, it } from 'vitest';

// A session that is not open yet: how long a client waits before asking again. Pure decisions,
// with the clock and the jitter given.

const at = (ms: number) => new Date(ms).toISOString();
const notStarted = (opensAt: number, startsAt = opensAt + 15 * 60_000) =>
	new SignalError('not_started', 'not yet', { details: { startsAt: at(startsAt), opensAt: at(opensAt) } });

describe('the join window', () => {
	it('reads the window of a not_started refusal, and nothing from other failures or malformed details', () => {
		const now = Date.UTC(2026, 11, 1, 9, 0);
		expect(notStartedOf(notStarted(now + 60_000))).toEqual({ startsAt: at(now + 16 * 60_000), opensAt: at(now + 60_000) });
		expect(notStartedOf(new SignalError('not_started', 'not yet', { details: { startsAt: 'tomorrow', opensAt: at(now) } }))).toBe(
			undefined,
		);
		expect(notStartedOf(new SignalError('not_started', 'not yet'))).toBe(undefined);
		expect(notStartedOf(new SignalError('not_found', 'gone'))).toBe(undefined);
		expect(notStartedOf(new Error('not_started'))).toBe(undefined);
	});

	it('waits until the window opens, capped so it re-checks every few minutes, with up to 2 s of jitter', () => {
		const now = Date.UTC(2026, 11, 1, 9, 0);
		expect(openingDelayMs(at(now + 12_000), now, 0, () => 0)).toBe(12_000);
		expect(openingDelayMs(at(now + 12_000), now, 0, () => 0.999_9)).toBe(13_999);
		expect(openingDelayMs(at(now + 60 * 60_000), now, 0, () => 0)).toBe(MAX_OPENING_WAIT_MS);
		expect(MAX_OPENING_WAIT_MS).toBeLessThanOrEqual(5 * 60_000);
		// Unknown window: the cap.
		expect(openingDelayMs(undefined, now, 0, () => 0)).toBe(MAX_OPENING_WAIT_MS);
		// The server still says "not yet" when this clock says open (it runs ahead): 2 s doubling to a minute.
		expect([1, 2, 3, 4, 5, 6, 7, 20].map((n) => openingDelayMs(at(now - 1000), now, n, () => 0))).toEqual([
			2000, 4000, 8000, 16_000, 32_000, 60_000, 60_000, 60_000,
		]);
	});

	it('keeps a rejoin waiting for the window without giving up, and leaves other failures to the policy', () => {
		let now = Date.UTC(2026, 11, 1, 9, 0);
		const policy = waitingForOpening(exponentialBackoff({ random: () => 0, maxElapsedMs: 60_000 }), {
			now: () => now,
			random: () => 0,
		});
		expect(policy.nextDelayMs({ attempt: 0, elapsedMs: 0 })).toBe(250);
		// Moved to an hour later: wait in capped steps, far past the policy's one minute.
		const opensAt = now + 60 * 60_000;
		let elapsedMs = 0;
		for (let attempt = 1; now < opensAt; attempt++) {
			const delay = policy.nextDelayMs({ attempt, elapsedMs, lastError: notStarted(opensAt) });
			expect(delay).not.toBeNull();
			expect(delay!).toBeLessThanOrEqual(MAX_OPENING_WAIT_MS);
			now += delay!;
			elapsedMs += delay!;
		}
		expect(now).toBe(opensAt);
		// Then a network failure: the policy's own limit counts from there, not from the outage's start.
		expect(policy.nextDelayMs({ attempt: 30, elapsedMs: elapsedMs + 1000, lastError: new SignalError('unavailable', 'x') })).toBe(250);
		expect(policy.nextDelayMs({ attempt: 31, elapsedMs: elapsedMs + 61_000, lastError: new SignalError('unavailable', 'x') })).toBe(
			null,
		);
	});
});
