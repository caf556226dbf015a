import type { CliIo } from '../framework/declare.ts';
import { UsageError } from '../framework/usage-error.ts';

/** The `--json` option of commands that print an answer. */
export const jsonOption = { type: 'boolean', description: 'print the answer as JSON (one line)' } as const;

/** The answer as one line of JSON, or the text meant for people. */
export function print(io: CliIo, asJson: boolean, value: unknown, text: string): void {
	io.out.write(asJson ? `${JSON.stringify(value)}\n` : `${text.trimEnd()}\n`);
}

/** Columns padded to their widest cell; the last column is not padded. */
export function table(rows: readonly (readonly string[])[]): string {
	const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
	return rows.map((r) => r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]!))).join('  ')).join('\n');
}

/**
 * A date and time given on the command line, as the API takes it (ISO 8601, UTC). An explicit
 * offset (`Z`, `+01:00`) is required: a bare local time means different moments on the operator's
 * laptop and on the host.
 */
export function instantOf(value: string, option: string): string {
	const ms = Date.parse(value);
	if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/i.test(value) || Number.isNaN(ms)) {
		throw new UsageError(
			`--${option} must be a date and time with its offset, like 2026-12-01T10:00+01:00 or 2026-12-01T09:00Z, not "${value}"`,
		);
	}
	return new Date(ms).toISOString();
}

/** A comma-separated list option (`--origins a,b`); empty entries are dropped. */
export function listOf(value: string): string[] {
	return value
		.split(',')
		.map((s) => s.trim())
		.filter((s) => s !== '');
}
