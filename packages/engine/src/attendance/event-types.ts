import { z } from 'zod';
import { activityModules } from '../session/activity.ts';

/**
 * The ledger's event types and their fields (beyond the common `id`, `at`, `tenantId`, `type`).
 * Every derivation (presence, billing, reports) reads only these. Participant and client IDs
 * are pseudonymous. Times are server wall-clock milliseconds.
 */
const id = z.string().min(1).max(128);
const module = z.enum(activityModules);

export const ledgerEventSchemas = {
	/** A live activity was planned (invitations make no-shows visible). */
	'session.scheduled': z.object({
		sessionId: id,
		module: module.nullable(),
		startsAt: z.number().int(),
		endsAt: z.number().int(),
		/** Clients invited (join tokens issued for them). */
		invited: z.array(id).default([]),
	}),
	'session.started': z.object({ sessionId: id, module: module.nullable() }),
	/** A join token was issued for a client: invited (a no-show when they never join). */
	'participant.invited': z.object({ sessionId: id, participantId: id, role: z.enum(['host', 'participant', 'location', 'viewer']) }),
	'session.ended': z.object({ sessionId: id, reason: z.string() }),
	/** A connection joined; `replaced` names the connection of the same participant it took over. */
	'participant.joined': z.object({
		sessionId: id,
		participantId: id,
		role: z.enum(['host', 'participant', 'location', 'viewer']),
		connectionId: id,
		module: module.nullable(),
	}),
	'participant.left': z.object({ sessionId: id, participantId: id, connectionId: id, reason: z.string() }),
	/** Written every `HEARTBEAT_MS` per connected participant: after a crash, presence ends at the last one. */
	'participant.heartbeat': z.object({ sessionId: id, participantId: id, connectionId: id }),
	'recording.consent': z.object({ sessionId: id, participantId: id, consent: z.boolean(), by: z.string() }),
	/** On-demand watching (written by the library). */
	'library.watch': z.object({
		itemId: id,
		participantId: id,
		event: z.enum(['started', 'progress', 'finished']),
		positionSeconds: z.number().min(0),
		durationSeconds: z.number().min(0),
		module,
	}),
} as const;

export type LedgerEventType = keyof typeof ledgerEventSchemas;
export type LedgerEventFields<T extends LedgerEventType> = z.output<(typeof ledgerEventSchemas)[T]>;

/** How often a connected participant's presence is confirmed in the ledger. */
export const HEARTBEAT_MS = 15_000;
