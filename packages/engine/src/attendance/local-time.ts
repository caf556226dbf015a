/**
 * Calendar arithmetic in the care organisation's time zone (Europe/Amsterdam). Billing periods,
 * indications and "per day" figures are local dates, while events carry UTC milliseconds.
 * Amsterdam changes its offset at 02:00/03:00, never at midnight, so a local midnight always exists once.
 */

export const BILLING_TIME_ZONE = 'Europe/Amsterdam';

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(timeZone: string): Intl.DateTimeFormat {
	let f = formatters.get(timeZone);
	if (!f) {
		f = new Intl.DateTimeFormat('en-CA', {
			timeZone,
			year: 'numeric',
			month: '2-digit',
			day: '2-digit',
			hour: '2-digit',
			minute: '2-digit',
			second: '2-digit',
			hourCycle: 'h23',
		});
		formatters.set(timeZone, f);
	}
	return f;
}

interface LocalParts {
	year: number;
	month: number;
	day: number;
	hour: number;
	minute: number;
	second: number;
}

function localParts(ms: number, timeZone: string): LocalParts {
	const p: Record<string, number> = {};
	for (const part of formatter(timeZone).formatToParts(ms)) if (part.type !== 'literal') p[part.type] = Number(part.value);
	return { year: p.year!, month: p.month!, day: p.day!, hour: p.hour!, minute: p.minute!, second: p.second! };
}

/** Offset of local time from UTC at `ms`, in ms (Amsterdam: +1 h or +2 h). */
function offsetAt(ms: number, timeZone: string): number {
	const p = localParts(ms, timeZone);
	const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
	return asUtc - Math.floor(ms / 1000) * 1000;
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** `YYYY-MM-DD` of the local day `ms` falls in. */
export function localDate(ms: number, timeZone = BILLING_TIME_ZONE): string {
	const p = localParts(ms, timeZone);
	return `${pad(p.year, 4)}-${pad(p.month)}-${pad(p.day)}`;
}

/** `YYYY-MM` of the local month `ms` falls in. */
export function localMonth(ms: number, timeZone = BILLING_TIME_ZONE): string {
	return localDate(ms, timeZone).slice(0, 7);
}

/** The UTC instant of local midnight at the start of `date` (`YYYY-MM-DD`). */
export function startOfLocalDay(date: string, timeZone = BILLING_TIME_ZONE): number {
	const [y, m, d] = date.split('-').map(Number) as [number, number, number];
	const naive = Date.UTC(y, m - 1, d);
	// Two steps: the offset at the naive guess can differ from the one at the true instant only near a change.
	const guess = naive - offsetAt(naive, timeZone);
	return naive - offsetAt(guess, timeZone);
}

/** The first local midnight strictly after `ms`. */
export function nextLocalMidnight(ms: number, timeZone = BILLING_TIME_ZONE): number {
	const p = localParts(ms, timeZone);
	const next = new Date(Date.UTC(p.year, p.month - 1, p.day + 1));
	return startOfLocalDay(next.toISOString().slice(0, 10), timeZone);
}

/** `YYYY-MM` → the months from `from` to `to` inclusive. */
export function monthsBetween(from: string, to: string): string[] {
	const out: string[] = [];
	let [y, m] = from.split('-').map(Number) as [number, number];
	const [ty, tm] = to.split('-').map(Number) as [number, number];
	while (y < ty || (y === ty && m <= tm)) {
		out.push(`${pad(y, 4)}-${pad(m)}`);
		m += 1;
		if (m > 12) {
			m = 1;
			y += 1;
		}
	}
	return out;
}

/** ISO 8601 week of a local date, as `YYYY-Www` (the year is the week-based year). */
export function isoWeek(date: string): string {
	const [y, m, d] = date.split('-').map(Number) as [number, number, number];
	const t = new Date(Date.UTC(y, m - 1, d));
	const weekday = (t.getUTCDay() + 6) % 7; // Monday 0
	t.setUTCDate(t.getUTCDate() - weekday + 3); // the Thursday of this week decides the year
	const weekYear = t.getUTCFullYear();
	const firstThursday = new Date(Date.UTC(weekYear, 0, 4));
	firstThursday.setUTCDate(firstThursday.getUTCDate() - ((firstThursday.getUTCDay() + 6) % 7) + 3);
	const week = 1 + Math.round((t.getTime() - firstThursday.getTime()) / (7 * 86_400_000));
	return `${weekYear}-W${pad(week)}`;
}

/** A local date `months` calendar months before `date` (clamped to the month's last day). */
export function subtractMonths(date: string, months: number): string {
	const [y, m, d] = date.split('-').map(Number) as [number, number, number];
	const total = y * 12 + (m - 1) - months;
	const ny = Math.floor(total / 12);
	const nm = (total % 12) + 1;
	const lastDay = new Date(Date.UTC(ny, nm, 0)).getUTCDate();
	return `${pad(ny, 4)}-${pad(nm)}-${pad(Math.min(d, lastDay))}`;
}
