import { issueFields } from '@luwte/errors';
import { z } from 'zod';
import { activityModules } from '../session/activity.ts';
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
	const fast = fastPath(raw);
	if (fast) return { ok: true, event: fast };
	const common = commonSchema.safeParse(raw);
	if (!common.success) return failure(common.error);
	const type = common.data.type;
	if (!Object.hasOwn(ledgerEventSchemas, type)) return { ok: true, event: null, type };
	const fields = ledgerEventSchemas[type as LedgerEventType].safeParse(raw);
	if (!fields.success) return failure(fields.error);
	return { ok: true, event: { ...common.data, ...fields.data } as LedgerEvent };
}

/**
 * The three types that are almost the whole ledger (a heartbeat every 15 s per connection; joins,
 * leaves), checked by hand: the schemas cost as much as reading the JSON. Accepts only what the
 * schemas accept and builds the same object (same keys, same order: common fields, then the type's
 * in schema order); anything else, valid or not, returns null and goes through the schemas, so
 * errors and rare types read exactly as before (test/attendance/ledger-parse-fast.test.ts).
 */
function fastPath(raw: unknown): LedgerEvent | null {
	if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return null;
	const r = raw as Record<string, unknown>;
	const { id, at, tenantId, type } = r;
	if (!isId(id) || typeof at !== 'number' || !Number.isSafeInteger(at) || at < 0) return null;
	if (typeof tenantId !== 'string' || tenantId.length < 1 || tenantId.length > 64) return null;
	const { sessionId, participantId, connectionId } = r;
	if (!isId(sessionId) || !isId(participantId) || !isId(connectionId)) return null;
	if (type === 'participant.heartbeat') return { id, at, tenantId, type, sessionId, participantId, connectionId };
	if (type === 'participant.left') {
		const reason = r.reason;
		if (typeof reason !== 'string') return null;
		return { id, at, tenantId, type, sessionId, participantId, connectionId, reason };
	}
	if (type === 'participant.joined') {
		const { role, module } = r;
		if (role !== 'host' && role !== 'participant' && role !== 'location' && role !== 'viewer') return null;
		if (module !== null && !isModule(module)) return null;
		return { id, at, tenantId, type, sessionId, participantId, role, connectionId, module };
	}
	return null;
}

/** `z.string().min(1).max(128)`, the schemas' ID. */
function isId(x: unknown): x is string {
	return typeof x === 'string' && x.length >= 1 && x.length <= 128;
}

const modules: ReadonlySet<unknown> = new Set(activityModules);
function isModule(x: unknown): x is (typeof activityModules)[number] {
	return modules.has(x);
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
	// A ledger replays in append order, which is nearly always time order already: one pass to see
	// that is cheaper than a sort with string comparisons of 100,000s of IDs.
	const sorted = inOrder(events) ? events : [...events].sort(byTimeThenId);
	const seen = new Set<string>();
	const out: E[] = [];
	for (const e of sorted) {
		if (seen.has(e.id)) continue;
		seen.add(e.id);
		out.push(e);
	}
	return out;
}

function byTimeThenId(a: { id: string; at: number }, b: { id: string; at: number }): number {
	return a.at - b.at || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

function inOrder(events: readonly { id: string; at: number }[]): boolean {
	for (let i = 1; i < events.length; i++) if (byTimeThenId(events[i - 1]!, events[i]!) > 0) return false;
	return true;
}
