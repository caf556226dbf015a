import type { RecordingState } from '../../client/index.ts';
import { NOT_RECORDING as CLIENT_NOT_RECORDING } from '../../client/session-events.ts';
import type { Role } from '../../protocol/index.ts';
import { dispatchLuwteEvent, type LuwtePeer, type LuwteRecordingField } from '../events.ts';
import type { DeviceProblemReport } from './device-problems.ts';

const NOT_RECORDING: RecordingState = { active: false, you: false, consent: false, recorded: [], consented: [] };
const FIELDS: readonly LuwteRecordingField[] = ['active', 'you', 'consent', 'recorded', 'consented'];

type Peer = { participantId: string; role: Role };

/** What a (re)joined `SessionClient` knows of the room at that moment. */
export interface RoomView {
	/** The client's own "not recording" object until the server says otherwise. */
	recording: RecordingState;
	role: Role | undefined;
	audience: number;
}

/** Which recording fields differ (the lists compared in order, as the server sends them). */
export function recordingChanges(prev: RecordingState, next: RecordingState): LuwteRecordingField[] {
	return FIELDS.filter((f) => {
		const a = prev[f];
		const b = next[f];
		return Array.isArray(a) && Array.isArray(b) ? a.join('\n') !== b.join('\n') : a !== b;
	});
}

/** A peer the page may be told of: never a viewer (an older server still announced them to hosts). */
function knownPeer(p: Peer): LuwtePeer | undefined {
	return p.role === 'viewer' ? undefined : { participantId: p.participantId, role: p.role };
}

/**
 * What `<luwte-session>` tells the embedding page beyond its own states: who comes and goes (as
 * this person may know of them), the recording, (hosts) the audience count, and devices that
 * cannot be used. It keeps what it
 * told, so a repeat says nothing and a rejoin after a lost connection tells only what changed
 * meanwhile. Events go to `target`, the element.
 *
 * While (re)joining it stays quiet: the server's peer list comes with the join's answer, and
 * arrivals and departures after it may be handled before the element has that answer; they are
 * kept and applied to the list once it is there (`joined`, `reconnected`).
 */
export class PageEvents {
	readonly #target: EventTarget;
	/** Who the page was told is here. */
	readonly #told = new Map<string, LuwtePeer>();
	/** While (re)joining: arrivals and departures the server told before the peer list was in hand. */
	#pending: { arrived: Map<string, LuwtePeer>; departed: Set<string> } | undefined;
	#recording: RecordingState = NOT_RECORDING;
	#audience: number | undefined;

	constructor(target: EventTarget) {
		this.#target = target;
	}

	/** A try to get (back) in starts: nothing is told until it is in. */
	quiet(): void {
		this.#pending = { arrived: new Map(), departed: new Set() };
	}

