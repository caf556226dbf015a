import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { EngineError, invalidInput } from '../errors.ts';
import { ledgerEventSchemas, type LedgerEventType } from './event-types.ts';

/**
 * What every ledger store does (the embedded file, Redis Streams): events in, durably and once
 * per ID; events out in the order they were appended; a client's events removed on request
 * (privacy); old events removed after the retention period. Derivations read only `replay`.
 */

const eventIdSchema = z.string().regex(/^[A-Za-z0-9_.:-]{1,128}$/, '1-128 characters: letters, digits, _ . : -');
/** `library.watch`, `participant.joined`, …: lowercase words joined by dots. */
const eventTypeSchema = z.string().regex(/^[a-z][a-z0-9-]*(\.[a-z][a-z0-9-]*)*$/, 'lowercase words joined by dots');
const tenantIdSchema = z
	.string()
	.regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, '1-64 characters: letters, digits, _ . - (a letter or digit first)');

export const attendanceEventInputSchema = z
	.object({
		id: eventIdSchema.optional().describe('Unique ID; a second event with the same ID is ignored (safe retries). Random when absent'),
		at: z.number().int().min(0).optional().describe('Server time (ms); now when absent'),
		tenantId: tenantIdSchema,
		type: eventTypeSchema,
	})
	.catchall(z.json());

export const attendanceEventSchema = z
	.object({ id: eventIdSchema, at: z.number().int().min(0), tenantId: z.string().min(1), type: eventTypeSchema })
	.catchall(z.json());

const EVENT_ID = /^[A-Za-z0-9_.:-]{1,128}$/;
const EVENT_TYPE = /^[a-z][a-z0-9-]*(\.[a-z][a-z0-9-]*)*$/;

/**
 * `attendanceEventSchema` for a value fresh from `JSON.parse` (a stored line), checked by hand:
 * the schema's walk over every field costs more than reading the JSON, and a host reads every
 * line at open and at every billing request. Builds what the schema builds (the four common
 * fields, then the others in their order; any JSON value passes `z.json()`); whatever is not
 * plainly valid goes through the schema (test/attendance/stored-event-parse.test.ts).
 */
export function parseStoredEvent(raw: unknown): AttendanceEvent | undefined {
	if (typeof raw === 'object' && raw !== null && !Array.isArray(raw)) {
		const r = raw as Record<string, JsonValue>;
		const { id, at, tenantId, type } = r;
		if (
			typeof id === 'string' &&
			EVENT_ID.test(id) &&
			typeof at === 'number' &&
			Number.isSafeInteger(at) &&
			at >= 0 &&
			typeof tenantId === 'string' &&
			tenantId.length >= 1 &&
			typeof type === 'string' &&
			EVENT_TYPE.test(type) &&
			!Object.hasOwn(r, '__proto__')
		) {
			const out: AttendanceEvent = { id, at, tenantId, type };
			for (const key in r) if (key !== 'id' && key !== 'at' && key !== 'tenantId' && key !== 'type') out[key] = r[key]!;
			return out;
		}
	}
	const parsed = attendanceEventSchema.safeParse(raw);
	return parsed.success ? (parsed.data as AttendanceEvent) : undefined;
}

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
/** One stored event: the four common fields plus the fields of its type (JSON values). */
export type AttendanceEvent = { id: string; at: number; tenantId: string; type: string } & { [field: string]: JsonValue };
export type AttendanceEventInput = z.input<typeof attendanceEventInputSchema>;

export interface AppendResult {
	event: AttendanceEvent;
	/** False when an event with this ID was stored before (this one was ignored). */
	stored: boolean;
}

export const replayFilterSchema = z
	.object({
		tenantId: tenantIdSchema.optional(),
		type: eventTypeSchema.optional(),
		/** Events at or after this time (ms). */
		from: z.number().int().min(0).optional(),
		/** Events before this time (ms). */
		to: z.number().int().min(0).optional(),
	})
	.strict();
export type ReplayFilter = z.input<typeof replayFilterSchema>;

