import { randomUUID } from 'node:crypto';
import { builtinProfile, builtinProfiles, type StimulusProfile } from '../abr/profiles.ts';
import type { LeaveReason } from '../events.ts';
import type { Logger } from '../log/logger.ts';
import type { ActivityModule } from './activity.ts';
import { connectionGone } from './guards.ts';
import type { ParticipantNotification } from './notifications.ts';
import { Participant } from './participant.ts';
import type { Presence } from './presence.ts';
import type { RecordingControl } from './recording-control.ts';
import type { RemoteMembers } from './remote-members.ts';
import type { Role } from './roles.ts';
import type { SessionEvents } from './session-events.ts';
import type { SessionLifecycle } from './session-lifecycle.ts';

/**
 * The people of a session connected through this host: one connection per participant ID (a
 * second replaces the first, wherever the first is connected). Unlike `RemoteMembers`, their
 * arrivals and departures are engine events: the attendance ledger is written from them here.
 */
export class LocalMembers {
	readonly #session: { readonly module: ActivityModule | undefined };
	readonly #presence: Presence;
	readonly #remote: RemoteMembers;
	readonly #recording: RecordingControl;
	readonly #lifecycle: SessionLifecycle;
	readonly #events: SessionEvents;
	readonly #log: Logger;

	constructor(opts: {
		session: { readonly module: ActivityModule | undefined };
		presence: Presence;
		remote: RemoteMembers;
		recording: RecordingControl;
		lifecycle: SessionLifecycle;
		events: SessionEvents;
		log: Logger;
	}) {
		this.#session = opts.session;
		this.#presence = opts.presence;
		this.#remote = opts.remote;
		this.#recording = opts.recording;
		this.#lifecycle = opts.lifecycle;
		this.#events = opts.events;
		this.#log = opts.log;
	}

	/**
	 * Takes in a connection (the session checked it may join). `profile`: the stimulus profile resolved
	 * (the host resolves tenant profiles) or a built-in ID; an unknown ID falls back to calm, the safe side.
	 */
	join(
		participantId: string,
		role: Role,
		notify: (n: ParticipantNotification) => void,
		profile: StimulusProfile | string = 'calm',
	): Participant {
		const previous = this.#presence.get(participantId);
		// Back through this host after being connected to another (a reconnect through the load balancer).
		if (previous?.home !== undefined) this.#remote.drop(previous, 'replaced');
		else if (previous) this.disconnect(previous, 'replaced');
		const participant = new Participant(participantId, role, randomUUID(), notify, this.#log);
		participant.stimulusProfile = typeof profile === 'string' ? (builtinProfile(profile) ?? builtinProfiles.calm) : profile;
		this.#presence.add(participant);
		if (this.#lifecycle.arrived()) this.#events.emit('session.started', { module: this.#session.module });
		this.#events.emit('participant.joined', { participantId, role, connectionId: participant.connectionId });
		if (this.#recording.active) this.#recording.notify();
		this.#presence.announceJoined(participant);
		this.#lifecycle.tellEnding(participant);
		return participant;
	}

	/** The connection a request names, still held by the session (else `connectionGone`). */
	connection(participantId: string, connectionId: string): Participant {
		const p = this.#presence.get(participantId);
		if (!p || p.connectionId !== connectionId || p.closed) throw connectionGone();
		return p;
	}

	/** A participant leaves; a connection already closed or replaced has nothing left to leave. */
	leave(participant: Participant, reason: LeaveReason): void {
		if (participant.closed) return;
		if (!this.#presence.isCurrent(participant)) return;
		this.remove(participant, reason);
	}

	/** Disconnects someone, telling them why. */
	disconnect(p: Participant, reason: 'replaced' | 'media-failure' | 'host-restart'): void {
		p.notify({ type: 'disconnected', reason });
		this.remove(p, reason);
	}

	/** A worker died: under the origin it took everyone's media, under an edge router only that of those receiving on it. */
	mediaLost(lost: 'origin' | 'other'): void {
		for (const p of this.#presence.all()) {
			if (p.home !== undefined) continue;
			// Another worker took at most the media of those receiving on it (their transports closed with it).
			if (lost === 'other' && ![...p.transports.values()].some((t) => t.transport.closed)) continue;
			this.disconnect(p, 'media-failure');
		}
	}

	/** Takes someone out (already told why, if at all): their connection closes, the recorder and those who knew of them follow. */
	remove(participant: Participant, reason: LeaveReason): void {
		this.#presence.remove(participant, reason);
		participant.close(reason);
		this.#recording.sync(participant.id);
		this.#events.emit('participant.left', {
			participantId: participant.id,
			role: participant.role,
			connectionId: participant.connectionId,
			reason,
		});
		this.#presence.announceLeft(participant, reason);
		this.#lifecycle.left(this.#presence.all().length);
	}
}
