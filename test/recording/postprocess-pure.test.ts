import { detectFlashes, FlashDetector, planLayout, type FlashDetectorOptions, type VideoTrack } from '@luwte/engine/recording';
import { describe, expect, it } from 'vitest';

const W = 16;
const H = 9;
const FPS = 25;
const base: FlashDetectorOptions = { width: W, height: H, fps: FPS };

/**
 * Frames of `seconds`, all pixels at `calm`, except those `inArea(x, y)` says flash between `lo`
 * and `hi` at `hz` flashes a second (a flash: up and down again) during [from, to).
 */
function sequence(opts: {
	seconds: number;
	hz: number;
	lo: number;
	hi: number;
	calm?: number;
	from?: number;
	to?: number;
	inArea?: (x: number, y: number) => boolean;
	/** Opposite phase for these pixels (a checkerboard inverting). */
	inverted?: (x: number, y: number) => boolean;
}): Float32Array[] {
	const frames: Float32Array[] = [];
	const from = opts.from ?? 0;
	const to = opts.to ?? opts.seconds;
	for (let i = 0; i < opts.seconds * FPS; i++) {
		const t = i / FPS;
		const phase = Math.floor((t - from) * 2 * opts.hz) % 2;
		const f = new Float32Array(W * H);
		for (let y = 0; y < H; y++) {
			for (let x = 0; x < W; x++) {
				const flashing = t >= from && t < to && (opts.inArea?.(x, y) ?? true);
				const on = opts.inverted?.(x, y) ? 1 - phase : phase;
				f[y * W + x] = flashing ? (on ? opts.hi : opts.lo) : (opts.calm ?? opts.lo);
			}
		}
		frames.push(f);
	}
	return frames;
}

describe('flash detector (WCAG 2.3.1 general flash threshold)', () => {
	it('lets three full-screen flashes a second pass and flags four', () => {
		expect(detectFlashes(sequence({ seconds: 4, hz: 3, lo: 0, hi: 1 }), base).flagged).toBe(false);
		const four = detectFlashes(sequence({ seconds: 4, hz: 4, lo: 0, hi: 1 }), base);
		expect(four.flagged).toBe(true);
		expect(four.windows[0]!.maxFlashesPerSecond).toBe(4);
	});

	it('with the broadcast rule (a quarter of the whole frame), does not count a tenth of the frame, and counts a third of it', () => {
		const wholeFrame = { ...base, fieldFraction: 1 };
		// 2×7 of 16×9 pixels: 10 %.
		const small = sequence({ seconds: 3, hz: 5, lo: 0, hi: 1, inArea: (x, y) => x < 2 && y < 7 });
		expect(detectFlashes(small, wholeFrame).flagged).toBe(false);
		// 6×9: 37.5 %.
		const large = sequence({ seconds: 3, hz: 5, lo: 0, hi: 1, inArea: (x) => x < 6 });
		expect(detectFlashes(large, wholeFrame).flagged).toBe(true);
	});

	it('by default (the 10° field), does not count a patch under a quarter of any field', () => {
		// One pixel of 16×9 (0.7 % of the frame; under a quarter of a 5×3 field).
		const dot = sequence({ seconds: 3, hz: 5, lo: 0, hi: 1, inArea: (x, y) => x === 8 && y === 4 });
		expect(detectFlashes(dot, base).flagged).toBe(false);
	});

	it('does not count changes under 10 % of the maximum luminance, nor flicker between two bright states', () => {
		expect(detectFlashes(sequence({ seconds: 3, hz: 5, lo: 0.3, hi: 0.38 }), base).flagged).toBe(false);
		expect(detectFlashes(sequence({ seconds: 3, hz: 5, lo: 0.3, hi: 0.45 }), base).flagged).toBe(true);
		// Darker state 0.85: above 0.80, not a flash.
		expect(detectFlashes(sequence({ seconds: 3, hz: 5, lo: 0.85, hi: 1 }), base).flagged).toBe(false);
	});

	it('flags an inverting checkerboard, whose mean luminance never changes', () => {
		const checker = sequence({ seconds: 3, hz: 5, lo: 0, hi: 1, inverted: (x, y) => (x + y) % 2 === 1 });
		const mean = (f: Float32Array) => f.reduce((s, v) => s + v, 0) / f.length;
		expect(Math.abs(mean(checker[10]!) - mean(checker[12]!))).toBeLessThan(0.01);
		expect(detectFlashes(checker, base).flagged).toBe(true);
	});

	it('reports when the flashing happened: one window around 2-4 s of a 6 s clip', () => {
		const r = detectFlashes(sequence({ seconds: 6, hz: 5, lo: 0, hi: 1, from: 2, to: 4 }), base);
		expect(r.windows.length).toBe(1);
		const w = r.windows[0]!;
		expect(w.startSeconds).toBeGreaterThanOrEqual(1);
		expect(w.startSeconds).toBeLessThanOrEqual(2.2);
		expect(w.endSeconds).toBeGreaterThanOrEqual(3.8);
		expect(w.endSeconds).toBeLessThanOrEqual(5);
		expect(w.maxFlashesPerSecond).toBe(5);
	});

	it('with the 10° field rule (the default: a third of the frame each way), flags a smaller flashing patch', () => {
		// A 6×3 block: 12.5 % of the frame, but more than a quarter of a 5×3 field.
		const patch = sequence({ seconds: 3, hz: 5, lo: 0, hi: 1, inArea: (x, y) => x >= 5 && x < 11 && y >= 3 && y < 6 });
		expect(detectFlashes(patch, { ...base, fieldFraction: 1 }).flagged).toBe(false);
		expect(detectFlashes(patch, base).flagged).toBe(true);
	});

	it('flags saturated red flashing even at constant luminance (red flash threshold)', () => {
		const grey = 0.2126; // the luminance of full red
		const d = new FlashDetector(base);
		const lum = new Float32Array(W * H).fill(grey);
		for (let i = 0; i < 3 * FPS; i++) {
			const red = Math.floor((i / FPS) * 10) % 2 === 0;
			const rgb = new Float32Array(3 * W * H);
			for (let p = 0; p < W * H; p++) rgb.set(red ? [1, 0, 0] : [grey, grey, grey], 3 * p);
			d.push(lum, rgb);
		}
		const r = d.finish();
		expect(r.flagged).toBe(true);
		expect(r.redFlagged).toBe(true);
		// The same alternation between two non-red colours of equal luminance is not a flash.
		const d2 = new FlashDetector(base);
		for (let i = 0; i < 3 * FPS; i++) {
			const a = Math.floor((i / FPS) * 10) % 2 === 0;
			const rgb = new Float32Array(3 * W * H);
			for (let p = 0; p < W * H; p++) rgb.set(a ? [0.1, 0.25, 0.1] : [grey, grey, grey], 3 * p);
			d2.push(lum, rgb);
		}
		expect(d2.finish().flagged).toBe(false);
	});
});

