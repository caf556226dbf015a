/**
 * The simulcast ladder a camera is sent with, chosen from its capture size.
 *
 * Browsers built on libwebrtc (Chromium, Safari) send only as many simulcast layers as the
 * capture's pixel count allows, and drop the TOP encodings beyond that: a 640×360 camera asked
 * for ¼, ½ and full resolution sends 160×90 and 320×180 and never its own 640×360. So the ladder
 * asks for no more layers than the browser will send, with the full capture as the top layer and
 * each lower layer half the size of the one above it.
 *
 * The layer rule follows libwebrtc's simulcast format table (video/config/simulcast.cc), checked in
 * Chromium 156: at least 960×540 pixels → 3 layers, at least 480×270 → 2, fewer → 1. libwebrtc
 * rounds up just below those sizes (within 10 % of the gap to the next entry); the ladder does not,
 * so a field trial that turns the rounding off cannot cut its top layer (one layer fewer there
 * costs nothing a receiver would see).
 */

/** A rung of the ladder, lowest resolution first, as `RTCRtpEncodingParameters` take it. */
export interface LadderEncoding {
	rid?: string;
	scaleResolutionDownBy: number;
	maxBitrate: number;
	maxFramerate: number;
}

/** Pixel counts from which libwebrtc sends 3 and 2 simulcast layers (960×540 and 480×270). */
const THREE_LAYERS_FROM = 960 * 540;
const TWO_LAYERS_FROM = 480 * 270;

/**
 * Calm pictures (15-30 fps, people talking, little motion) need far less than libwebrtc's
 * defaults. Bitrate (kbit/s) at these pixel counts; between them it follows a straight line in
 * log-log (the cost per pixel falls as the picture grows). 180p, 360p and 720p are the ladder the
 * SDK always sent from a 720p camera (and the ABR simulator's ladder), kept as they were.
 */
const BITRATE_POINTS: readonly (readonly [pixels: number, kbps: number])[] = [
	[320 * 180, 150],
	[640 * 360, 500],
	[1280 * 720, 1200],
	[1920 * 1080, 2000],
];
const MIN_KBPS = 50;
const MAX_KBPS = 2500;
/** Calm: a camera that delivers 60 fps is sent at 30 at most (half the cost, no visible loss for talk). */
export const LADDER_MAX_FRAMERATE = 30;

/** How many simulcast layers a libwebrtc browser sends for a capture of this size. */
export function simulcastLayerCount(width: number, height: number): 1 | 2 | 3 {
	const pixels = width * height;
	if (pixels >= THREE_LAYERS_FROM) return 3;
	if (pixels >= TWO_LAYERS_FROM) return 2;
	return 1;
}

/** The maximum bitrate (bit/s) for one layer of this size at a calm 15-30 fps, rounded to 10 kbit/s. */
export function layerBitrate(width: number, height: number): number {
	const pixels = Math.max(1, width * height);
	const pts = BITRATE_POINTS;
	// The segment the pixel count falls in; beyond either end, the nearest segment's slope.
	let i = 0;
	while (i < pts.length - 2 && pixels > pts[i + 1]![0]) i++;
	const [p0, k0] = pts[i]!;
	const [p1, k1] = pts[i + 1]!;
	const slope = Math.log(k1 / k0) / Math.log(p1 / p0);
	const kbps = k0 * (pixels / p0) ** slope;
	return Math.round(Math.min(MAX_KBPS, Math.max(MIN_KBPS, kbps)) / 10) * 10_000;
}

/**
 * The encodings for a camera capturing `width`×`height`: lowest resolution first, the last one at
 * the capture's full size (scale 1), each lower one half the size of the next. One layer (a small
 * capture) has no `rid`: it goes out as a plain stream. An unknown size (0 or not finite) gets the
 * ladder of a 1280×720 camera, the size the SDK's elements ask for.
 */
export function simulcastLadder(width: number | undefined, height: number | undefined): LadderEncoding[] {
	const known = Number.isFinite(width) && Number.isFinite(height) && width! > 0 && height! > 0;
	const w = known ? width! : 1280;
	const h = known ? height! : 720;
	const count = simulcastLayerCount(w, h);
	return Array.from({ length: count }, (_, i) => {
		const scale = 2 ** (count - 1 - i);
		const encoding: LadderEncoding = {
			scaleResolutionDownBy: scale,
			maxBitrate: layerBitrate(Math.round(w / scale), Math.round(h / scale)),
			maxFramerate: LADDER_MAX_FRAMERATE,
		};
		return count > 1 ? { rid: `r${i}`, ...encoding } : encoding;
	});
}
