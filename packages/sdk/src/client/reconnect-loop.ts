import type { ReconnectPolicy } from './reconnect-policy.ts';

export interface ReconnectLoopOptions {
	policy: ReconnectPolicy;
	/** One try to get back in; throws when it fails (and cleans up after itself). */
	attempt(): Promise<void>;
	/** Failures no retry can mend (a revoked token, an ended session): stop at once. */
	isFatal(error: unknown): boolean;
	/** Before each wait: the number of the attempt that follows it (1, 2, …) and the wait. */
	onWaiting(attempt: number, delayMs: number): void;
	/** Aborting stops the loop during a wait or after the running attempt. */
	signal: AbortSignal;
	/** A clock (ms); `Date.now` by default. */
	now?: () => number;
}

export type ReconnectOutcome =
	| { kind: 'reconnected'; attempts: number }
	| { kind: 'aborted'; attempts: number }
	/** A fatal failure (`error`), or the policy gave up (`error` is the last failure, if any). */
	| { kind: 'failed' | 'gave-up'; attempts: number; error: unknown };

/** Asks the policy how long to wait, waits, tries; until back in, stopped, or the policy gives up. */
export async function reconnectLoop(opts: ReconnectLoopOptions): Promise<ReconnectOutcome> {
	const now = opts.now ?? Date.now;
	const started = now();
	let attempts = 0;
	let lastError: unknown;
	for (;;) {
		const context = { attempt: attempts, elapsedMs: now() - started, ...(attempts > 0 ? { lastError } : {}) };
		const delayMs = opts.policy.nextDelayMs(context);
		if (delayMs === null) return { kind: 'gave-up', attempts, error: lastError };
		opts.onWaiting(attempts + 1, delayMs);
		if (!(await sleep(delayMs, opts.signal))) return { kind: 'aborted', attempts };
		attempts++;
		try {
			await opts.attempt();
		} catch (err) {
			if (opts.signal.aborted) return { kind: 'aborted', attempts };
			if (opts.isFatal(err)) return { kind: 'failed', attempts, error: err };
			lastError = err;
			continue;
		}
		return opts.signal.aborted ? { kind: 'aborted', attempts } : { kind: 'reconnected', attempts };
	}
}

/** Resolves true after `ms`, or false as soon as `signal` aborts. */
function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
	if (signal.aborted) return Promise.resolve(false);
	return new Promise((resolve) => {
		const done = (completed: boolean) => {
			clearTimeout(timer);
			signal.removeEventListener('abort', onAbort);
			resolve(completed);
		};
		const onAbort = () => done(false);
		const timer = setTimeout(() => done(true), Math.max(0, ms));
		signal.addEventListener('abort', onAbort, { once: true });
	});
}