const track = (t: Partial<VideoTrack> & Pick<VideoTrack, 'slot' | 'start' | 'end'>): VideoTrack => ({
	id: `${t.slot}@${t.start}`,
	role: 'participant',
	source: 'camera',
	width: 640,
	height: 480,
	...t,
});

describe('composition layout', () => {
	it('shows one camera full-frame at its own size, and keeps it through a short camera-off', () => {
		const plan = planLayout([track({ slot: 'a', start: 0, end: 10 }), track({ slot: 'a', start: 14, end: 30 })], 30);
		expect([plan.width, plan.height]).toEqual([640, 480]);
		expect(plan.intervals.map((i) => i.kind)).toEqual(['single']);
		expect(plan.intervals[0]!.cells[0]!.rect).toEqual({ x: 0, y: 0, w: 640, h: 480 });
	});

	it('puts a shared screen large with cameras beside it', () => {
		const plan = planLayout(
			[
				track({ slot: 'h:camera', role: 'host', start: 0, end: 20 }),
				track({ slot: 'h:screen', role: 'host', source: 'screen', start: 0, end: 20, width: 1920, height: 1080 }),
				track({ slot: 'p:camera', start: 0, end: 20 }),
			],
			20,
		);
		expect([plan.width, plan.height]).toEqual([1280, 720]);
		const [i] = plan.intervals;
		expect(i!.kind).toBe('stage');
		const screen = i!.cells.find((c) => c.slot === 'h:screen')!.rect;
		for (const c of i!.cells.filter((c) => c.slot !== 'h:screen')) {
			expect(c.rect.w * c.rect.h).toBeLessThan((screen.w * screen.h) / 4);
			expect(c.rect.x).toBeGreaterThanOrEqual(screen.x + screen.w);
		}
	});

	it('shows at most four tiles, begeleider first, and leaves tiles in place when someone leaves the grid', () => {
		const tracks = [
			track({ slot: 'p1', start: 0, end: 40 }),
			track({ slot: 'p2', start: 0, end: 20 }),
			track({ slot: 'p3', start: 0, end: 40 }),
			track({ slot: 'p4', start: 0, end: 40 }),
			track({ slot: 'host', role: 'host', start: 1, end: 40 }),
		];
		const plan = planLayout(tracks, 40);
		const first = plan.intervals.find((i) => i.start <= 5 && i.end > 5)!;
		expect(first.kind).toBe('grid');
		expect(first.cells.length).toBe(4);
		expect(first.cells.map((c) => c.slot)).toContain('host');
		const later = plan.intervals.find((i) => i.start <= 30 && i.end > 30)!;
		expect(later.kind).toBe('grid');
		// Those who were shown before and still are keep their place.
		for (const c of later.cells) {
			const before = first.cells.find((b) => b.slot === c.slot);
			if (before) expect(c.rect).toEqual(before.rect);
		}
	});
});
