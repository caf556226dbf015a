import { EngineError } from '../errors.ts';

/** Available bandwidth over time: from `tMs` on, the path carries `kbps` (until the next point). */
export interface TracePoint {
	tMs: number;
	kbps: number;
}

const MAX_POINTS = 1_000_000;

/**
 * Parses a bandwidth trace: CSV with the header `t_ms,kbps`, times ascending from 0; lines
 * starting with # are comments. The last row ends the trace (its time is the duration). Errors
 * name the line.
 */
export function parseTrace(csv: string): TracePoint[] {
	const lines = csv.split(/\r?\n/).map((l) => l.trim());
	// Comment lines (#) may stand anywhere, also before the header.
	let i = 0;
	while (i < lines.length && (lines[i] === '' || lines[i]!.startsWith('#'))) i++;
	if (lines[i]?.replace(/\s/g, '') !== 't_ms,kbps')
		throw new EngineError('invalid_argument', `line ${i + 1}: the header must be "t_ms,kbps"`);
	const points: TracePoint[] = [];
	for (i++; i < lines.length; i++) {
		const line = lines[i]!;
		if (line === '' || line.startsWith('#')) continue;
		const lineNo = i + 1;
		const parts = line.split(',');
		const tMs = Number(parts[0]);
		const kbps = Number(parts[1]);
		if (parts.length !== 2 || !Number.isFinite(tMs) || !Number.isFinite(kbps)) {
			throw new EngineError('invalid_argument', `line ${lineNo}: expected two numbers "t_ms,kbps", got "${line.slice(0, 60)}"`);
		}
		if (tMs < 0 || kbps < 0) throw new EngineError('invalid_argument', `line ${lineNo}: times and bitrates cannot be negative`);
		const prev = points.at(-1);
		if (prev ? tMs <= prev.tMs : tMs !== 0) {
			throw new EngineError('invalid_argument', `line ${lineNo}: ${prev ? 'times must increase' : 'the first time must be 0'}`);
		}
		if (points.length >= MAX_POINTS) throw new EngineError('invalid_argument', `more than ${MAX_POINTS} points`);
		points.push({ tMs, kbps });
	}
	if (points.length < 2) throw new EngineError('invalid_argument', 'a trace needs at least two rows (the last one ends it)');
	return points;
}

/** The bandwidth at time t (the last point at or before t). */
export function bandwidthAt(points: readonly TracePoint[], tMs: number, hint = 0): { kbps: number; index: number } {
	let i = hint;
	while (i + 1 < points.length && points[i + 1]!.tMs <= tMs) i++;
	return { kbps: points[i]!.kbps, index: i };
}
