import type { FlashAnalysisWindow } from './flash.ts';
import type { LayoutInterval } from './layout.ts';

/** Keep this far from flagged flashing, in seconds. */
const FLASH_MARGIN = 2;

/**
 * When to take the thumbnail: at a tenth of the item (at least 3 s in, at most halfway), moved to
 * the nearest moment that shows a picture and is well away from any flagged flashing.
 */
export function thumbnailTime(duration: number, flashes: readonly FlashAnalysisWindow[], intervals: readonly LayoutInterval[]): number {
	const last = Math.max(0, duration - 0.2);
	const preferred = Math.min(Math.max(3, duration / 10), duration / 2, last);
	const calm = (t: number) =>
		flashes.every((w) => t < w.startSeconds - FLASH_MARGIN || t > w.endSeconds + FLASH_MARGIN) &&
		(intervals.length === 0 || intervals.some((i) => i.kind !== 'empty' && i.start + 0.5 <= t && t < i.end - 0.2));
	if (calm(preferred)) return round3(preferred);
	const step = Math.max(0.5, duration / 200);
	for (let d = step; d <= duration; d += step) {
		for (const t of [preferred + d, preferred - d]) if (t >= 0 && t <= last && calm(t)) return round3(t);
	}
	return round3(preferred);
}

function round3(x: number): number {
	return Math.round(x * 1000) / 1000;
}
