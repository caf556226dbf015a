import type { Role } from '../protocol/index.ts';

/**
 * Someone this person may know of, by pseudonymous ID (never a name). Viewers are never among
 * them: nobody is told of a viewer one by one (hosts get `luwte-audience-changed`).
 */
export interface LuwtePeer {
	participantId: string;
	role: Exclude<Role, 'viewer'>;
}

/** `luwte-joined`: this person is in the session. */
export interface LuwteJoinedDetail {
	participantId: string;
	role: Role;
	/** Who was already there, as this person may know it (the same scope as `luwte-participant-joined`). */
	peers: LuwtePeer[];
}

/** `luwte-participant-joined` / `luwte-participant-left`: someone this person may know of came or went. */
export type LuwteParticipantDetail = LuwtePeer;

/**
 * `luwte-reconnecting`: the connection was lost; the element waits `delayMs` and then makes
 * attempt `attempt` (1, 2, …) to rejoin. Fired before every attempt.
 */
export interface LuwteReconnectingDetail {
	attempt: number;
	delayMs: number;
	/** Why the connection went: `host-restart`, `media-failure`, or how the socket closed. */
	reason: string;
	/** Why the previous attempt failed (a protocol error code), from the second attempt on. */
	code?: string;
}

/**
 * `luwte-reconnected`: back in the session. `participant-joined`/`-left` follow for whoever came
 * or went meanwhile, so a list kept from those events is right again.
 */
export interface LuwteReconnectedDetail {
	/** Attempts it took. */
	attempt: number;
	participantId: string;
	role: Role;
	peers: LuwtePeer[];
}

/** A field of the recording state that can change. */
export type LuwteRecordingField = 'active' | 'you' | 'consent' | 'recorded' | 'consented';

/**
 * `luwte-recording-changed`: the recording started or stopped, this person's consent or place in
 * it changed, or (hosts) who is in it changed. Only on a real change; `changed` says what.
 */
export interface LuwteRecordingChangedDetail {
	/** The session is being recorded. */
	active: boolean;
	/** This person's own tracks are being written now. */
	you: boolean;
	/** This person's own consent (hosts are recorded without asking). */
	consent: boolean;
	/** Hosts only: pseudonymous IDs of those being written now; empty for others. */
	recorded: string[];
	/** Hosts only: pseudonymous IDs of those who consented; empty for others. */
	consented: string[];
	/** The fields that differ from the previous state this page was told (or from "not recording"). */
	changed: LuwteRecordingField[];
}

/** `luwte-audience-changed` (hosts only): how many viewers watch; at most about once a second. */
export interface LuwteAudienceChangedDetail {
	viewers: number;
}

/**
 * What went wrong with a camera or microphone: the person or the browser said no (`denied`), there
 * is none (`not-found`), another program holds it or the hardware failed (`in-use`), it went away
 * while in use (`lost`: unplugged, permission taken back), the page cannot ask for devices at all
 * (`unsupported`: not a secure context, or no getUserMedia), or something else (`failed`).
 */
export type LuwteDeviceProblem = 'denied' | 'not-found' | 'in-use' | 'lost' | 'unsupported' | 'failed';

/**
 * `luwte-device-problem`: a camera or microphone cannot be used. Joining still works without it
 * (others see a placeholder or hear nothing); the page may want to help the person.
 */
export interface LuwteDeviceProblemDetail {
	device: 'camera' | 'microphone';
	problem: LuwteDeviceProblem;
	/** `check`: before joining (the camera and microphone check); `session`: while in the room. */
	during: 'check' | 'session';
	/** The browser's error name (`NotAllowedError`, `NotFoundError`, …), when there was one. */
	error?: string;
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

/** The DOM events of Luwte's elements and their details (see `dispatchLuwteEvent` for how they travel). */
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
	'luwte-participant-joined': LuwteParticipantDetail;
	'luwte-participant-left': LuwteParticipantDetail;
	'luwte-reconnecting': LuwteReconnectingDetail;
	'luwte-reconnected': LuwteReconnectedDetail;
	'luwte-recording-changed': LuwteRecordingChangedDetail;
	'luwte-audience-changed': LuwteAudienceChangedDetail;
	'luwte-device-problem': LuwteDeviceProblemDetail;
}

/** Every Luwte event as the DOM types it: `CustomEvent` with its detail. */
export type LuwteEventMap = { [K in keyof LuwteEventDetails]: CustomEvent<LuwteEventDetails[K]> };

/**
 * Dispatches one of Luwte's events from `target` (the element itself), typed by its name.
 *
 * They bubble, so a page may listen once on a container or `document` for all its elements (the
 * `luwte-` prefix keeps the names from clashing with anyone else's). They are composed, so a page
 * that puts the element inside its own component's shadow root still hears them outside it (the
 * target is then that component, as the DOM retargets). Nothing of the element's own shadow root
 * travels with them: they start at the element, and `detail` holds only pseudonymous IDs, roles
 * and states. Not cancelable: they tell what happened, nothing waits on the page's answer.
 */
export function dispatchLuwteEvent<K extends keyof LuwteEventDetails>(target: EventTarget, name: K, detail: LuwteEventDetails[K]): void {
	target.dispatchEvent(new CustomEvent(name, { detail, bubbles: true, composed: true }));
}

declare global {
	// Typed listeners: `el.addEventListener('luwte-participant-joined', (e) => e.detail.participantId)`.
	interface HTMLElementEventMap extends LuwteEventMap {}
	// They bubble to the document: `document.addEventListener('luwte-…', …)` is typed the same.
	interface DocumentEventMap extends LuwteEventMap {}
}
