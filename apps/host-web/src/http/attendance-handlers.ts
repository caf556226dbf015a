import {
	activeAccounts,
	attendancePerModule,
	billDerived,
	billingToCsv,
	BillingSnapshots,
	billingToJson,
	localDate,
	noShowsPerSession,
	parseLedgerEvent,
	type LedgerEvent,
	type LedgerStore,
} from '@luwte/engine/attendance';
import { participantIdSchema, type attendanceRoutes } from '@luwte/sdk/admin';
import { isLuwteError } from '@luwte/errors';
import type { BillingConfig } from '../billing-config.ts';
import { HostError } from '../errors.ts';
import { parseOrThrow } from '../zod-error.ts';
import type { Handlers } from './handlers.ts';

export type AttendanceRouteId = keyof typeof attendanceRoutes;

/**
 * How long a billing or report request may wait for the ledger. A Redis that is down or still
 * loading its data must not hang the billing department's request: it gets `unavailable` (503).
 */
export const LEDGER_READ_TIMEOUT_MS = 10_000;

/** One tenant's ledger events, parsed (other types and malformed lines are left out). */
function eventsOf(store: LedgerStore, tenantId: string): Promise<LedgerEvent[]> {
	return ledgerCall(async () => {
		const out: LedgerEvent[] = [];
		for await (const raw of store.replay({ tenantId })) {
			const parsed = parseLedgerEvent(raw);
			if (parsed.ok && parsed.event) out.push(parsed.event);
		}
		return out;
	});
}

/** Runs one ledger call with the deadline; a store failure (Redis down, LOADING) is `unavailable`. */
export async function ledgerCall<T>(work: () => Promise<T>, timeoutMs = LEDGER_READ_TIMEOUT_MS): Promise<T> {
	let timer: NodeJS.Timeout | undefined;
	const running = work();
	// A call that outlives its deadline still ends some time; its failure is not an unhandled rejection.
	running.catch(() => undefined);
	const deadline = new Promise<never>((_, reject) => {
		if (timeoutMs === Number.POSITIVE_INFINITY) return;
		timer = setTimeout(
			() =>
				reject(
					new HostError(
						'unavailable',
						`the attendance ledger did not answer within ${timeoutMs / 1000} s; try again in a minute (nothing is lost: events wait in the host's outbox)`,
					),
				),
			timeoutMs,
		);
	});
	try {
		return await Promise.race([running, deadline]);
	} catch (err) {
		if (isLuwteError(err)) throw err;
		throw new HostError('unavailable', 'the attendance ledger cannot be read now; try again in a minute', { cause: err });
	} finally {
		clearTimeout(timer);
	}
}

/**
 * Billing and reports over the ledger, with the tenant's contracts and indications. The rules are
 * applied on every request (rules change; events do not); what billing derives from the events is
 * kept while the ledger has not changed for the period (BillingSnapshots), and is exactly what
 * deriving again would give, so a CSV for the same period, events and files is the same to the byte.
 */
export function attendanceHandlers(deps: { store: LedgerStore; config: BillingConfig } | undefined): Handlers<AttendanceRouteId> {
	const need = () => {
		if (!deps) throw new HostError('unavailable', 'this host keeps no attendance ledger');
		return deps;
	};
	const snapshots = deps ? new BillingSnapshots(deps.store) : undefined;
	return {
		getBilling: async ({ tenant, query }) => {
			const { store, config } = need();
			const [derived, contracts, indications] = await Promise.all([
				ledgerCall(() => snapshots!.derivation(tenant.id, query.from, query.to, () => eventsOf(store, tenant.id))),
				config.contracts(tenant.id),
				config.indications(tenant.id),
			]);
			const result = billDerived(derived, {
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
			const { store } = need();
			// No deadline: a forget that is slow is still working (the outbox bounds its own wait).
			const { removed } = await ledgerCall(() => store.forget(tenant.id, clientId), Number.POSITIVE_INFINITY);
			return { clientId, removedEvents: removed };
		},
	};
}
