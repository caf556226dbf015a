/**
 * The composed picture over time, as a pure plan: which video shows where, when. Calm before
 * clever: the layout changes only when the set of visible videos changes for longer than a
 * moment, tiles keep their place while the layout keeps its shape, and the background is one
 * dark neutral colour.
 */

export type TileRole = 'host' | 'location' | 'participant' | 'viewer';

/** One video stream of one part, placed on the item's timeline (seconds). */
export interface VideoTrack {
	/** Unique per stream (`part-000:1`). */
	id: string;
	/** What the viewer recognises as "the same tile": participant and source (`p1:camera`). */
	slot: string;
	role: TileRole;
	source: 'camera' | 'screen';
	start: number;
	end: number;
	/** Picture size as recorded (0 when unknown). */
	width: number;
	height: number;
}

export interface Rect {
	x: number;
	y: number;
	w: number;
	h: number;
}

export type LayoutKind = 'empty' | 'single' | 'pair' | 'grid' | 'stage';

export interface LayoutInterval {
	start: number;
	end: number;
	kind: LayoutKind;
	cells: { slot: string; rect: Rect }[];
}

export interface CompositionPlan {
	width: number;
	height: number;
	/** Margin between tiles, in pixels. */
	gap: number;
	intervals: LayoutInterval[];
}

export interface LayoutOptions {
	maxWidth?: number;
	maxHeight?: number;
	/** A slot that is gone for less than this (camera off and on) keeps its tile meanwhile. */
	holdSeconds?: number;
	/** Most tiles at once (the rest by priority are not shown). */
	maxTiles?: number;
}

const roleOrder: Record<TileRole, number> = { host: 0, location: 1, participant: 2, viewer: 3 };

const even = (x: number): number => Math.max(2, 2 * Math.round(x / 2));

/** Fits `w`×`h` into the box, keeping the aspect ratio, never enlarging; even sizes. */
export function fitWithin(w: number, h: number, maxW: number, maxH: number): { width: number; height: number } {
	if (!(w > 0 && h > 0)) return { width: even(maxW), height: even(maxH) };
	const s = Math.min(1, maxW / w, maxH / h);
	return { width: even(w * s), height: even(h * s) };
}

interface SlotInfo {
	slot: string;
	role: TileRole;
	source: 'camera' | 'screen';
	firstStart: number;
	/** Presence intervals with short gaps bridged. */
	spans: [number, number][];
}

function slotsOf(tracks: readonly VideoTrack[], hold: number): SlotInfo[] {
	const bySlot = new Map<string, VideoTrack[]>();
	for (const t of tracks) {
		if (!(t.end > t.start)) continue;
		const list = bySlot.get(t.slot) ?? [];
		list.push(t);
		bySlot.set(t.slot, list);
	}
	const slots: SlotInfo[] = [];
	for (const [slot, list] of bySlot) {
		list.sort((a, b) => a.start - b.start);
		const spans: [number, number][] = [];
		for (const t of list) {
			const last = spans.at(-1);
			if (last && t.start - last[1] < hold) last[1] = Math.max(last[1], t.end);
			else spans.push([t.start, t.end]);
		}
		const first = list[0]!;
		slots.push({ slot, role: first.role, source: first.source, firstStart: first.start, spans });
	}
	// Priority: begeleider and location first, then by who appeared first.
	return slots.sort((a, b) => roleOrder[a.role] - roleOrder[b.role] || a.firstStart - b.firstStart || (a.slot < b.slot ? -1 : 1));
}

function cellsFor(kind: LayoutKind, width: number, height: number, gap: number): Rect[] {
	const g = gap;
	switch (kind) {
		case 'empty':
			return [];
		case 'single':
			return [{ x: 0, y: 0, w: width, h: height }];
		case 'pair': {
			const w = even((width - 3 * g) / 2);
			const h = even(height - 2 * g);
			return [
				{ x: g, y: g, w, h },
				{ x: width - g - w, y: g, w, h },
			];
		}
		case 'grid': {
			const w = even((width - 3 * g) / 2);
			const h = even((height - 3 * g) / 2);
			const x2 = width - g - w;
			const y2 = height - g - h;
			return [
				{ x: g, y: g, w, h },
				{ x: x2, y: g, w, h },
				{ x: g, y: y2, w, h },
				{ x: x2, y: y2, w, h },
			];
		}
		case 'stage': {
			// The shared screen large; up to three others stacked beside it.
			const side = even(width / 4);
			const sideH = even((height - 4 * g) / 3);
			const stage: Rect = { x: g, y: g, w: even(width - side - 3 * g), h: even(height - 2 * g) };
			const x = width - g - side;
			return [stage, ...[0, 1, 2].map((i) => ({ x, y: g + i * (sideH + g), w: side, h: sideH }))];
		}
	}
}

