import { parseLedgerEvent } from '@luwte/engine/attendance';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ledgerEventSchemas } from '../../packages/engine/src/attendance/event-types.ts';

/**
 * `parseLedgerEvent` checks heartbeats, joins and leaves by hand (they are nearly the whole ledger):
 * its answer must be the schemas' answer to the byte, for valid and invalid events alike.
 */
const common = z.object({
	id: z.string().min(1).max(128),
	at: z.number().int().min(0),
	tenantId: z.string().min(1).max(64),
	type: z.string().min(1),
});
function bySchemas(raw: unknown): unknown {
	const c = common.safeParse(raw);
	if (!c.success) return 'invalid';
	const schema = ledgerEventSchemas[c.data.type as keyof typeof ledgerEventSchemas];
	if (!schema) return null;
	const f = schema.safeParse(raw);
	return f.success ? { ...c.data, ...f.data } : 'invalid';
}
function parsed(raw: unknown): unknown {
	const p = parseLedgerEvent(raw);
	if (!p.ok) return 'invalid';
	return p.event;
}

const base = { id: 'ev-1', at: 1_700_000_000_000, tenantId: 'zorg-a', sessionId: 's-1', participantId: 'p-1', connectionId: 'c-1' };
const valid = [
	{ ...base, type: 'participant.heartbeat' },
	{ ...base, type: 'participant.heartbeat', extra: 'dropped', module: 'x' },
	{ ...base, type: 'participant.left', reason: 'left' },
	{ ...base, type: 'participant.left', reason: '' },
	{ ...base, type: 'participant.joined', role: 'participant', module: 'communicatie' },
	{ ...base, type: 'participant.joined', role: 'host', module: null },
	{ type: 'participant.joined', module: 'eigen-regie', role: 'viewer', ...base },
	{ ...base, at: 0, id: 'x'.repeat(128), tenantId: 't'.repeat(64), type: 'participant.heartbeat' },
];
const invalid = [
	null,
	[],
	'text',
	{ ...base, type: 'participant.heartbeat', at: 1.5 },
	{ ...base, type: 'participant.heartbeat', at: -1 },
	{ ...base, type: 'participant.heartbeat', at: '1' },
	{ ...base, type: 'participant.heartbeat', at: Number.MAX_SAFE_INTEGER + 2 },
	{ ...base, type: 'participant.heartbeat', id: '' },
	{ ...base, type: 'participant.heartbeat', id: 'x'.repeat(129) },
	{ ...base, type: 'participant.heartbeat', tenantId: 't'.repeat(65) },
	{ ...base, type: 'participant.heartbeat', sessionId: 7 },
	{ ...base, type: 'participant.heartbeat', connectionId: undefined },
	{ ...base, type: 'participant.left' },
	{ ...base, type: 'participant.left', reason: 3 },
	{ ...base, type: 'participant.joined', role: 'participant' },
	{ ...base, type: 'participant.joined', role: 'admin', module: null },
	{ ...base, type: 'participant.joined', role: 'participant', module: 'dansen' },
	{ ...base, type: '', sessionId: 's' },
];
const others = [
	{ ...base, type: 'session.started', module: null },
	{ ...base, type: 'session.scheduled', module: 'communicatie', startsAt: 1, endsAt: 2 },
	{ ...base, type: 'some.other-type' },
];

describe('parseLedgerEvent: the hand-checked types give the schemas’ answer', () => {
	it.each([...valid, ...invalid, ...others].map((raw, i) => [i, raw] as const))('case %i', (_, raw) => {
		const want = bySchemas(raw);
		const got = parsed(raw);
		expect(got).toEqual(want);
		// Same keys in the same order: the events are written out again (exports, JSON).
		expect(JSON.stringify(got)).toBe(JSON.stringify(want));
	});
	it('error messages of malformed hot events are the schemas’', () => {
		const p = parseLedgerEvent({ ...base, type: 'participant.joined', role: 'admin', module: null });
		expect(p).toMatchObject({ ok: false, field: 'role' });
	});
});
