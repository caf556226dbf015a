import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_PINS, NO_PINS, shownPins, togglePin, type PinSlots } from '../../packages/sdk/src/elements/session/pins.ts';

// The pin rules of <luwte-session>, apart from the browser: at most two, a pin keeps its place.
const room = new Set(['tolk', 'p1', 'p2', 'p3']);

describe('togglePin', () => {
	it('pins two people in order, refuses a third, and frees the place of an unpinned one without moving the other', () => {
		let slots: PinSlots = NO_PINS;
		({ slots } = togglePin(slots, 'tolk', room));
		({ slots } = togglePin(slots, 'p1', room));
		expect(slots).toEqual(['tolk', 'p1']);
		const third = togglePin(slots, 'p2', room);
		expect(third.outcome).toBe('full');
		expect(third.slots).toBe(slots);
		const undone = togglePin(slots, 'tolk', room);
		expect(undone).toEqual({ slots: [null, 'p1'], outcome: 'unpinned' });
		// The next pin takes the free place; p1 stays where it was.
		expect(togglePin(undone.slots, 'p3', room)).toEqual({ slots: ['p3', 'p1'], outcome: 'pinned' });
	});

	it('refuses someone who is not in the room, and reuses the place of a pinned person who left', () => {
		expect(togglePin(NO_PINS, 'ghost', room)).toEqual({ slots: NO_PINS, outcome: 'absent' });
		const slots: PinSlots = ['gone', 'p1'];
		expect(togglePin(slots, 'p2', room)).toEqual({ slots: ['p2', 'p1'], outcome: 'pinned' });
	});

	it('never holds more than two pins or one person twice, and an unpin always succeeds (property)', () => {
		const ids = fc.constantFrom('tolk', 'p1', 'p2', 'p3', 'ghost');
		fc.assert(
			fc.property(fc.array(ids, { maxLength: 30 }), fc.uniqueArray(ids), (presses, here) => {
				const present = new Set<string>(here);
				let slots: PinSlots = NO_PINS;
				for (const id of presses) {
					const before = slots;
					const r = togglePin(slots, id, present);
					slots = r.slots;
					expect(slots).toHaveLength(MAX_PINS);
					const held = slots.filter((s) => s !== null);
					expect(new Set(held).size).toBe(held.length);
					if (before.includes(id)) expect(r.outcome).toBe('unpinned');
					// A place that was taken by someone else present is never given away.
					before.forEach((s, i) => {
						if (s !== null && s !== id && present.has(s)) expect(slots[i]).toBe(s);
					});
				}
			}),
		);
	});
});

describe('shownPins', () => {
	it('shows a pinned person only while they are in the room and not already big on the stage', () => {
		expect(shownPins(['tolk', 'p1'], room, undefined)).toEqual(['tolk', 'p1']);
		expect(shownPins(['tolk', 'p1'], room, 'p1')).toEqual(['tolk', null]);
		expect(shownPins(['gone', 'p1'], room, undefined)).toEqual([null, 'p1']);
	});
});
