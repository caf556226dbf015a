import { knowsOf, routes, type Role } from '@luwte/engine/session';
import { describe, expect, it } from 'vitest';

// Who sees whom, as the architecture note describes it. Written out by hand on purpose.
describe('routing rules', () => {
	const open = { participantsSeeEachOther: true };
	const closed = { participantsSeeEachOther: false };
	const table: [Role, Role, boolean, boolean][] = [
		// sender, receiver, open group, closed group
		['host', 'participant', true, true],
		['host', 'location', true, true],
		['host', 'viewer', true, true],
		['host', 'host', true, true],
		['location', 'participant', true, true],
		['location', 'viewer', true, true],
		['location', 'host', true, true],
		['participant', 'host', true, true],
		['participant', 'location', true, true],
		['participant', 'participant', true, false],
		['participant', 'viewer', false, false],
		['viewer', 'host', false, false],
		['viewer', 'participant', false, false],
	];
	it.each(table)('%s → %s: %s (group open), %s (closed)', (sender, receiver, inOpen, inClosed) => {
		expect(routes(sender, receiver, open)).toBe(inOpen);
		expect(routes(sender, receiver, closed)).toBe(inClosed);
	});
});

describe('who is told about whom', () => {
	const open = { participantsSeeEachOther: true };
	it('never tells a viewer about clients at home or other viewers', () => {
		expect(knowsOf('viewer', 'participant', open)).toBe(false);
		expect(knowsOf('viewer', 'viewer', open)).toBe(false);
		expect(knowsOf('viewer', 'host', open)).toBe(true);
		expect(knowsOf('viewer', 'location', open)).toBe(true);
	});
	it('tells hosts about everyone who takes part; viewers are an audience count, announced to nobody', () => {
		for (const r of ['host', 'participant', 'location'] as const) expect(knowsOf('host', r, open)).toBe(true);
		for (const r of ['host', 'participant', 'location', 'viewer'] as const) expect(knowsOf(r, 'viewer', open)).toBe(false);
	});
	it('tells clients about each other only in an open group', () => {
		expect(knowsOf('participant', 'participant', open)).toBe(true);
		expect(knowsOf('participant', 'participant', { participantsSeeEachOther: false })).toBe(false);
		expect(knowsOf('participant', 'viewer', open)).toBe(false);
	});
});