function kindFor(visible: readonly SlotInfo[]): LayoutKind {
	if (visible.length === 0) return 'empty';
	if (visible.length === 1) return 'single';
	if (visible.some((s) => s.source === 'screen')) return 'stage';
	return visible.length === 2 ? 'pair' : 'grid';
}

/**
 * Plans the composition. One video at a time (the whole item, or each moment of it): it fills
 * the frame, letterboxed, and the frame is the largest source fitted within 1280×720. More at
 * once: a 16:9 canvas with a pair, a 2×2 grid, or a shared screen large with cameras beside it.
 */
export function planLayout(tracks: readonly VideoTrack[], duration: number, opts: LayoutOptions = {}): CompositionPlan {
	const maxW = opts.maxWidth ?? 1280;
	const maxH = opts.maxHeight ?? 720;
	const maxTiles = opts.maxTiles ?? 4;
	const slots = slotsOf(tracks, opts.holdSeconds ?? 10);

	// Moments where the set of present slots changes.
	const cuts = new Set<number>([0, duration]);
	for (const s of slots) for (const [a, b] of s.spans) for (const t of [a, b]) if (t > 0 && t < duration) cuts.add(t);
	const times = [...cuts].sort((a, b) => a - b);
	const raw: { start: number; end: number; visible: SlotInfo[] }[] = [];
	for (let i = 0; i + 1 < times.length; i++) {
		const start = times[i]!;
		const end = times[i + 1]!;
		const mid = (start + end) / 2;
		let visible = slots.filter((s) => s.spans.some(([a, b]) => a <= mid && mid < b));
		// A shared screen goes to the stage whatever its owner's rank; the rest by priority.
		const screen = visible.find((s) => s.source === 'screen');
		if (screen) visible = [screen, ...visible.filter((s) => s !== screen)];
		visible = visible.slice(0, maxTiles);
		const prev = raw.at(-1);
		if (prev && sameSet(prev.visible, visible)) prev.end = end;
		else raw.push({ start, end, visible });
	}

	const concurrent = Math.max(0, ...raw.map((r) => r.visible.length));
	let width: number;
	let height: number;
	if (slots.length === 0) {
		// Sound only: a small dark picture is all the player needs.
		width = 640;
		height = 360;
	} else if (concurrent <= 1) {
		const srcW = Math.max(0, ...tracks.map((t) => t.width));
		const srcH = Math.max(0, ...tracks.map((t) => t.height));
		({ width, height } = srcW > 0 && srcH > 0 ? fitWithin(srcW, srcH, maxW, maxH) : { width: even(maxW), height: even(maxH) });
	} else {
		// Two tiles side by side need twice a source's width; never below 640 (legible) or above the maximum.
		const srcW = Math.max(0, ...tracks.map((t) => t.width));
		width = even(Math.min(maxW, Math.max(640, 2 * srcW)));
		height = even(Math.min(maxH, (width * 9) / 16));
	}
	const gap = concurrent <= 1 ? 0 : even(width / 160);

	const intervals: LayoutInterval[] = [];
	let prevKind: LayoutKind | undefined;
	let prevCells = new Map<string, number>();
	for (const r of raw) {
		const kind = kindFor(r.visible);
		const rects = cellsFor(kind, width, height, gap);
		const assigned = new Map<string, number>();
		if (kind === prevKind) {
			// Same shape: everyone stays where they were, newcomers take the free places.
			for (const s of r.visible) {
				const at = prevCells.get(s.slot);
				if (at !== undefined) assigned.set(s.slot, at);
			}
		}
		if (kind === 'stage') {
			const screen = r.visible[0]!;
			if (assigned.get(screen.slot) !== 0) {
				for (const [k, v] of assigned) if (v === 0) assigned.delete(k);
				assigned.set(screen.slot, 0);
			}
		}
		const used = new Set(assigned.values());
		for (const s of r.visible) {
			if (assigned.has(s.slot)) continue;
			let free = 0;
			while (used.has(free) || (kind === 'stage' && free === 0)) free++;
			assigned.set(s.slot, free);
			used.add(free);
		}
		intervals.push({
			start: r.start,
			end: r.end,
			kind,
			cells: r.visible.map((s) => ({ slot: s.slot, rect: rects[assigned.get(s.slot)!]! })),
		});
		prevKind = kind;
		prevCells = assigned;
	}
	return { width, height, gap, intervals };
}

function sameSet(a: readonly SlotInfo[], b: readonly SlotInfo[]): boolean {
	return a.length === b.length && a.every((s, i) => s === b[i]);
}
