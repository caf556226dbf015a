/**
 * Flash detection after WCAG 2.3.1 (general flash and red flash thresholds), as a pure function
 * over frames of relative luminance (and optionally linear RGB for the red case).
 *
 * Per pixel of a small frame (each pixel stands for a block of the picture), a transition is a
 * change of relative luminance of at least `minChange` whose darker state is below `darkLimit`;
 * a flash is a pair of opposing transitions. A window of one second is hazardous when at least
 * `areaFraction` of a field (by default WCAG's 10° field: a third of the frame each way) consists of pixels with more than
 * `maxFlashesPerSecond` flashes in it. Counting per pixel rather than per region mean also
 * catches patterns whose halves flash in opposite phase (an inverting checkerboard), which a
 * region mean averages away.
 */

export interface FlashDetectorOptions {
	/** Frame size in pixels (a low resolution: each pixel is a block of the picture). */
	width: number;
	height: number;
	fps: number;
	/** Time of the first frame, in seconds (default 0). */
	startSeconds?: number;
	/** Smallest change of relative luminance that is a transition (WCAG: 10 % of the maximum). */
	minChange?: number;
	/** The darker state of a transition must be below this (WCAG: 0.80). */
	darkLimit?: number;
	/** More than this many flashes within one second is hazardous (WCAG: three). */
	maxFlashesPerSecond?: number;
	/** Share of a field that must flash for it to count (default 0.25). */
	areaFraction?: number;
	/**
	 * The field the area is measured in, as a fraction of the frame's width and height. The
	 * default, 1/3, approximates WCAG's 10° field (341×256 on a 1024×768 screen), checked at
	 * overlapping positions: a quarter of it is about 3 % of the picture. That is WCAG's reading,
	 * stricter than the broadcast rule (a quarter of the whole screen, `1`), and chosen for
	 * viewers with brain injury: a false alarm costs a person one look, a missed one harms.
	 */
	fieldFraction?: number;
}

export interface FlashAnalysisWindow {
	startSeconds: number;
	endSeconds: number;
	/** The most flashes within one second that the counted area reached in this window. */
	maxFlashesPerSecond: number;
	/** Saturated red flashing contributed to this window. */
	red: boolean;
}

export interface FlashAnalysis {
	flagged: boolean;
	/** Offending one-second windows, overlapping ones merged, in time order. */
	windows: FlashAnalysisWindow[];
	/** Whether saturated red flashing alone crossed the threshold somewhere. */
	redFlagged: boolean;
	frames: number;
}

/** sRGB code value (0..255) to linear light. */
export const srgbToLinear: Float32Array = (() => {
	const lut = new Float32Array(256);
	for (let i = 0; i < 256; i++) {
		const c = i / 255;
		lut[i] = c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
	}
	return lut;
})();

