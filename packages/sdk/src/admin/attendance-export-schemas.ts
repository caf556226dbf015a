import * as z from 'zod';
import { roleSchema } from '../protocol/messages.ts';

// Attendance exports: who attended one session (JSON or CSV), and the ledger itself for a period
// (JSON Lines, what the offline `luwte attendance bill --events` reads).

const isoDateTime = z.iso.datetime();

export const sessionAttendanceQuerySchema = z
	.object({
		format: z.enum(['json', 'csv']).default('json').describe('csv: text/csv, one row per participant'),
	})
	.strict();

export const sessionAttendanceRowSchema = z.object({
	participantId: z.string().describe('Pseudonymous ID'),
	role: roleSchema,
	joinedAt: isoDateTime.describe('Start of the first presence'),
	leftAt: isoDateTime.describe('End of the last presence (a session still live: its last sign of life so far)'),
	attendedMinutes: z.number().int().describe('Whole minutes present, rounded down; gaps not counted'),
	attendedSeconds: z.number().int().describe('Whole seconds present, rounded down'),
	reconnects: z.number().int().describe('Returns within the grace period (2 min) after a dropped connection'),
	stays: z.number().int().describe('Separate stays: a return after longer than the grace period starts another'),
});

export const sessionAttendanceSchema = z.object({
	sessionId: z.string(),
	participants: z.array(sessionAttendanceRowSchema).describe('Everyone who was present, by participant ID'),
});

/** One line of the ledger export: a stored event (docs/attendance.md lists the types and fields). */
export const ledgerEventLineSchema = z
	.object({
		id: z.string(),
		at: z.number().int().describe('Server time, ms since 1970'),
		tenantId: z.string(),
		type: z.string().describe('session.scheduled, participant.joined, library.watch, …'),
	})
	.catchall(z.unknown())
	.describe('One stored attendance event: the common fields and those of its type');
