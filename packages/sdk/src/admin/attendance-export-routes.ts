import { periodQuerySchema } from './attendance-schemas.ts';
import { ledgerEventLineSchema, sessionAttendanceQuerySchema, sessionAttendanceSchema } from './attendance-export-schemas.ts';
import type { ApiRoute } from './route-types.ts';

/** Attendance exports (tenant API key): per session, and the ledger of a period. */
export const attendanceExportRoutes = {
	getSessionAttendance: {
		method: 'get',
		path: '/v1/sessions/{sessionId}/attendance',
		auth: 'tenant',
		summary:
			'Who attended the session: role, joined, left, attended minutes, reconnects (JSON, or CSV with format=csv); the presence rules of billing',
		query: sessionAttendanceQuerySchema,
		response: sessionAttendanceSchema,
		status: 200,
	},
	exportAttendanceEvents: {
		method: 'get',
		path: '/v1/attendance/events',
		auth: 'tenant',
		summary:
			"The tenant's ledger for whole months (local time), streamed as JSON Lines: every event of the period and all events of its sessions; the offline `luwte attendance bill --events` reads it as is",
		query: periodQuerySchema,
		contentType: 'application/jsonl',
		response: ledgerEventLineSchema,
		status: 200,
	},
} as const satisfies Record<string, ApiRoute>;
