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

/**
 * `luwte-not-started`: the join window has not opened yet (ISO 8601 instants). The element waits
 * calmly and joins by itself once `opensAt` has come.
 */
export interface LuwteNotStartedDetail {
	/** The scheduled start. */
	startsAt: string;
	/** When joining becomes possible (usually a little before the start). */
	opensAt: string;
}

/**
 * Why a session ended: by a host or the API (`ended`), empty too long (`idle`), past its planned
 * end (`overdue`), or the engine shut down (`engine-closed`). A cancelled session fires
 * `luwte-cancelled` instead.
 */
export type LuwteEndReason = 'ended' | 'idle' | 'overdue' | 'engine-closed';

/** `luwte-ended`: the activity is over (final; the element does not try again). */
export interface LuwteEndedDetail {
	reason: LuwteEndReason;
}

/** `luwte-ending`: a quiet notice that the activity stops soon, because it is past its planned end. */
export interface LuwteEndingDetail {
	/** When it stops (ISO 8601). */
	endsAt: string;
	reason: 'overdue';
	/** Whole minutes from now, at least 1, as the element says it. */
	minutes: number;
}

/** The DOM events of Luwte's elements and their details. They bubble and cross shadow roots. */
export interface LuwteEventDetails {
	'luwte-joined': LuwteJoinedDetail;
	'luwte-left': LuwteLeftDetail;
	'luwte-error': LuwteErrorDetail;
	'luwte-not-started': LuwteNotStartedDetail;
	'luwte-ending': LuwteEndingDetail;
	'luwte-ended': LuwteEndedDetail;
	/** The activity will not take place (final). */
	'luwte-cancelled': Record<string, never>;
	/** The activity no longer exists (final). */
	'luwte-gone': Record<string, never>;
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
		'luwte-not-started': CustomEvent<LuwteNotStartedDetail>;
		'luwte-ending': CustomEvent<LuwteEndingDetail>;
		'luwte-ended': CustomEvent<LuwteEndedDetail>;
		'luwte-cancelled': CustomEvent<Record<string, never>>;
		'luwte-gone': CustomEvent<Record<string, never>>;
	}
}