/** Relative luminance of linear RGB (sRGB primaries, D65). */
export function relativeLuminance(r: number, g: number, b: number): number {
	return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

// CIE 1976 UCS chromaticity of the D65 white point: what near-black pixels are taken to be.
const WHITE_U = 0.1978;
const WHITE_V = 0.4683;
/** Below this luminance a pixel's chromaticity is noise: treat it as neutral. */
const CHROMA_MIN_LUMINANCE = 0.005;
/** WCAG: the chromaticity difference of a red transition is more than 0.2 in CIE 1976 UCS. */
const RED_CHROMA_CHANGE = 0.2;

interface Field {
	/** Pixels in the field that are hazardous now (general, red). */
	hazardous: number;
	redHazardous: number;
	need: number;
	pixels: Int32Array;
}

/**
 * Feed frames one by one with `push`; `finish` returns the report. Memory stays bounded (one
 * second of transition lists), so an hour of video streams through.
 */
export class FlashDetector {
	readonly #w: number;
	readonly #h: number;
	readonly #fps: number;
	readonly #start: number;
	readonly #minChange: number;
	readonly #darkLimit: number;
	/** A pixel with this many transitions within one second flashes more than allowed. */
	readonly #hazardTransitions: number;
	readonly #windowFrames: number;
	readonly #fields: Field[];
	/** For each pixel, the fields it belongs to. */
	readonly #fieldsOf: Int32Array[];
	// Per-pixel luminance state: direction of the current run (0 unknown, 1 rising, -1 falling),
	// its extreme so far, and before the first transition the lowest and highest value seen.
	readonly #dir: Int8Array;
	readonly #ext: Float32Array;
	readonly #lo: Float32Array;
	readonly #hi: Float32Array;
	// Per-pixel red state: chromaticity at the last change, and whether that state was saturated red.
	readonly #anchorU: Float32Array;
	readonly #anchorV: Float32Array;
	readonly #anchorRed: Uint8Array;
	readonly #counts: Uint16Array;
	readonly #redCounts: Uint16Array;
	/** Pixels that made a transition, per frame of the last second (ring). */
	readonly #ring: Int32Array[] = [];
	readonly #redRing: Int32Array[] = [];
	readonly #scratch: Int32Array;
	readonly #redScratch: Int32Array;
	#frame = 0;
	#windows: FlashAnalysisWindow[] = [];
	#redFlagged = false;

	constructor(opts: FlashDetectorOptions) {
		const { width, height, fps } = opts;
		if (!(Number.isInteger(width) && width > 0 && Number.isInteger(height) && height > 0 && fps > 0)) {
			throw new RangeError('flash detector: width, height and fps must be positive');
		}
		this.#w = width;
		this.#h = height;
		this.#fps = fps;
		this.#start = opts.startSeconds ?? 0;
		this.#minChange = opts.minChange ?? 0.1;
		this.#darkLimit = opts.darkLimit ?? 0.8;
		this.#hazardTransitions = 2 * ((opts.maxFlashesPerSecond ?? 3) + 1);
		this.#windowFrames = Math.max(1, Math.round(fps));
		const n = width * height;
		this.#dir = new Int8Array(n);
		this.#ext = new Float32Array(n);
		this.#lo = new Float32Array(n).fill(Number.POSITIVE_INFINITY);
		this.#hi = new Float32Array(n).fill(Number.NEGATIVE_INFINITY);
		this.#anchorU = new Float32Array(n).fill(Number.NaN);
		this.#anchorV = new Float32Array(n);
		this.#anchorRed = new Uint8Array(n);
		this.#counts = new Uint16Array(n);
		this.#redCounts = new Uint16Array(n);
		this.#scratch = new Int32Array(n);
		this.#redScratch = new Int32Array(n);
		this.#fields = makeFields(width, height, opts.fieldFraction ?? 1 / 3, opts.areaFraction ?? 0.25);
		const lists: number[][] = Array.from({ length: n }, () => []);
		this.#fields.forEach((f, i) => {
			for (const p of f.pixels) lists[p]!.push(i);
		});
		this.#fieldsOf = lists.map((l) => Int32Array.from(l));
	}

	/**
	 * One frame: relative luminance per pixel (0..1, row by row), and optionally the same frame
	 * as linear RGB (3 values per pixel) for the red flash check.
	 */
	push(luminance: Float32Array, linearRgb?: Float32Array): void {
		const n = this.#w * this.#h;
		if (luminance.length !== n) throw new RangeError(`flash detector: frame has ${luminance.length} values, expected ${n}`);
		if (linearRgb && linearRgb.length !== 3 * n)
			throw new RangeError(`flash detector: RGB frame has ${linearRgb.length} values, expected ${3 * n}`);
		let moved = 0;
		let redMoved = 0;
		for (let p = 0; p < n; p++) {
			if (this.#luminanceStep(p, luminance[p]!)) this.#scratch[moved++] = p;
			if (linearRgb && this.#redStep(p, linearRgb[3 * p]!, linearRgb[3 * p + 1]!, linearRgb[3 * p + 2]!))
				this.#redScratch[redMoved++] = p;
		}
		const slot = this.#frame % this.#windowFrames;
		// The frame leaving the one-second window takes its transitions with it.
		const oldGeneral = this.#ring[slot];
		const oldRed = this.#redRing[slot];
		if (oldGeneral) for (const p of oldGeneral) this.#count(p, -1, false);
		if (oldRed) for (const p of oldRed) this.#count(p, -1, true);
		this.#ring[slot] = this.#scratch.slice(0, moved);
		this.#redRing[slot] = this.#redScratch.slice(0, redMoved);
		for (let i = 0; i < moved; i++) this.#count(this.#scratch[i]!, 1, false);
		for (let i = 0; i < redMoved; i++) this.#count(this.#redScratch[i]!, 1, true);
		this.#judge();
		this.#frame++;
	}

	finish(): FlashAnalysis {
		return {
			flagged: this.#windows.length > 0,
			windows: this.#windows.map((w) => ({ ...w })),
			redFlagged: this.#redFlagged,
			frames: this.#frame,
		};
	}

	/** Zig-zag over the pixel's luminance: a transition is counted when a run has moved far enough. */
	#luminanceStep(p: number, v: number): boolean {
		const dir = this.#dir[p]!;
		const t = this.#minChange;
		if (dir === 0) {
			if (v < this.#lo[p]!) this.#lo[p] = v;
			if (v > this.#hi[p]!) this.#hi[p] = v;
			if (v - this.#lo[p]! >= t && this.#lo[p]! < this.#darkLimit) {
				this.#dir[p] = 1;
				this.#ext[p] = v;
				return true;
			}
			if (this.#hi[p]! - v >= t && v < this.#darkLimit) {
				this.#dir[p] = -1;
				this.#ext[p] = v;
				return true;
			}
			return false;
		}
		const ext = this.#ext[p]!;
		if (dir === 1) {
			if (v > ext) this.#ext[p] = v;
			else if (ext - v >= t && v < this.#darkLimit) {
				this.#dir[p] = -1;
				this.#ext[p] = v;
				return true;
			}
			return false;
		}
		if (v < ext) this.#ext[p] = v;
		else if (v - ext >= t && ext < this.#darkLimit) {
			this.#dir[p] = 1;
			this.#ext[p] = v;
			return true;
		}
		return false;
	}

	/** A red transition: a chromaticity change of more than 0.2 to or from a saturated red. */
	#redStep(p: number, r: number, g: number, b: number): boolean {
		const y = relativeLuminance(r, g, b);
		let u = WHITE_U;
		let v = WHITE_V;
		if (y >= CHROMA_MIN_LUMINANCE) {
			const x = 0.4124 * r + 0.3576 * g + 0.1805 * b;
			const z = 0.0193 * r + 0.1192 * g + 0.9505 * b;
			const d = x + 15 * y + 3 * z;
			u = (4 * x) / d;
			v = (9 * y) / d;
		}
		const sum = r + g + b;
		// Saturated red: R/(R+G+B) ≥ 0.8, and bright enough to be seen as red (WCAG 2.0's (R−G−B) > 20/320).
		const red = sum > 0 && r / sum >= 0.8 && r - g - b > 0.0625 ? 1 : 0;
		if (Number.isNaN(this.#anchorU[p]!)) {
			this.#anchorU[p] = u;
			this.#anchorV[p] = v;
			this.#anchorRed[p] = red;
			return false;
		}
		const du = u - this.#anchorU[p]!;
		const dv = v - this.#anchorV[p]!;
		if (du * du + dv * dv <= RED_CHROMA_CHANGE * RED_CHROMA_CHANGE) return false;
		const involvesRed = red === 1 || this.#anchorRed[p] === 1;
		this.#anchorU[p] = u;
		this.#anchorV[p] = v;
		this.#anchorRed[p] = red;
		return involvesRed;
	}

	#count(p: number, delta: 1 | -1, red: boolean): void {
		const counts = red ? this.#redCounts : this.#counts;
		const before = counts[p]!;
		const after = before + delta;
		counts[p] = after;
		const h = this.#hazardTransitions;
		const change = before < h && after >= h ? 1 : before >= h && after < h ? -1 : 0;
		if (change === 0) return;
		for (const f of this.#fieldsOf[p]!) {
			if (red) this.#fields[f]!.redHazardous += change;
			else this.#fields[f]!.hazardous += change;
		}
	}

	#judge(): void {
		let worst = 0;
		let red = false;
		for (const f of this.#fields) {
			if (f.hazardous >= f.need) worst = Math.max(worst, this.#flashesOverArea(f, this.#counts));
			if (f.redHazardous >= f.need) {
				red = true;
				worst = Math.max(worst, this.#flashesOverArea(f, this.#redCounts));
			}
		}
		if (worst === 0) return;
		if (red) this.#redFlagged = true;
		// The one-second window that ends with this frame.
		const end = this.#start + (this.#frame + 1) / this.#fps;
		const start = Math.max(this.#start, end - this.#windowFrames / this.#fps);
		const last = this.#windows.at(-1);
		if (last && start <= last.endSeconds + 1e-9) {
			last.endSeconds = round3(end);
			last.maxFlashesPerSecond = Math.max(last.maxFlashesPerSecond, worst);
			last.red ||= red;
		} else {
			this.#windows.push({ startSeconds: round3(start), endSeconds: round3(end), maxFlashesPerSecond: worst, red });
		}
	}

	/** The most flashes per second that at least the needed area of the field reaches. */
	#flashesOverArea(f: Field, counts: Uint16Array): number {
		const perCount: number[] = [];
		for (const p of f.pixels) {
			const flashes = counts[p]! >> 1;
			perCount[flashes] = (perCount[flashes] ?? 0) + 1;
		}
		let area = 0;
		for (let k = perCount.length - 1; k > 0; k--) {
			area += perCount[k] ?? 0;
			if (area >= f.need) return k;
		}
		return 0;
	}
}

function makeFields(width: number, height: number, fieldFraction: number, areaFraction: number): Field[] {
	if (!(fieldFraction > 0 && fieldFraction <= 1)) throw new RangeError('flash detector: fieldFraction must be in (0, 1]');
	if (!(areaFraction > 0 && areaFraction <= 1)) throw new RangeError('flash detector: areaFraction must be in (0, 1]');
	const fw = Math.max(1, Math.round(width * fieldFraction));
	const fh = Math.max(1, Math.round(height * fieldFraction));
	// Overlapping positions half a field apart, the last flush with the edge.
	const positions = (size: number, field: number): number[] => {
		const out: number[] = [];
		const step = Math.max(1, Math.floor(field / 2));
		for (let x = 0; x + field < size; x += step) out.push(x);
		out.push(size - field);
		return out;
	};
	const fields: Field[] = [];
	for (const y0 of positions(height, fh)) {
		for (const x0 of positions(width, fw)) {
			const pixels = new Int32Array(fw * fh);
			let i = 0;
			for (let y = y0; y < y0 + fh; y++) for (let x = x0; x < x0 + fw; x++) pixels[i++] = y * width + x;
			fields.push({ hazardous: 0, redHazardous: 0, need: Math.max(1, Math.ceil(areaFraction * fw * fh)), pixels });
		}
	}
	return fields;
}

function round3(x: number): number {
	return Math.round(x * 1000) / 1000;
}

/** Runs the detector over a whole sequence of luminance frames (for tests and short clips). */
export function detectFlashes(frames: Iterable<Float32Array>, opts: FlashDetectorOptions): FlashAnalysis {
	const d = new FlashDetector(opts);
	for (const f of frames) d.push(f);
	return d.finish();
}
