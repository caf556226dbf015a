/** Polls until `pred` holds; fails with `what` after `timeoutMs`. Bounded, never hangs a run. */
export async function waitFor(pred: () => boolean, timeoutMs: number, what: string): Promise<void> {
	const t0 = Date.now();
	while (!pred()) {
		if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
		await new Promise((r) => setTimeout(r, 50));
	}
}
