import type { LeaveReason } from '../events.ts';
import { Audience } from './audience.ts';
import { notInSession } from './guards.ts';
import type { ParticipantNotification } from './notifications.ts';
import type { Participant } from './participant.ts';
import { knowsOf, type Role, type RoutingPolicy } from './roles.ts';

/**
 * Who is in a session and who is told about whom: one connection per participant ID, arrivals
 * and departures told only to those who may know of the person (`knowsOf`), and the spotlight.
 * Viewers are never announced: hosts get their number (`Audience`).
 */
export class Presence {
	readonly #policy: RoutingPolicy;
	readonly #participants = new Map<string, Participant>();
	#spotlight: string | null = null;
	readonly #audience: Audience;

	constructor(policy: RoutingPolicy) {
		this.#policy = policy;
		this.#audience = new Audience(() => this.#hosts());
	}

	/** How many viewers watch now (on every host of the cluster). */
	get viewers(): number {
		return this.#audience.viewers;
	}

	/** How many viewers watch through this host. */
	get localViewers(): number {
		return this.#audience.local;
	}

	/** Viewers of another host of the cluster: only their number travels. */
	setViewersElsewhere(hostId: string, viewers: number): void {
		this.#audience.setElsewhere(hostId, viewers);
	}

	clearViewersElsewhere(): void {
		this.#audience.clearElsewhere();
	}

	get(participantId: string): Participant | undefined {
		return this.#participants.get(participantId);
	}

	/** Like `get`, but someone who is not here is an error. */
	require(participantId: string): Participant {
		const p = this.#participants.get(participantId);
		if (!p) throw notInSession(participantId);
		return p;
	}

	/** Everyone here, live: who joins or leaves while this is walked is seen or skipped. */
	values(): IterableIterator<Participant> {
		return this.#participants.values();
	}

	/** Everyone here now, as a copy (safe to remove from while walking it). */
	all(): Participant[] {
		return [...this.#participants.values()];
	}

	/** Whether this connection is the one the session holds for its participant ID. */
	isCurrent(participant: Participant): boolean {
		return this.#participants.get(participant.id) === participant;
	}

	get spotlight(): string | null {
		return this.#spotlight;
	}

	/** Takes in a new connection (the previous one of the same ID must be removed first). */
	add(participant: Participant): void {
		this.#participants.set(participant.id, participant);
		if (participant.role === 'viewer') this.#audience.changed(1);
	}

	/** Tells those who may know of the newcomer that they arrived. */
	announceJoined(participant: Participant): void {
		for (const other of this.#participants.values()) {
			if (other !== participant && knowsOf(other.role, participant.role, this.#policy)) {
				other.notify({ type: 'participantJoined', participantId: participant.id, role: participant.role });
			}
		}
		if (participant.role === 'host') this.#audience.greet(participant);
	}

	/** Takes a connection out; the spotlight leaves with its person (not with a replaced connection). */
	remove(participant: Participant, reason: LeaveReason): void {
		if (this.#participants.get(participant.id) === participant) {
			this.#participants.delete(participant.id);
			if (participant.role === 'viewer') this.#audience.changed(-1);
		}
		if (this.#spotlight === participant.id && reason !== 'replaced') {
			this.#spotlight = null;
			this.notifyAll({ type: 'spotlightChanged', participantId: null });
		}
	}

	/** Tells those who knew of someone that they left (a replaced connection did not leave). */
	announceLeft(participant: Participant, reason: LeaveReason): void {
		if (reason === 'replaced') return;
		for (const other of this.#participants.values()) {
			if (knowsOf(other.role, participant.role, this.#policy)) {
				other.notify({ type: 'participantLeft', participantId: participant.id, role: participant.role });
			}
		}
	}

	/** Who else is here, as this participant may know it. */
	peersOf(participant: Participant): { participantId: string; role: Role }[] {
		return [...this.#participants.values()]
			.filter((p) => p !== participant && knowsOf(participant.role, p.role, this.#policy))
			.map((p) => ({ participantId: p.id, role: p.role }));
	}

	/** Puts one participant on everyone's stage, or nobody (null). */
	setSpotlight(participantId: string | null): void {
		if (participantId !== null && !this.#participants.has(participantId)) throw notInSession(participantId);
		this.#spotlight = participantId;
		this.notifyAll({ type: 'spotlightChanged', participantId });
	}

	*#hosts(): Generator<Participant> {
		for (const p of this.#participants.values()) if (p.role === 'host' && p.home === undefined) yield p;
	}

	notifyAll(n: ParticipantNotification): void {
		for (const p of this.#participants.values()) p.notify(n);
	}
}