	/**
	 * In the room: `luwte-joined`, with those already there (they are not told one by one); then
	 * the recording and (hosts) the audience as `room` has them.
	 */
	joined(joined: { participantId: string; role: Role; peers: readonly Peer[] }, room?: RoomView): void {
		const peers = this.#settle(joined.peers);
		this.#told.clear();
		for (const p of peers) this.#told.set(p.participantId, p);
		this.#recording = NOT_RECORDING;
		this.#audience = undefined;
		dispatchLuwteEvent(this.#target, 'luwte-joined', { participantId: joined.participantId, role: joined.role, peers });
		if (room) this.#room(room);
	}

	/** The connection is lost and the client tries again; who was there stays known meanwhile. */
	reconnecting(detail: { attempt: number; delayMs: number; reason: string; code?: string | undefined }): void {
		this.quiet();
		const { code, ...rest } = detail;
		dispatchLuwteEvent(this.#target, 'luwte-reconnecting', { ...rest, ...(code ? { code } : {}) });
	}

	/**
	 * Back in after a lost connection: `luwte-reconnected`, then whoever left meanwhile as left and
	 * whoever came as joined, so a list kept from these events is right again.
	 */
	reconnected(back: { attempt: number; participantId: string; role: Role; peers: readonly Peer[] }, room?: RoomView): void {
		const peers = this.#settle(back.peers);
		const present = new Set(peers.map((p) => p.participantId));
		dispatchLuwteEvent(this.#target, 'luwte-reconnected', {
			attempt: back.attempt,
			participantId: back.participantId,
			role: back.role,
			peers,
		});
		for (const p of [...this.#told.values()]) if (!present.has(p.participantId)) this.left(p);
		for (const p of peers) this.arrived(p);
		if (room) this.#room(room);
	}

	/** Someone arrived (`participantJoined`); a viewer, or one already told of, says nothing. */
	arrived(p: Peer): void {
		const peer = knownPeer(p);
		if (!peer) return;
		if (this.#pending) {
			this.#pending.arrived.set(peer.participantId, peer);
			this.#pending.departed.delete(peer.participantId);
			return;
		}
		if (this.#told.has(peer.participantId)) return;
		this.#told.set(peer.participantId, peer);
		dispatchLuwteEvent(this.#target, 'luwte-participant-joined', peer);
	}

	/** Someone left (`participantLeft`); told only of those the page was told had come. */
	left(p: { participantId: string }): void {
		if (this.#pending) {
			this.#pending.arrived.delete(p.participantId);
			this.#pending.departed.add(p.participantId);
			return;
		}
		const peer = this.#told.get(p.participantId);
		if (!peer) return;
		this.#told.delete(p.participantId);
		dispatchLuwteEvent(this.#target, 'luwte-participant-left', peer);
	}

	/** The recording state the element shows now; told only when something in it changed (not while joining). */
	recording(next: RecordingState): void {
		if (this.#pending) return;
		const changed = recordingChanges(this.#recording, next);
		this.#recording = next;
		if (changed.length === 0) return;
		dispatchLuwteEvent(this.#target, 'luwte-recording-changed', {
			active: next.active,
			you: next.you,
			consent: next.consent,
			recorded: [...next.recorded],
			consented: [...next.consented],
			changed,
		});
	}

	/**
	 * The recording as a (re)joined client knows it: `undefined` when the server said nothing,
	 * which it does when nothing is recorded (a recording that stopped while this client was away
	 * included). That silence says "not recording" and nothing about consent, so the consent the
	 * page was told stays as it was.
	 */
	entered(recording: RecordingState | undefined): void {
		this.recording(recording ?? { ...this.#recording, active: false, you: false, recorded: [] });
	}

	/** Hosts: the audience count; the first one is told (also 0), later ones when it changes. */
	audience(viewers: number): void {
		if (this.#pending || viewers === this.#audience) return;
		this.#audience = viewers;
		dispatchLuwteEvent(this.#target, 'luwte-audience-changed', { viewers });
	}

	/** A camera or microphone cannot be used: told at once, also while (re)joining, which goes on without it. */
	deviceProblem(p: DeviceProblemReport, during: 'check' | 'session'): void {
		dispatchLuwteEvent(this.#target, 'luwte-device-problem', { ...p, during });
	}

	/** Out of the session (left, ended, failed): nothing is told for that; the next join starts afresh. */
	reset(): void {
		this.#told.clear();
		this.#pending = undefined;
		this.#recording = NOT_RECORDING;
		this.#audience = undefined;
	}

	/** What the page is told of the room after (re)joining: the recording, and a host's audience. */
	#room(room: RoomView): void {
		// The client's own "not recording" object: the server said nothing.
		this.entered(room.recording === CLIENT_NOT_RECORDING ? undefined : room.recording);
		if (room.role === 'host') this.audience(room.audience);
	}

	/** The server's peer list with what it told since, applied; the quiet ends. */
	#settle(snapshot: readonly Peer[]): LuwtePeer[] {
		const pending = this.#pending;
		this.#pending = undefined;
		const peers = new Map<string, LuwtePeer>();
		for (const p of snapshot) {
			const peer = knownPeer(p);
			if (peer && !pending?.departed.has(peer.participantId)) peers.set(peer.participantId, peer);
		}
		for (const [id, p] of pending?.arrived ?? []) peers.set(id, p);
		return [...peers.values()];
	}
}
