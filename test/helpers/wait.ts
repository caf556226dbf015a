/**
 * Polls until `pred` holds (it may be async); fails with `what` after `timeoutMs`. Bounded, never
 * hangs a run. Give it a generous ceiling (30-90 s): a busy machine is slow, not broken, and a
 * condition that holds ends the wait at once.
 */
export async function waitFor(pred: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
	const t0 = Date.now();
	while (!(await pred())) {
		if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what} (${Math.round(timeoutMs / 1000)} s)`);
		await new Promise((r) => setTimeout(r, 50));
	}
}
