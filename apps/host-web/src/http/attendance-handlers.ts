import {
	activeAccounts,
	attendancePerModule,
	bill,
	billingToCsv,
	billingToJson,
	localDate,
	noShowsPerSession,
	parseLedgerEvent,
	type LedgerEvent,
	type LedgerStore,
} from '@luwte/engine/attendance';
import { participantIdSchema, type attendanceRoutes } from '@luwte/sdk/admin';
import type { BillingConfig } from '../billing-config.ts';
import { HostError } from '../errors.ts';
import { parseOrThrow } from '../zod-error.ts';
import type { Handlers } from './handlers.ts';

export type AttendanceRouteId = keyof typeof attendanceRoutes;

/** One tenant's ledger events, parsed (other types and malformed lines are left out). */
async function eventsOf(store: LedgerStore, tenantId: string): Promise<LedgerEvent[]> {
	const out: LedgerEvent[] = [];
	for await (const raw of store.replay({ tenantId })) {
		const parsed = parseLedgerEvent(raw);
		if (parsed.ok && parsed.event) out.push(parsed.event);
	}
	return out;
}

/**
 * Billing and reports over the ledger, with the tenant's contracts and indications. Each request
 * derives everything again from the events (rules change; events do not), so a CSV for the same
 * period, events and files is the same to the byte.
 */
export function attendanceHandlers(deps: { store: LedgerStore; config: BillingConfig } | undefined): Handlers<AttendanceRouteId> {
	const need = () => {
		if (!deps) throw new HostError('unavailable', 'this host keeps no attendance ledger');
		return deps;
	};
	return {
		getBilling: async ({ tenant, query }) => {
			const { store, config } = need();
			const [events, contracts, indications] = await Promise.all([
				eventsOf(store, tenant.id),
				config.contracts(tenant.id),
				config.indications(tenant.id),
			]);
			const result = bill({
				events,
				contracts: contracts.contracts,
				indications: indications.indications,
				from: query.from,
				to: query.to,
			});
			if (query.format === 'csv') {
				return new Response(billingToCsv(result), {
					headers: {
						'content-type': 'text/csv; charset=utf-8',
						'content-disposition': `attachment; filename="luwte-billing-${query.from}-${query.to}.csv"`,
					},
				});
			}
			// The same bytes as the offline command's JSON (sorted keys, fixed formatting).
			return new Response(billingToJson(result), { headers: { 'content-type': 'application/json; charset=utf-8' } });
		},
		getContracts: async ({ tenant }) => need().config.contracts(tenant.id),
		setContracts: async ({ tenant, body }) => ({ saved: (await need().config.setContracts(tenant.id, body)).contracts.length }),
		getIndications: async ({ tenant }) => need().config.indications(tenant.id),
		setIndications: async ({ tenant, body }) => ({ saved: (await need().config.setIndications(tenant.id, body)).indications.length }),
		getActiveAccounts: async ({ tenant, query }) => {
			const { store, config } = need();
			const [events, indications] = await Promise.all([eventsOf(store, tenant.id), config.indications(tenant.id)]);
			return activeAccounts(events, indications.indications, query.date ?? localDate(Date.now()));
		},
		getNoShows: async ({ tenant, query }) => ({
			sessions: noShowsPerSession(await eventsOf(need().store, tenant.id), query.from, query.to),
		}),
		getModuleAttendance: async ({ tenant, query }) => ({
			modules: attendancePerModule(await eventsOf(need().store, tenant.id), query.from, query.to),
		}),
		forgetClient: async ({ tenant, params }) => {
			const clientId = parseOrThrow(participantIdSchema, params.clientId, 'clientId');
			const { removed } = await need().store.forget(tenant.id, clientId);
			return { clientId, removedEvents: removed };
		},
	};
}
