import type { ReactiveControllerHost } from 'lit';

/** How many tiles a viewer may pin beside the stage's own (a sign-language interpreter, a second begeleider). */
export const MAX_PINS = 2;

/**
 * The pin places beside the stage, each a participant ID or free. A pin keeps its place until it
 * is undone, so the other one never moves.
 */
export type PinSlots = readonly (string | null)[];

export type PinOutcome = 'pinned' | 'unpinned' | 'full' | 'absent';

export const NO_PINS: PinSlots = Array.from({ length: MAX_PINS }, () => null);

/**
 * What a press on someone's pin toggle does (pure). Pinned: unpinned, their place becomes free.
 * Not pinned: the first free place, where a place whose person is not in the room (left, or not
 * back yet after a lost connection) counts as free. No free place: `full`, nothing changes. Someone
 * not in the room cannot be pinned (`absent`).
 */
export function togglePin(slots: PinSlots, participantId: string, present: ReadonlySet<string>): { slots: PinSlots; outcome: PinOutcome } {
	const at = slots.indexOf(participantId);
	if (at >= 0) return { slots: slots.map((s, i) => (i === at ? null : s)), outcome: 'unpinned' };
	if (!present.has(participantId)) return { slots, outcome: 'absent' };
	const free = slots.findIndex((s) => s === null || !present.has(s));
	if (free < 0) return { slots, outcome: 'full' };
	return { slots: slots.map((s, i) => (i === free ? participantId : s)), outcome: 'pinned' };
}

/**
 * Who each place shows now: a pinned person who is in the room and not already big on the stage
 * (the spotlight may have put them there); otherwise the place is shown free (its pin is kept, so
 * they come back to the same place).
 */
export function shownPins(slots: PinSlots, present: ReadonlySet<string>, onStage: string | undefined): (string | null)[] {
	return slots.map((s) => (s !== null && s !== onStage && present.has(s) ? s : null));
}

/** What `Pins` needs of the element: where to say that a third pin is refused. */
export interface PinsOptions {
	/** The refusal in words. */
	limitText(): string;
	message: { get(): string; set(message: string): void };
}

/**
 * This viewer's pins: up to `MAX_PINS` people kept large beside the stage, for this person only
 * (nobody else sees them; the server is not told). A third pin is refused on the status line,
 * which screen readers speak.
 */
export class Pins {
	readonly #host: ReactiveControllerHost;
	readonly #opts: PinsOptions;
	#slots: PinSlots = NO_PINS;

	constructor(host: ReactiveControllerHost, opts: PinsOptions) {
		this.#host = host;
		this.#opts = opts;
	}

	get slots(): PinSlots {
		return this.#slots;
	}

	isPinned(participantId: string): boolean {
		return this.#slots.includes(participantId);
	}

	/** A press on someone's pin toggle; `present`: who is in the room now. */
	toggle(participantId: string, present: ReadonlySet<string>): PinOutcome {
		const { slots, outcome } = togglePin(this.#slots, participantId, present);
		this.#slots = slots;
		const limit = this.#opts.limitText();
		if (outcome === 'full') this.#refuse(limit);
		else if (outcome !== 'absent' && this.#opts.message.get() === limit) this.#opts.message.set('');
		this.#host.requestUpdate();
		return outcome;
	}

	/**
	 * Says the refusal; pressed again while it is still showing, it is said again (the same text
	 * set twice is no change a screen reader would announce: the line is empty for one update).
	 */
	#refuse(limit: string): void {
		const { message } = this.#opts;
		if (message.get() !== limit) {
			message.set(limit);
			return;
		}
		message.set('');
		void this.#host.updateComplete.then(() => {
			if (message.get() === '') message.set(limit);
		});
	}
}
