import type { BillingException, BillingLine, BillingResult } from './billing.ts';

/**
 * Exports of a billing result. Byte-identical for identical input: keys in a fixed order, only
 * whole numbers, times as UTC ISO strings, `\n` line ends, and nothing about when it was made.
 */

export type Cell = string | number | null;

/** JSON for systems: `{ from, to, lines, exceptions }`, keys sorted, two-space indent, final newline. */
export function billingToJson(result: BillingResult): string {
	const doc = {
		exceptions: result.exceptions.map(exceptionRecord),
		from: result.from,
		lines: result.lines.map(lineRecord),
		to: result.to,
	};
	return `${JSON.stringify(sortKeys(doc), null, 2)}\n`;
}

export const billingCsvColumns = [
	'kind',
	'clientId',
	'financer',
	'month',
	'productCode',
	'unitCode',
	'volume',
	'amountCents',
	'activities',
	'sessionId',
	'itemId',
	'at',
	'reason',
	'detail',
] as const;

/**
 * CSV for the billing department: one table, `kind` = `line` (a declaration line) or `exception`
 * (not billed, with its reason), so one spreadsheet filter separates them. RFC 4180 quoting.
 */
export function billingToCsv(result: BillingResult): string {
	const rows: Cell[][] = [[...billingCsvColumns]];
	for (const l of result.lines)
		rows.push([
			'line',
			l.clientId,
			l.financer,
			l.month,
			l.productCode,
			l.unitCode,
			l.volume,
			l.amountCents,
			l.activities,
			null,
			null,
			null,
			null,
			null,
		]);
	for (const e of result.exceptions)
		rows.push([
			'exception',
			e.clientId,
			e.financer,
			e.month,
			null,
			null,
			null,
			null,
			null,
			e.sessionId,
			e.itemId,
			iso(e.at),
			e.reason,
			e.detail,
		]);
	return `${rows.map((r) => r.map(csvCell).join(',')).join('\n')}\n`;
}

function lineRecord(l: BillingLine): Record<string, Cell> {
	return { ...l };
}

function exceptionRecord(e: BillingException): Record<string, Cell> {
	return { ...e, at: iso(e.at) };
}

function iso(ms: number): string {
	return new Date(ms).toISOString();
}

export function csvCell(v: Cell): string {
	if (v === null) return '';
	const s = typeof v === 'number' ? String(v) : v;
	return /[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/** Deep copy with object keys in code-point order, so JSON output does not depend on construction order. */
export function sortKeys(value: unknown): unknown {
	if (Array.isArray(value)) return value.map(sortKeys);
	if (value && typeof value === 'object') {
		const out: Record<string, unknown> = {};
		for (const k of Object.keys(value).sort()) out[k] = sortKeys((value as Record<string, unknown>)[k]);
		return out;
	}
	return value;
}
