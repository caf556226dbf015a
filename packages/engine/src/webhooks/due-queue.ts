/**
 * Chains by when their head is due next: a binary min-heap of (due, key) entries. Entries are
 * pushed whenever a chain's head changes or is rescheduled and are never updated in place: the
 * reader checks each popped entry against the chain as it is now and skips stale ones. So the
 * dispatcher touches only chains that are due instead of scanning every chain on every wake-up.
 */
export class DueQueue {
	#heap: { due: number; key: string }[] = [];

	get size(): number {
		return this.#heap.length;
	}

	push(due: number, key: string): void {
		const h = this.#heap;
		h.push({ due, key });
		let i = h.length - 1;
		while (i > 0) {
			const parent = (i - 1) >> 1;
			if (h[parent]!.due <= h[i]!.due) break;
			[h[parent], h[i]] = [h[i]!, h[parent]!];
			i = parent;
		}
	}

	/** The earliest entry's time; Infinity when empty. */
	peek(): number {
		return this.#heap[0]?.due ?? Number.POSITIVE_INFINITY;
	}

	pop(): { due: number; key: string } | undefined {
		const h = this.#heap;
		const top = h[0];
		const last = h.pop();
		if (top === undefined || last === undefined || h.length === 0) return top;
		h[0] = last;
		let i = 0;
		for (;;) {
			const l = 2 * i + 1;
			const r = l + 1;
			let m = i;
			if (l < h.length && h[l]!.due < h[m]!.due) m = l;
			if (r < h.length && h[r]!.due < h[m]!.due) m = r;
			if (m === i) break;
			[h[m], h[i]] = [h[i]!, h[m]!];
			i = m;
		}
		return top;
	}

	clear(): void {
		this.#heap = [];
	}
}
