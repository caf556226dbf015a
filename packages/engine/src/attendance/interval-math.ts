import { localDate, nextLocalMidnight, BILLING_TIME_ZONE } from './local-time.ts';

/** A half-open span of time `[start, end)` in UTC milliseconds; `end > start` after normalising. */
export interface Interval {
	start: number;
	end: number;
}

/** Sorted, non-overlapping, non-touching intervals covering exactly the input's time (empty ones dropped). */
export function union(intervals: readonly Interval[]): Interval[] {
	const sorted = intervals.filter((i) => i.end > i.start).sort((a, b) => a.start - b.start || a.end - b.end);
	const out: Interval[] = [];
	for (const i of sorted) {
		const last = out.at(-1);
		if (last && i.start <= last.end) last.end = Math.max(last.end, i.end);
		else out.push({ start: i.start, end: i.end });
	}
	return out;
}

/** The parts of `intervals` inside `[from, to)`. */
export function clip(intervals: readonly Interval[], from: number, to: number): Interval[] {
	const out: Interval[] = [];
	for (const i of intervals) {
		const start = Math.max(i.start, from);
		const end = Math.min(i.end, to);
		if (end > start) out.push({ start, end });
	}
	return out;
}

/** Time covered, counting overlaps once. */
export function total(intervals: readonly Interval[]): number {
	let sum = 0;
	for (const i of union(intervals)) sum += i.end - i.start;
	return sum;
}

/** Groups of the (unioned) intervals whose gaps are at most `maxGapMs`: one group is one continuous attendance. */
export function groupByGap(intervals: readonly Interval[], maxGapMs: number): Interval[][] {
	const groups: Interval[][] = [];
	for (const i of union(intervals)) {
		const group = groups.at(-1);
		const last = group?.at(-1);
		if (group && last && i.start - last.end <= maxGapMs) group.push(i);
		else groups.push([i]);
	}
	return groups;
}

/** Splits the intervals at every local midnight; returns the pieces per local date (`YYYY-MM-DD`), dates ascending. */
export function splitAtLocalMidnight(intervals: readonly Interval[], timeZone = BILLING_TIME_ZONE): Map<string, Interval[]> {
	const byDay = new Map<string, Interval[]>();
	for (const i of union(intervals)) {
		let start = i.start;
		while (start < i.end) {
			const end = Math.min(i.end, nextLocalMidnight(start, timeZone));
			const day = localDate(start, timeZone);
			const list = byDay.get(day);
			if (list) list.push({ start, end });
			else byDay.set(day, [{ start, end }]);
			start = end;
		}
	}
	return new Map([...byDay].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
