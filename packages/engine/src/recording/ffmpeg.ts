import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { EngineError } from '../errors.ts';

export interface FfmpegTools {
	ffmpeg: string;
	ffprobe: string;
	/** First line of `ffmpeg -version`. */
	version: string;
	/** Where the binary came from. */
	from: 'FFMPEG_PATH' | 'ffmpeg-static' | 'PATH';
}

/** `ffmpeg-static`'s binary, when the package is installed and its download (or FFMPEG_BIN) produced one. */
function ffmpegStatic(): string | undefined {
	try {
		const path = createRequire(import.meta.url)('ffmpeg-static') as unknown;
		return typeof path === 'string' && existsSync(path) ? path : undefined;
	} catch {
		return undefined;
	}
}

function versionOf(bin: string): string | undefined {
	const r = spawnSync(bin, ['-hide_banner', '-version'], { encoding: 'utf8', timeout: 10_000 });
	return r.status === 0 ? r.stdout.split('\n')[0]?.trim() : undefined;
}

let cached: { key: string; tools: FfmpegTools } | undefined;

/**
 * Finds ffmpeg: `FFMPEG_PATH`, then `ffmpeg-static` if its binary exists, then `ffmpeg` on PATH;
 * ffprobe: `FFPROBE_PATH`, then beside ffmpeg, then on PATH. Throws `unavailable` with what was
 * tried, so a missing ffmpeg is reported when a recording starts, not when it ends.
 */
export function resolveFfmpeg(env: NodeJS.ProcessEnv = process.env): FfmpegTools {
	const key = `${env.FFMPEG_PATH ?? ''}|${env.FFPROBE_PATH ?? ''}|${env.PATH ?? ''}`;
	if (cached?.key === key) return cached.tools;
	const candidates: [FfmpegTools['from'], string | undefined][] = [
		['FFMPEG_PATH', env.FFMPEG_PATH],
		['ffmpeg-static', ffmpegStatic()],
		['PATH', 'ffmpeg'],
	];
	const tried: string[] = [];
	for (const [from, bin] of candidates) {
		if (!bin) continue;
		const version = versionOf(bin);
		tried.push(`${from} (${bin})`);
		if (!version) continue;
		const besides = bin.includes('/') ? join(dirname(bin), 'ffprobe') : undefined;
		const probes = [env.FFPROBE_PATH, besides && existsSync(besides) ? besides : undefined, 'ffprobe'].filter((p): p is string => !!p);
		const ffprobe = probes.find((p) => versionOf(p));
		if (!ffprobe) throw new EngineError('unavailable', `ffprobe not found (tried ${probes.join(', ')}); set FFPROBE_PATH`);
		const tools: FfmpegTools = { ffmpeg: bin, ffprobe, version, from };
		cached = { key, tools };
		return tools;
	}
	throw new EngineError('unavailable', `ffmpeg not found (tried ${tried.join(', ')}); install ffmpeg or set FFMPEG_PATH`);
}

export interface RunResult {
	stdout: string;
	/** The last 8 KB of stderr. */
	stderr: string;
}

/**
 * Runs an ffmpeg/ffprobe command to the end. Rejects with the stderr tail on a non-zero exit, on
 * `timeoutMs`, or when `signal` aborts (the process is killed). `onStdoutLine` sees stdout line
 * by line (for `-progress pipe:1`).
 */
export function runTool(
	bin: string,
	args: readonly string[],
	opts: { timeoutMs?: number; signal?: AbortSignal; onStdoutLine?: (line: string) => void; stdin?: Buffer } = {},
): Promise<RunResult> {
	return new Promise((resolve, reject) => {
		const child = spawn(bin, args, { stdio: [opts.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
		let stdout = '';
		let stderr = '';
		let partial = '';
		const timer = opts.timeoutMs ? setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs) : undefined;
		const abort = () => child.kill('SIGKILL');
		opts.signal?.addEventListener('abort', abort, { once: true });
		child.stdout!.on('data', (d: Buffer) => {
			const text = d.toString();
			if (!opts.onStdoutLine) {
				stdout += text;
				return;
			}
			const lines = (partial + text).split('\n');
			partial = lines.pop() ?? '';
			for (const l of lines) opts.onStdoutLine(l);
		});
		child.stderr!.on('data', (d: Buffer) => {
			stderr = (stderr + d.toString()).slice(-8192);
		});
		if (opts.stdin) child.stdin?.end(opts.stdin);
		child.on('error', (err) => {
			clearTimeout(timer);
			reject(err);
		});
		child.on('close', (code, sig) => {
			clearTimeout(timer);
			opts.signal?.removeEventListener('abort', abort);
			if (partial && opts.onStdoutLine) opts.onStdoutLine(partial);
			if (code === 0) resolve({ stdout, stderr });
			else
				reject(
					new Error(
						`${bin} ${args.slice(0, 3).join(' ')}… failed (${sig ?? `exit ${code}`}): ${stderr.trim().split('\n').slice(-5).join(' | ')}`,
					),
				);
		});
	});
}
