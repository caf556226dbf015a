/**
 * Resolves once `p` has settled, either way. For queues and locks that only wait their turn: the
 * failure itself goes to whoever awaits `p`, so it is neither lost here nor reported twice.
 */
export function settled(p: Promise<unknown>): Promise<void> {
	return p.then(
		() => undefined,
		() => undefined,
	);
}