export interface LedgerStore {
	/**
	 * Appends events; resolves once all are durable. An event whose ID was stored before (or appears
	 * earlier in the same batch) is not stored again: its result says `stored: false`. When one
	 * event is invalid the whole batch is refused (`invalid_argument`) and nothing is written.
	 */
	append(input: AttendanceEventInput): Promise<AppendResult>;
	append(inputs: readonly AttendanceEventInput[]): Promise<AppendResult[]>;
	/** Durable events in append order, optionally only one tenant's, one type's, or a time range. */
	replay(filter?: ReplayFilter): AsyncIterable<AttendanceEvent>;
	/**
	 * Removes every event of one client (`participantId`) of one tenant, durably, and their ID from
	 * any `invited` list; other clients' events stay as they were.
	 */
	forget(tenantId: string, participantId: string): Promise<{ removed: number }>;
	/** Removes every event older than `beforeMs` (retention), durably. */
	purgeBefore(beforeMs: number): Promise<{ removed: number }>;
	/** Waits for pending appends, then releases the store. */
	close(): Promise<void>;
}

/**
 * A durable change of a store, as a store that reports them sees it (the file log): an appended
 * event, or a rewrite (forget, purge: `appended` absent). Positions are the store's `position()`
 * before and after the batch or rewrite; the events of one batch share them.
 */
export interface LedgerChange {
	before: string;
	after: string;
	appended?: AttendanceEvent;
}

/** Checks one input and fills in ID and time; known ledger types must carry their fields. */
export function toEvent(input: unknown, now: () => number): AttendanceEvent {
	const parsed = attendanceEventInputSchema.safeParse(input);
	if (!parsed.success) throw invalid(parsed.error.issues);
	const { id, at, tenantId, type, ...fields } = parsed.data;
	const schema = (ledgerEventSchemas as Record<string, z.ZodType | undefined>)[type];
	let typed: Record<string, unknown> = {};
	if (schema) {
		const r = schema.safeParse(fields);
		if (!r.success) throw invalid(r.error.issues, `${type} `);
		// Defaults of the type (e.g. an empty `invited`) are stored, so readers see one shape.
		typed = r.data as Record<string, unknown>;
	}
	return { ...fields, ...typed, id: id ?? randomUUID(), at: at ?? now(), tenantId, type } as AttendanceEvent;
}

/** Checks a whole batch before anything is written: one bad event refuses all. */
export function toEvents(inputs: readonly unknown[], now: () => number): AttendanceEvent[] {
	if (!Array.isArray(inputs)) throw new EngineError('invalid_argument', 'invalid attendance events: expected an array');
	return inputs.map((input, i) => {
		try {
			return toEvent(input, now);
		} catch (err) {
			if (err instanceof EngineError && inputs.length > 1)
				throw new EngineError('invalid_argument', `event ${i}: ${err.message}`, { cause: err, details: err.details });
			throw err;
		}
	});
}

export function parseReplayFilter(filter: unknown): z.output<typeof replayFilterSchema> {
	const r = replayFilterSchema.safeParse(filter ?? {});
	if (!r.success) throw invalid(r.error.issues, 'replay filter ');
	return r.data;
}

export function matchesFilter(e: AttendanceEvent, f: z.output<typeof replayFilterSchema>): boolean {
	return (
		(f.tenantId === undefined || e.tenantId === f.tenantId) &&
		(f.type === undefined || e.type === f.type) &&
		(f.from === undefined || e.at >= f.from) &&
		(f.to === undefined || e.at < f.to)
	);
}

export const forgetSchema = z.object({ tenantId: tenantIdSchema, participantId: z.string().min(1).max(128) }).strict();

/**
 * What `forget` does to one event: `drop` it (the client's own), `keep` it, or replace it with a
 * copy without the client in its `invited` list.
 */
export function forgetAction(e: AttendanceEvent, tenantId: string, participantId: string): 'drop' | 'keep' | AttendanceEvent {
	if (e.tenantId !== tenantId) return 'keep';
	if (e.participantId === participantId) return 'drop';
	const invited = e.invited;
	if (Array.isArray(invited) && invited.includes(participantId)) return { ...e, invited: invited.filter((p) => p !== participantId) };
	return 'keep';
}

export function parseForget(tenantId: unknown, participantId: unknown): { tenantId: string; participantId: string } {
	const r = forgetSchema.safeParse({ tenantId, participantId });
	if (!r.success) throw invalid(r.error.issues, 'forget ');
	return r.data;
}

export function parseBefore(beforeMs: unknown): number {
	const r = z.number().int().min(0).safeParse(beforeMs);
	if (!r.success) throw invalid(r.error.issues, 'purge time ');
	return r.data;
}

export type { LedgerEventType };

function invalid(issues: readonly z.core.$ZodIssue[], what = ''): EngineError {
	return invalidInput('invalid_argument', `attendance ${what}event`, issues);
}
