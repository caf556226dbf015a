import * as z from 'zod';
import type { ReconnectPolicy } from './reconnect-policy.ts';
import { SignalError } from './signal-channel.ts';

/** When a session that refused a join (`not_started`) begins, and when its join window opens. */
export interface NotStarted {
	/** ISO 8601, as the server sent them. */
	startsAt: string;
	opensAt: string;
}

const instant = z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'not an ISO 8601 instant');
const notStartedDetails = z.object({ startsAt: instant, opensAt: instant });

/**
 * The window of a `not_started` refusal, or undefined for any other failure (or when the server's
 * `details` are not what the protocol promises: then the caller only knows "not yet").
 */
export function notStartedOf(err: unknown): NotStarted | undefined {
	if (!(err instanceof SignalError) || err.code !== 'not_started') return undefined;
	const parsed = notStartedDetails.safeParse(err.details);
	return parsed.success ? { startsAt: parsed.data.startsAt, opensAt: parsed.data.opensAt } : undefined;
}

/**
 * Waits are capped so a client re-checks at least this often: its clock may differ from the
 * server's, a laptop may sleep through a timer, and the session may be moved.
 */
export const MAX_OPENING_WAIT_MS = 3 * 60_000;

/**
 * How long to wait before asking again after a `not_started` refusal: until the window opens
 * (`opensAt`, unknown: the cap), plus up to two seconds of jitter so a room of clients does not
 * arrive in the same instant. `refusals` counts refusals in a row that came after `opensAt` by
 * this client's clock (it runs ahead of the server's): those waits double from 2 s to a minute
 * instead of asking every two seconds.
 */
export function openingDelayMs(opensAt: string | undefined, now: number, refusals = 0, random: () => number = Math.random): number {
	const jitter = Math.floor(random() * 2000);
	const until = opensAt === undefined ? MAX_OPENING_WAIT_MS : Date.parse(opensAt) - now;
	if (until > 0) return Math.min(MAX_OPENING_WAIT_MS, until) + jitter;
	return Math.min(60_000, 2000 * 2 ** Math.max(0, refusals - 1)) + jitter;
}

/**
 * A rejoin refused with `not_started` (the session was moved to later) is no failure: wait for
 * the window, however long, re-checking every few minutes. Any other failure goes to `policy`,
 * which does not count the time spent waiting for the window against its limit.
 */
export function waitingForOpening(
	policy: ReconnectPolicy,
	{ now = Date.now, random = Math.random }: { now?: () => number; random?: () => number } = {},
): ReconnectPolicy {
	let refusals = 0;
	let waitedMs = 0;
	return {
		nextDelayMs(context) {
			const err = context.lastError;
			if (!(err instanceof SignalError && err.code === 'not_started')) {
				refusals = 0;
				return policy.nextDelayMs({ ...context, elapsedMs: Math.max(0, context.elapsedMs - waitedMs) });
			}
			const opensAt = notStartedOf(err)?.opensAt;
			refusals = opensAt !== undefined && Date.parse(opensAt) > now() ? 0 : refusals + 1;
			const delay = openingDelayMs(opensAt, now(), refusals, random);
			waitedMs += delay;
			return delay;
		},
	};
}
