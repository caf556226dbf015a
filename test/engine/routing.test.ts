import { routes, type Role } from '@luwte/engine';
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
