import { attendanceEventSchema } from '@luwte/engine/attendance';
import { describe, expect, it } from 'vitest';
import { parseStoredEvent } from '../../packages/engine/src/attendance/store.ts';

/** The stores check each line read by hand (`parseStoredEvent`): the answer must be the schema's, to the byte. */
function bySchema(raw: unknown): unknown {
	const r = attendanceEventSchema.safeParse(raw);
	return r.success ? r.data : undefined;
}

const base = { id: 'ev-1', at: 1_700_000_000_000, tenantId: 'zorg-a', type: 'participant.heartbeat' };
const cases: unknown[] = [
	base,
	{ ...base, sessionId: 's', participantId: 'p', connectionId: 'c' },
	{ sessionId: 's', type: 'library.watch', at: 5, extra: { b: [1, 'x', null, { c: true }], a: 2 }, id: 'a:b.c_d-e', tenantId: 't' },
	{ ...base, invited: ['a', 'b'], module: null, n: 1.5, flag: false },
	{ ...base, id: 'x'.repeat(128), at: 0 },
	{ ...base, id: 'x'.repeat(129) },
	{ ...base, id: 'with space' },
	{ ...base, id: '' },
	{ ...base, at: -1 },
	{ ...base, at: 1.5 },
	{ ...base, at: '5' },
	{ ...base, tenantId: '' },
	{ ...base, tenantId: 7 },
	{ ...base, type: 'Participant.Heartbeat' },
	{ ...base, type: 'a..b' },
	{ ...base, type: undefined },
	JSON.parse('{"id":"e","at":1,"tenantId":"t","type":"x.y","__proto__":{"polluted":1}}'),
	null,
	[],
	'line',
	42,
];

describe('parseStoredEvent answers as attendanceEventSchema', () => {
	it.each(cases.map((raw, i) => [i, raw] as const))('case %i', (_, raw) => {
		const want = bySchema(raw);
		const got = parseStoredEvent(raw);
		expect(got).toEqual(want);
		expect(JSON.stringify(got)).toBe(JSON.stringify(want));
	});
});
