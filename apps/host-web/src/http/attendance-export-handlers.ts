import type { Engine } from '@luwte/engine';
import {
	attendedParts,
	ledgerExport,
	monthPeriod,
	parseLedgerEvent,
	sessionAttendance,
	sessionAttendanceToCsv,
	type AttendanceEvent,
	type LedgerEvent,
	type LedgerStore,
} from '@luwte/engine/attendance';
import type { attendanceExportRoutes } from '@luwte/sdk/admin';
import { HostError } from '../errors.ts';
import { ledgerCall } from './attendance-handlers.ts';
import type { Handlers } from './handlers.ts';

export type AttendanceExportRouteId = keyof typeof attendanceExportRoutes;

/** Bytes of JSON Lines gathered before a chunk goes out: few writes, and never the whole export in memory. */
const CHUNK_BYTES = 64 * 1024;

/** Session IDs as the engine makes them; anything else names no session (and goes into no file name). */
const sessionIdPattern = /^[A-Za-z0-9_-]{1,128}$/;

/** The ledger events of one session of the tenant, parsed (other types left out). */
function sessionEvents(store: LedgerStore, tenantId: string, sessionId: string): Promise<LedgerEvent[]> {
	return ledgerCall(async () => {
		const out: LedgerEvent[] = [];
		for await (const raw of store.replay({ tenantId })) {
			if (raw.sessionId !== sessionId) continue;
			const parsed = parseLedgerEvent(raw);
			if (parsed.ok && parsed.event) out.push(parsed.event);
		}
		return out;
	});
}

/**
 * Attendance exports over the ledger: who attended one session (JSON or CSV), and the ledger of a
 * period as JSON Lines, streamed (a month of heartbeats is large) in the form the offline
 * `luwte attendance bill --events` reads.
 */
export function attendanceExportHandlers(engine: Engine, deps: { store: LedgerStore } | undefined): Handlers<AttendanceExportRouteId> {
	const need = () => {
		if (!deps) throw new HostError('unavailable', 'this host keeps no attendance ledger');
		return deps;
	};
	return {
		getSessionAttendance: async ({ tenant, params, query }) => {
			const { store } = need();
			const { sessionId } = params;
			if (!sessionIdPattern.test(sessionId)) throw new HostError('not_found', 'no such session');
			const events = await sessionEvents(store, tenant.id, sessionId);
			// Nobody attended yet, or no such session of this tenant (the engine's not_found).
			if (events.length === 0) await engine.sessionInfo(tenant.id, sessionId);
			const attendance = sessionAttendance(events, sessionId);
			if (query.format === 'csv') {
				return new Response(sessionAttendanceToCsv(attendance), {
					headers: {
						'content-type': 'text/csv; charset=utf-8',
						'content-disposition': `attachment; filename="luwte-attendance-${sessionId}.csv"`,
					},
				});
			}
			return {
				sessionId,
				participants: attendance.participants.map((p) => ({
					participantId: p.participantId,
					role: p.role,
					joinedAt: new Date(p.joinedAt).toISOString(),
					leftAt: new Date(p.leftAt).toISOString(),
					...attendedParts(p.attendedMs),
					reconnects: p.reconnects,
					stays: p.stays,
				})),
			};
		},
		exportAttendanceEvents: async ({ tenant, query }) => {
			const { store } = need();
			const period = monthPeriod(query.from, query.to);
			const events = ledgerExport(store, tenant.id, period);
			// The first event is read before answering: a ledger that cannot be read is a 503, not a cut-off 200.
			let next: IteratorResult<AttendanceEvent> | undefined = await ledgerCall(() => events.next());
			const encoder = new TextEncoder();
			const body = new ReadableStream<Uint8Array>({
				async pull(controller) {
					let text = '';
					while (next && !next.done && text.length < CHUNK_BYTES) {
						text += `${JSON.stringify(next.value)}\n`;
						// A failure from here on ends the answer without its last chunk: the client sees a broken transfer.
						next = await events.next();
					}
					if (text) controller.enqueue(encoder.encode(text));
					if (!next || next.done) controller.close();
				},
				async cancel() {
					next = undefined;
					await events.return(undefined);
				},
			});
			return new Response(body, {
				headers: {
					// Streamed from the first byte: without it the Node adapter reads the first chunks
					// ahead, and a failure there would end the answer early but cleanly, like a short export.
					'transfer-encoding': 'chunked',
					'content-type': 'application/jsonl; charset=utf-8',
					'content-disposition': `attachment; filename="luwte-events-${tenant.id}-${query.from}-${query.to}.jsonl"`,
				},
			});
		},
	};
}
