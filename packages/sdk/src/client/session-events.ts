import type { MediaSource, Role } from '../protocol/index.ts';
import type { SignalError } from './signal-channel.ts';

export interface RemoteTrack {
	consumerId: string;
	participantId: string;
	role: Role;
	source: MediaSource;
	kind: 'audio' | 'video';
	track: MediaStreamTrack;
	/** The sender has muted it (its camera or microphone is off). */
	paused: boolean;
}

export interface SessionClientEvents {
	track: RemoteTrack;
	trackEnded: { consumerId: string; participantId: string; source: MediaSource };
	trackPaused: { consumerId: string; participantId: string; source: MediaSource };
	trackResumed: { consumerId: string; participantId: string; source: MediaSource };
	participantJoined: { participantId: string; role: Role };
	participantLeft: { participantId: string; role: Role };
	/** Hosts only: how many viewers watch now (see `audience`); at most once a second. */
	audienceChanged: { viewers: number };
	/**
	 * The session is over: `reason` `ended` (by a host or the API), `idle` (empty too long),
	 * `overdue` (past its end), `cancelled` or `engine-closed`. The client is closed.
	 */
	sessionEnded: { reason: string };
	/** A quiet notice: the session will end at `endsAt` (ISO 8601) because it is past its planned end. */
	sessionEnding: { endsAt: string; reason: 'overdue' };
	/**
	 * A track this client publishes ended by itself: its camera or microphone was unplugged, the
	 * permission taken back, or the driver gave up (a track the caller stops does not count). Others
	 * see and hear nothing of that source until the caller publishes a new track (`unpublish` it,
	 * then `publish`). The client never asks for devices itself: a refused or missing camera is the
	 * caller's `getUserMedia` error (`<luwte-session>` reports it as `luwte-device-problem`).
	 */
	localTrackEnded: { source: MediaSource; kind: 'audio' | 'video' };
	/** A host muted this client's microphone or camera (the client may unmute again). */
	mutedByHost: { source: 'microphone' | 'camera' };
	/** Who is on everyone's stage now; null: the host, as usual. */
	spotlightChanged: { participantId: string | null };
	/** The recording state changed (see `recording`). */
	recordingChanged: RecordingState;
	/**
	 * The connection was lost (`reason`: e.g. `host-restart`, `media-failure`, or how the socket
	 * closed); the client waits `delayMs` and then makes attempt number `attempt` (1, 2, …) to
	 * rejoin. Only with `reconnect` on. Remote tracks of before are gone. `error`: why the previous
	 * attempt failed; with `not_started` (the session was moved to later) the client waits for the
	 * join window (its `details` say when) and does not give up.
	 */
	reconnecting: { attempt: number; delayMs: number; reason: string; error?: SignalError };
	/** Back in the session after `attempt` attempts, with the same tracks published as before. */
	reconnected: { attempt: number; participantId: string; role: Role; peers: { participantId: string; role: Role }[] };
	/**
	 * The connection ended without `leave()` and is not coming back: network loss or server
	 * failure (with `reconnect`: after the policy gave up, or a failure no retry mends, in
	 * `error`: `not_found`, `session_ended`, `session_cancelled`, `unauthorized`,
	 * `origin_not_allowed`), or `replaced` by another tab.
	 */
	disconnected: { reason: string; error?: SignalError };
}

/** Whether the session is recorded, and whether this client is in the recording. */
export interface RecordingState {
	active: boolean;
	/** This client's own tracks are being written now. */
	you: boolean;
	/** This client's own consent (hosts are recorded without asking). */
	consent: boolean;
	/** Hosts only: who is being written now; empty for others. */
	recorded: string[];
	/** Hosts only: who has consented to being recorded (present or not); empty for others. */
	consented: string[];
}

/** Until the server says otherwise. */
export const NOT_RECORDING: RecordingState = { active: false, you: false, consent: false, recorded: [], consented: [] };
