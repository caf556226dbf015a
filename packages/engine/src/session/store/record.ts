import { z } from 'zod';
import { EngineError, invalidInput } from '../../errors.ts';
import { activityModules, offerKinds } from '../activity.ts';
import { lifecycleSchema } from '../lifecycle.ts';
import { roles } from '../roles.ts';

/**
 * What outlives a process about one session (docs/sessions.md): its plan (title, module, kind,
 * schedule, routing and lifecycle settings), its state, the invitations issued for it and the
 * recording running in it. Presence and media are not kept: after a restart a live session comes
 * back empty and its participants reconnect.
 */
export const sessionStates = ['scheduled', 'live', 'ended', 'cancelled'] as const;
export type StoredSessionState = (typeof sessionStates)[number];

const ms = z.number().int().min(0);

/** Invitations kept per session (tokens issued); more are still issued, the oldest are dropped from the record. */
export const MAX_INVITATIONS = 2000;

export const sessionRecordSchema = z.object({
	id: z.string().min(1),
	tenantId: z.string().min(1),
	title: z.string().optional(),
	module: z.enum(activityModules).optional(),
	kind: z.enum(offerKinds),
	schedule: z.object({ startsAt: ms, endsAt: ms }).optional(),
	participantsSeeEachOther: z.boolean(),
	lifecycle: lifecycleSchema,
	state: z.enum(sessionStates),
	createdAt: ms,
	startedAt: ms.optional(),
	endedAt: ms.optional(),
	endReason: z.string().optional(),
	invitations: z.array(z.object({ participantId: z.string(), role: z.enum(roles), expiresAt: ms })),
	/** The recording running when this was written (a crash leaves it open; the next start finishes it). */
	recordingId: z.string().optional(),
	/** Bumped on every write: a store keeps the newest. */
	revision: z.number().int().min(0),
});
export type SessionRecord = z.output<typeof sessionRecordSchema>;

/** Sessions are listed by when they take place: the scheduled start, else the creation. */
export const sortKeyOf = (r: SessionRecord): number => r.schedule?.startsAt ?? r.createdAt;

export const isActive = (r: SessionRecord): boolean => r.state === 'scheduled' || r.state === 'live';

export const listQuerySchema = z
	.object({
		state: z.enum(sessionStates).optional(),
		module: z.enum(activityModules).optional(),
		/** Sessions taking place at or after this time (ms; the scheduled start, else the creation). */
		from: ms.optional(),
		/** …and before this time. */
		to: ms.optional(),
		limit: z.number().int().min(1).max(500).default(100),
		/** From the previous page's `nextCursor`. */
		cursor: z.string().max(200).optional(),
	})
	.strict();
export type ListQuery = z.input<typeof listQuerySchema>;
export type ParsedListQuery = z.output<typeof listQuerySchema>;

export interface SessionPage {
	sessions: SessionRecord[];
	/** Pass to get the next page; absent on the last page. */
	nextCursor: string | undefined;
}

/** A position in the listing order: after (at, id). Opaque to callers. */
export interface Cursor {
	at: number;
	id: string;
}

export function encodeCursor(c: Cursor): string {
	return Buffer.from(JSON.stringify([c.at, c.id]), 'utf8').toString('base64url');
}

export const cursorOf = (r: SessionRecord): Cursor => ({ at: sortKeyOf(r), id: r.id });

export function decodeCursor(cursor: string | undefined): Cursor | undefined {
	if (cursor === undefined) return undefined;
	try {
		const [at, id] = z.tuple([ms, z.string().min(1)]).parse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
		return { at, id };
	} catch {
		throw new EngineError('invalid_argument', 'invalid cursor: use the nextCursor of the previous page', {
			details: { field: 'cursor', fields: [{ field: 'cursor', message: 'not a cursor from this API' }] },
		});
	}
}

export function parseListQuery(query: ListQuery): ParsedListQuery & { after: Cursor | undefined } {
	const parsed = listQuerySchema.safeParse(query);
	if (!parsed.success) throw invalidInput('invalid_argument', 'session query', parsed.error.issues);
	return { ...parsed.data, after: decodeCursor(parsed.data.cursor) };
}

/** Whether a record is listed by a query (the cursor apart). */
export function matchesQuery(r: SessionRecord, q: ParsedListQuery): boolean {
	const at = sortKeyOf(r);
	return (
		(q.state === undefined || r.state === q.state) &&
		(q.module === undefined || r.module === q.module) &&
		(q.from === undefined || at >= q.from) &&
		(q.to === undefined || at < q.to)
	);
}

/** Listing order: by when, then by ID. */
export function compareRecords(a: SessionRecord, b: SessionRecord): number {
	return sortKeyOf(a) - sortKeyOf(b) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/** Whether the listing position (at, id) comes after the cursor. */
export const isAfter = (at: number, id: string, c: Cursor | undefined): boolean =>
	c === undefined || at > c.at || (at === c.at && id > c.id);
