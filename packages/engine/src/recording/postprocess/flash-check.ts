import { spawn } from 'node:child_process';
import type { FfmpegTools } from '../ffmpeg.ts';
import { FlashDetector, relativeLuminance, srgbToLinear, type FlashDetectorOptions, type FlashAnalysis } from './flash.ts';

/** Columns of the analysis picture: each pixel a 16×16 block of a 1280-wide frame. */
export const FLASH_GRID_WIDTH = 80;

export interface FlashCheckOptions extends Pick<FlashDetectorOptions, 'areaFraction' | 'fieldFraction'> {
	fps: number;
	width: number;
	height: number;
	/** Expected length, for progress. */
	durationSeconds: number;
	timeoutMs: number;
	signal?: AbortSignal;
	onFraction?: (f: number) => void;
}

/**
 * Decodes the video small (area-averaged, so every source pixel counts) as sRGB, converts to
 * linear light and relative luminance, and runs the detector frame by frame as the bytes arrive.
 */
export function checkFlashes(tools: FfmpegTools, file: string, opts: FlashCheckOptions): Promise<FlashAnalysis> {
	const gw = FLASH_GRID_WIDTH;
	const gh = Math.max(2, 2 * Math.round((gw * opts.height) / opts.width / 2));
	const n = gw * gh;
	const frameBytes = 3 * n;
	const expectedFrames = Math.max(1, Math.round(opts.durationSeconds * opts.fps));
	const detector = new FlashDetector({
		width: gw,
		height: gh,
		fps: opts.fps,
		...(opts.areaFraction !== undefined ? { areaFraction: opts.areaFraction } : {}),
		...(opts.fieldFraction !== undefined ? { fieldFraction: opts.fieldFraction } : {}),
	});
	const lum = new Float32Array(n);
	const rgb = new Float32Array(3 * n);
	const args = [
		'-hide_banner',
		'-nostdin',
		'-loglevel',
		'error',
		'-i',
		file,
		'-map',
		'0:v:0',
		'-vf',
		`fps=${opts.fps},scale=${gw}:${gh}:flags=area,format=rgb24`,
		'-f',
		'rawvideo',
		'pipe:1',
	];
	return new Promise((resolve, reject) => {
		const child = spawn(tools.ffmpeg, args, { stdio: ['ignore', 'pipe', 'pipe'] });
		let pending: Buffer = Buffer.alloc(0);
		let frames = 0;
		let stderr = '';
		let failure: Error | undefined;
		const kill = () => child.kill('SIGKILL');
		const timer = setTimeout(() => {
			failure = new Error(`flash check timed out after ${opts.timeoutMs} ms`);
			kill();
		}, opts.timeoutMs);
		const onAbort = () => {
			failure = opts.signal?.reason instanceof Error ? opts.signal.reason : new Error('aborted');
			kill();
		};
		opts.signal?.addEventListener('abort', onAbort, { once: true });
		child.stdout.on('data', (chunk: Buffer) => {
			pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
			let off = 0;
			while (pending.length - off >= frameBytes) {
				for (let p = 0, b = off; p < n; p++, b += 3) {
					const r = srgbToLinear[pending[b]!]!;
					const g = srgbToLinear[pending[b + 1]!]!;
					const bl = srgbToLinear[pending[b + 2]!]!;
					rgb[3 * p] = r;
					rgb[3 * p + 1] = g;
					rgb[3 * p + 2] = bl;
					lum[p] = relativeLuminance(r, g, bl);
				}
				detector.push(lum, rgb);
				off += frameBytes;
				frames++;
				if (frames % 25 === 0) opts.onFraction?.(Math.min(1, frames / expectedFrames));
			}
			pending = pending.subarray(off);
		});
		child.stderr.on('data', (d: Buffer) => {
			stderr = (stderr + d.toString()).slice(-4000);
		});
		child.on('error', (err) => {
			// Not started at all (no 'close' follows for sure): give up now.
			clearTimeout(timer);
			opts.signal?.removeEventListener('abort', onAbort);
			reject(failure ?? err);
		});
		child.on('close', (code) => {
			clearTimeout(timer);
			opts.signal?.removeEventListener('abort', onAbort);
			if (failure) reject(failure);
			else if (code !== 0)
				reject(new Error(`flash check decode failed (exit ${code}): ${stderr.trim().split('\n').slice(-3).join(' | ')}`));
			else {
				opts.onFraction?.(1);
				resolve(detector.finish());
			}
		});
	});
}
