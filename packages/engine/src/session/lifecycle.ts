import { z } from 'zod';
import type { Schedule } from './activity.ts';

/**
 * When a session may be joined and when it ends by itself (docs/sessions.md). A tenant sets
 * defaults; a session may override any of them. Seconds, so tests can use short periods.
 */
export const lifecycleSchema = z
	.object({
		/** The join window opens this long before the scheduled start. */
		joinLeadSeconds: z.number().int().min(0).max(86_400).optional(),
		/** …and closes this long after the scheduled end; a live session still running then ends (overdue). */
		endGraceSeconds: z.number().int().min(0).max(43_200).optional(),
		/** A live session with nobody in it ends after this long. */
		idleEndSeconds: z.number().int().min(5).max(86_400).optional(),
		/** Those still in an overdue session are told this long before it ends. */
		overdueNoticeSeconds: z.number().int().min(0).max(3_600).optional(),
	})
	.strict();
export type LifecycleInput = z.input<typeof lifecycleSchema>;
export type Lifecycle = { [K in keyof LifecycleInput]-?: number };

export const defaultLifecycle: Lifecycle = {
	joinLeadSeconds: 15 * 60,
	endGraceSeconds: 30 * 60,
	idleEndSeconds: 10 * 60,
	overdueNoticeSeconds: 5 * 60,
};

/** The rules in force: the session's own over the tenant's over the defaults. */
export function effectiveLifecycle(tenant: LifecycleInput | undefined, session: LifecycleInput | undefined): Lifecycle {
	const out = { ...defaultLifecycle };
	for (const layer of [tenant, session]) {
		for (const [k, v] of Object.entries(layer ?? {})) if (v !== undefined) out[k as keyof Lifecycle] = v;
	}
	return out;
}

/** The join window of a scheduled session (ms); an unscheduled one is open until it ends. */
export function joinWindow(schedule: Schedule | undefined, rules: Lifecycle): { opensAt: number; closesAt: number } | undefined {
	if (!schedule) return undefined;
	return { opensAt: schedule.startsAt - rules.joinLeadSeconds * 1000, closesAt: schedule.endsAt + rules.endGraceSeconds * 1000 };
}

/** Per-tenant limits against abuse and runaway scripts (docs/sessions.md). */
export const quotasSchema = z
	.object({
		/** Sessions a tenant may create per rolling 24 hours. */
		sessionsPerDay: z.number().int().min(1).max(1_000_000).optional(),
		/** Sessions of one tenant live at the same time. */
		liveSessions: z.number().int().min(1).max(100_000).optional(),
		/** Join tokens a tenant may issue per rolling minute. */
		tokensPerMinute: z.number().int().min(1).max(1_000_000).optional(),
	})
	.strict();
export type QuotasInput = z.input<typeof quotasSchema>;
export type Quotas = { [K in keyof QuotasInput]-?: number };

export const defaultQuotas: Quotas = { sessionsPerDay: 1000, liveSessions: 100, tokensPerMinute: 600 };

export function effectiveQuotas(tenant: QuotasInput | undefined): Quotas {
	return { ...defaultQuotas, ...Object.fromEntries(Object.entries(tenant ?? {}).filter(([, v]) => v !== undefined)) };
}
