import type { Role } from '../protocol/index.ts';

/** `luwte-joined`: this person is in the session. */
export interface LuwteJoinedDetail {
	participantId: string;
	role: Role;
}

/** `luwte-left`: out of the session: left on purpose, the activity ended, or another window took over. */
export interface LuwteLeftDetail {
	reason: 'left' | 'ended' | 'replaced';
}

/** `luwte-error`: something the person could not get past; the element shows it in plain words. */
export interface LuwteErrorDetail {
	/** A protocol error code (`origin_not_allowed`, `unauthorized`, …) or `internal`. */
	code: string;
	message: string;
}

/** The DOM events of Luwte's elements and their details. They bubble and cross shadow roots. */
export interface LuwteEventDetails {
	'luwte-joined': LuwteJoinedDetail;
	'luwte-left': LuwteLeftDetail;
	'luwte-error': LuwteErrorDetail;
}

/** Dispatches one of Luwte's events from `target`, typed by its name. */
export function dispatchLuwteEvent<K extends keyof LuwteEventDetails>(target: EventTarget, name: K, detail: LuwteEventDetails[K]): void {
	target.dispatchEvent(new CustomEvent(name, { detail, bubbles: true, composed: true }));
}

declare global {
	interface HTMLElementEventMap {
		'luwte-joined': CustomEvent<LuwteJoinedDetail>;
		'luwte-left': CustomEvent<LuwteLeftDetail>;
		'luwte-error': CustomEvent<LuwteErrorDetail>;
	}
}
