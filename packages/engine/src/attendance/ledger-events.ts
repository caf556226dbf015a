import { issueFields } from '@luwte/errors';
import { z } from 'zod';
import { ledgerEventSchemas, type LedgerEventFields, type LedgerEventType } from './event-types.ts';

/**
 * Typed ledger events for the pure derivations (presence, billing, reports). A stored event is
 * `{ id, at, tenantId, type, ...fields }`; here its fields are checked against its type's schema.
 */

type Common<T extends LedgerEventType> = { id: string; at: number; tenantId: string; type: T };
export type LedgerEvent = { [T in LedgerEventType]: Common<T> & LedgerEventFields<T> }[LedgerEventType];
export type LedgerEventOf<T extends LedgerEventType> = Extract<LedgerEvent, { type: T }>;

const commonSchema = z.object({
	id: z.string().min(1).max(128),
	at: z.number().int().min(0),
	tenantId: z.string().min(1).max(64),
	type: z.string().min(1),
});

export type ParsedLedgerEvent =
	| { ok: true; event: LedgerEvent }
	/** A well-formed event of a type the derivations do not read (skipped, not an error). */
	| { ok: true; event: null; type: string }
	| { ok: false; field: string; message: string };

/** Checks one stored event; never throws. */
export function parseLedgerEvent(raw: unknown): ParsedLedgerEvent {
	const common = commonSchema.safeParse(raw);
	if (!common.success) return failure(common.error);
	const type = common.data.type;
	if (!Object.hasOwn(ledgerEventSchemas, type)) return { ok: true, event: null, type };
	const fields = ledgerEventSchemas[type as LedgerEventType].safeParse(raw);
	if (!fields.success) return failure(fields.error);
	return { ok: true, event: { ...common.data, ...fields.data } as LedgerEvent };
}

function failure(error: z.ZodError): { ok: false; field: string; message: string } {
	const first = issueFields(error.issues)[0];
	const field = !first || first.field === '(root)' ? '(event)' : first.field;
	return { ok: false, field, message: first?.message ?? 'invalid' };
}

/**
 * Events in a canonical order: by time, then by ID; a repeated ID (a retried write) counts once,
 * the earliest copy. Every derivation starts here, so the input order never matters.
 */
export function canonicalOrder<E extends { id: string; at: number }>(events: readonly E[]): E[] {
	const sorted = [...events].sort((a, b) => a.at - b.at || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
	const seen = new Set<string>();
	const out: E[] = [];
	for (const e of sorted) {
		if (seen.has(e.id)) continue;
		seen.add(e.id);
		out.push(e);
	}
	return out;
}
