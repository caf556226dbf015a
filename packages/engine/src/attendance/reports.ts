import type { ActivityModule } from '../session/activity.ts';
import type { Indication } from './contracts.ts';
import { clip, total } from './interval-math.ts';
import { cmp, presenceIntervals, type PresenceOptions } from './intervals.ts';
import { canonicalOrder, type LedgerEvent } from './ledger-events.ts';
import { localMonth, monthsBetween, startOfLocalDay, subtractMonths } from './local-time.ts';
import { sessionFacts } from './sessions.ts';

/** Reports for the care organisation's KPIs (docs/billing.md, "Reports"). Pure, like billing. */

export const ACTIVE_ACCOUNT_TARGET = 0.1;

export interface ActiveAccounts {
	team: string | null;
	/** Clients with a valid indication on the report date. */
	clients: number;
	/** Of those, clients whose last login is less than two months before the report date. */
	active: number;
	/** `active / clients` in percent, one decimal, e.g. `"12.5"`. */
	percent: string;
	targetMet: boolean;
}

export interface ActiveAccountsReport {
	date: string;
	/** Logins on or after this local date count. */
	since: string;
	targetPercent: string;
	overall: ActiveAccounts;
	teams: ActiveAccounts[];
}

/**
 * Active accounts per team and overall. A login is a join (any role) or an on-demand watch. The
 * population is the clients with a valid indication on `date`, each in the team of that indication.
 */
export function activeAccounts(
	events: readonly LedgerEvent[],
	indications: readonly Indication[],
	date: string,
	target = ACTIVE_ACCOUNT_TARGET,
): ActiveAccountsReport {
	const since = subtractMonths(date, 2);
	const from = startOfLocalDay(since);
	const until = startOfLocalDay(nextDate(date));
	const loggedIn = new Set<string>();
	for (const e of events) {
		if (e.at < from || e.at >= until) continue;
		if (e.type === 'participant.joined' || e.type === 'library.watch') loggedIn.add(e.participantId);
	}
	const teamOf = new Map<string, string | null>();
	for (const i of [...indications].sort((a, b) => cmp(a.validFrom, b.validFrom))) {
		if (i.validFrom <= date && (i.validTo === null || i.validTo >= date)) teamOf.set(i.clientId, i.team);
	}
	const count = (clients: string[], team: string | null): ActiveAccounts => {
		const active = clients.filter((c) => loggedIn.has(c)).length;
		return {
			team,
			clients: clients.length,
			active,
			percent: percent(active, clients.length),
			targetMet: clients.length > 0 && active >= target * clients.length,
		};
	};
	const byTeam = new Map<string | null, string[]>();
	for (const [client, team] of teamOf) byTeam.set(team, [...(byTeam.get(team) ?? []), client]);
	const teams = [...byTeam].sort(([a], [b]) => cmp(a ?? '', b ?? '')).map(([team, clients]) => count(clients, team));
	return { date, since, targetPercent: percent(target * 1000, 1000), overall: count([...teamOf.keys()], null), teams };
}

export interface NoShows {
	sessionId: string;
	startsAt: number;
	module: ActivityModule | null;
	invited: number;
	/** Invited clients who never joined the session. */
	noShows: string[];
}

/** Sessions scheduled in the months `from`…`to` with their invited clients who never joined. */
export function noShowsPerSession(events: readonly LedgerEvent[], from: string, to: string): NoShows[] {
	const ordered = canonicalOrder(events);
	const joined = new Map<string, Set<string>>();
	for (const e of ordered) {
		if (e.type !== 'participant.joined') continue;
		const set = joined.get(e.sessionId) ?? new Set<string>();
		set.add(e.participantId);
		joined.set(e.sessionId, set);
	}
	const out: NoShows[] = [];
	for (const f of sessionFacts(ordered).values()) {
		if (f.scheduledStart === null || f.invited.length === 0 || f.cancelled) continue;
		const month = localMonth(f.scheduledStart);
		if (month < from || month > to) continue;
		const present = joined.get(f.sessionId) ?? new Set<string>();
		out.push({
			sessionId: f.sessionId,
			startsAt: f.scheduledStart,
			module: f.module,
			invited: f.invited.length,
			noShows: f.invited.filter((c) => !present.has(c)),
		});
	}
	return out.sort((a, b) => a.startsAt - b.startsAt || cmp(a.sessionId, b.sessionId));
}

export interface ModuleAttendance {
	module: ActivityModule | null;
	sessions: number;
	/** Client × session attendances (role `participant`). */
	attendances: number;
	/** Attended minutes inside the period, rounded down. */
	minutes: number;
}

/** Live attendance per module in the months `from`…`to` (time outside the period is cut off at local midnight). */
export function attendancePerModule(
	events: readonly LedgerEvent[],
	from: string,
	to: string,
	options: PresenceOptions = {},
): ModuleAttendance[] {
	const months = monthsBetween(from, to);
	const start = startOfLocalDay(`${from}-01`);
	const end = startOfLocalDay(`${nextMonth(months.at(-1)!)}-01`);
	const ordered = canonicalOrder(events);
	const facts = sessionFacts(ordered);
	const acc = new Map<ActivityModule | null, { sessions: Set<string>; attendances: number; ms: number }>();
	for (const p of presenceIntervals(ordered, options)) {
		if (p.role !== 'participant') continue;
		const ms = total(clip(p.intervals, start, end));
		if (ms === 0) continue;
		const module = facts.get(p.sessionId)?.module ?? null;
		const a = acc.get(module) ?? { sessions: new Set<string>(), attendances: 0, ms: 0 };
		a.sessions.add(p.sessionId);
		a.attendances += 1;
		a.ms += ms;
		acc.set(module, a);
	}
	return [...acc]
		.map(([module, a]) => ({ module, sessions: a.sessions.size, attendances: a.attendances, minutes: Math.floor(a.ms / 60_000) }))
		.sort((a, b) => cmp(a.module ?? '', b.module ?? ''));
}

function percent(part: number, whole: number): string {
	if (whole === 0) return '0.0';
	return (Math.round((part * 1000) / whole) / 10).toFixed(1);
}

function nextDate(date: string): string {
	const [y, m, d] = date.split('-').map(Number) as [number, number, number];
	return new Date(Date.UTC(y, m - 1, d + 1)).toISOString().slice(0, 10);
}

function nextMonth(month: string): string {
	const [y, m] = month.split('-').map(Number) as [number, number];
	return m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`;
}
