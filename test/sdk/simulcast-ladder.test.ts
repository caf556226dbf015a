import { layerBitrate, simulcastLadder, simulcastLayerCount } from '@luwte/sdk/client';
import { describe, expect, it } from 'vitest';

// The ladder a camera is sent with: never more layers than a libwebrtc browser sends for the
// capture (it would drop the top ones, the camera's own resolution), the top one always the
// capture itself. The browser side is checked in test/media/simulcast-ladder.test.ts.

/** What each rung comes out as for a capture: its size and its maximum bitrate (kbit/s). */
const rungs = (w: number, h: number) =>
	simulcastLadder(w, h).map(
		(e) => `${Math.round(w / e.scaleResolutionDownBy)}x${Math.round(h / e.scaleResolutionDownBy)}@${e.maxBitrate / 1000}`,
	);

describe('simulcast ladder', () => {
	it("counts layers as libwebrtc's format table does, without its rounding up just below an entry", () => {
		expect(simulcastLayerCount(1920, 1080)).toBe(3);
		expect(simulcastLayerCount(1280, 720)).toBe(3);
		expect(simulcastLayerCount(960, 540)).toBe(3);
		expect(simulcastLayerCount(959, 540)).toBe(2);
		expect(simulcastLayerCount(640, 480)).toBe(2);
		expect(simulcastLayerCount(640, 360)).toBe(2);
		expect(simulcastLayerCount(360, 640)).toBe(2); // a phone held upright: the pixels count
		expect(simulcastLayerCount(480, 270)).toBe(2);
		expect(simulcastLayerCount(480, 269)).toBe(1);
		expect(simulcastLayerCount(320, 240)).toBe(1);
		expect(simulcastLayerCount(320, 180)).toBe(1);
	});

	it('puts the full capture on top and halves below it, at calm bitrates', () => {
		// The 720p ladder is the one the SDK always sent (and the ABR simulator models).
		expect(rungs(1280, 720)).toEqual(['320x180@150', '640x360@500', '1280x720@1200']);
		expect(rungs(1920, 1080)).toEqual(['480x270@300', '960x540@830', '1920x1080@2000']);
		expect(rungs(960, 540)).toEqual(['240x135@90', '480x270@300', '960x540@830']);
		expect(rungs(640, 480)).toEqual(['320x240@190', '640x480@600']);
		expect(rungs(640, 360)).toEqual(['320x180@150', '640x360@500']);
		expect(rungs(320, 240)).toEqual(['320x240@190']);
		for (const [w, h] of [
			[3840, 2160],
			[1280, 720],
			[1024, 768],
			[640, 360],
			[352, 288],
		] as const) {
			const ladder = simulcastLadder(w, h);
			expect(ladder.at(-1)!.scaleResolutionDownBy).toBe(1);
			expect(ladder.map((e) => e.scaleResolutionDownBy)).toEqual(ladder.map((_, i) => 2 ** (ladder.length - 1 - i)));
			for (let i = 1; i < ladder.length; i++) expect(ladder[i]!.maxBitrate).toBeGreaterThan(ladder[i - 1]!.maxBitrate);
			for (const e of ladder) expect(e.maxFramerate).toBe(30);
		}
	});

	it('names the layers r0.. for simulcast and sends a small capture as one plain stream', () => {
		expect(simulcastLadder(640, 360).map((e) => e.rid)).toEqual(['r0', 'r1']);
		expect(simulcastLadder(1280, 720).map((e) => e.rid)).toEqual(['r0', 'r1', 'r2']);
		const single = simulcastLadder(320, 180);
		expect(single).toEqual([{ scaleResolutionDownBy: 1, maxBitrate: 150_000, maxFramerate: 30 }]);
	});

	it('takes the 720p ladder when the capture size is not known', () => {
		const ladder720 = simulcastLadder(1280, 720);
		expect(simulcastLadder(undefined, undefined)).toEqual(ladder720);
		expect(simulcastLadder(0, 0)).toEqual(ladder720);
		expect(simulcastLadder(Number.NaN, 480)).toEqual(ladder720);
	});

	it('gives more pixels more bitrate, within 50 kbit/s and 2.5 Mbit/s', () => {
		let prev = 0;
		for (let px = 16 * 9; px <= 4096 * 2304; px = Math.ceil(px * 1.1)) {
			const bps = layerBitrate(px, 1);
			expect(bps).toBeGreaterThanOrEqual(prev);
			expect(bps).toBeGreaterThanOrEqual(50_000);
			expect(bps).toBeLessThanOrEqual(2_500_000);
			prev = bps;
		}
		expect(layerBitrate(160, 90)).toBe(50_000);
		expect(layerBitrate(3840, 2160)).toBe(2_500_000);
	});
});
