import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
	activeAccounts,
	attendancePerModule,
	indicationsFileSchema,
	noShowsPerSession,
	parseLedgerEvent,
	type LedgerEvent,
} from '@luwte/engine/attendance';

/** The reports on the example set (examples/billing); expected numbers counted by hand from its events. */

const example = join(import.meta.dirname, '..', '..', 'examples', 'billing');
const events = readFileSync(join(example, 'events.jsonl'), 'utf8')
	.trim()
	.split('\n')
	.map((l) => parseLedgerEvent(JSON.parse(l)))
	.flatMap((p) => (p.ok && p.event ? [p.event] : [])) as LedgerEvent[];
const indications = indicationsFileSchema.parse(JSON.parse(readFileSync(join(example, 'indications.json'), 'utf8'))).indications;

describe('reports', () => {
	it('counts active accounts per team against the 10 % target', () => {
		// 7 clients with an indication; all but Gijs joined something in March.
		const report = activeAccounts(events, indications, '2024-03-31');
		expect(report.since).toBe('2024-01-31');
		expect(report.targetPercent).toBe('10.0');
		expect(report.overall).toEqual({ team: null, clients: 7, active: 6, percent: '85.7', targetMet: true });
		expect(report.teams).toEqual([
			{ team: 'Noord', clients: 3, active: 3, percent: '100.0', targetMet: true },
			{ team: 'Zuid', clients: 4, active: 3, percent: '75.0', targetMet: true },
		]);
	});

	it('forgets logins older than two months', () => {
		// On 19 May only the activity of 19 March is within two months: Anna, Dirk and Els.
		expect(activeAccounts(events, indications, '2024-05-19').overall).toMatchObject({ clients: 7, active: 3, percent: '42.9' });
		// A day later nobody has logged in for two months.
		expect(activeAccounts(events, indications, '2024-05-20').overall).toMatchObject({ active: 0, percent: '0.0', targetMet: false });
	});

	it('lists invited clients who never joined', () => {
		const noShows = noShowsPerSession(events, '2024-03', '2024-03').filter((s) => s.noShows.length > 0);
		expect(noShows.map((s) => [s.sessionId, s.invited, s.noShows])).toEqual([['s-2024-03-05-com', 4, ['client-gijs']]]);
	});

	it('sums attendance per module', () => {
		// communicatie: 89 + 90 + 66.5 (5 Mar) + 90 + 85 + 90 (7 Mar) + 20 + 90 + 80 (19 Mar) = 700.5 min.
		expect(attendancePerModule(events, '2024-03', '2024-03')).toEqual([
			{ module: 'communicatie', sessions: 3, attendances: 9, minutes: 700 },
			{ module: 'fit-en-vitaal', sessions: 1, attendances: 2, minutes: 120 },
			{ module: 'talent-en-ambitie', sessions: 1, attendances: 2, minutes: 120 },
			{ module: 'vaardig-en-creatief', sessions: 1, attendances: 2, minutes: 90 },
		]);
		expect(attendancePerModule(events, '2024-04', '2024-04')).toEqual([]);
	});
});
