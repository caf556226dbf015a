import {
	activeAccountsQuerySchema,
	activeAccountsSchema,
	billingQuerySchema,
	billingSchema,
	contractsFileBodySchema,
	forgottenSchema,
	indicationsFileBodySchema,
	moduleAttendanceSchema,
	noShowsSchema,
	periodQuerySchema,
	savedSchema,
} from './attendance-schemas.ts';
import type { AdminRoute } from './routes.ts';

/** Attendance, billing exports and reports (tenant API key). */
export const attendanceRoutes = {
	getBilling: {
		method: 'get',
		path: '/v1/billing',
		summary: 'Billable lines per client × financer × month, and the exceptions (JSON, or CSV with format=csv)',
		query: billingQuerySchema,
		response: billingSchema,
		status: 200,
	},
	getContracts: { method: 'get', path: '/v1/billing/contracts', summary: "The tenant's contracts", response: contractsFileBodySchema, status: 200 },
	setContracts: { method: 'post', path: '/v1/billing/contracts', summary: "Replace the tenant's contracts", body: contractsFileBodySchema, response: savedSchema, status: 200 },
	getIndications: { method: 'get', path: '/v1/billing/indications', summary: "The tenant's client indications", response: indicationsFileBodySchema, status: 200 },
	setIndications: {
		method: 'post',
		path: '/v1/billing/indications',
		summary: "Replace the tenant's client indications",
		body: indicationsFileBodySchema,
		response: savedSchema,
		status: 200,
	},
	getActiveAccounts: {
		method: 'get',
		path: '/v1/reports/active-accounts',
		summary: 'Active accounts (last login < 2 months) per team and overall, against the 10 % target',
		query: activeAccountsQuerySchema,
		response: activeAccountsSchema,
		status: 200,
	},
	getNoShows: { method: 'get', path: '/v1/reports/no-shows', summary: 'Invited clients who never joined, per session', query: periodQuerySchema, response: noShowsSchema, status: 200 },
	getModuleAttendance: {
		method: 'get',
		path: '/v1/reports/modules',
		summary: 'Sessions, attendances and minutes per module',
		query: periodQuerySchema,
		response: moduleAttendanceSchema,
		status: 200,
	},
	forgetClient: {
		method: 'post',
		path: '/v1/attendance/clients/{clientId}/forget',
		summary: "Remove every attendance event of one client (others' totals stay the same)",
		response: forgottenSchema,
		status: 200,
	},
} as const satisfies Record<string, AdminRoute>;
