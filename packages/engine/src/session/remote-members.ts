import type { types } from 'mediasoup';
import type { LeaveReason } from '../events.ts';
import type { Logger } from '../log/logger.ts';
import type { SessionLink } from './link.ts';
import type { MediaRouting } from './media-routing.ts';
import { Participant } from './participant.ts';
import type { Presence } from './presence.ts';
import type { RecordingControl } from './recording-control.ts';
import type { MediaSource, Role } from './roles.ts';
import type { SessionLifecycle } from './session-lifecycle.ts';

/**
 * The people of a session connected through other hosts of the cluster (docs/scaling.md, "Across
 * hosts"): known here for presence and routing, their producers piped here when someone here
 * receives them. Their own host holds their connection and writes their attendance, so their
 * arrivals and departures are no engine events here. A `Participant` with `home` set is one of them.
 */
export class RemoteMembers {
	readonly #session: { readonly link: SessionLink | undefined };
	readonly #presence: Presence;
	readonly #media: MediaRouting;
	readonly #recording: RecordingControl;
	readonly #lifecycle: SessionLifecycle;
	readonly #log: Logger;
	/** Disconnects someone connected here whom a connection through another host replaces. */
	readonly #replaceLocal: (p: Participant) => void;

	constructor(opts: {
		session: { readonly link: SessionLink | undefined };
		presence: Presence;
		media: MediaRouting;
		recording: RecordingControl;
		lifecycle: SessionLifecycle;
		log: Logger;
		replaceLocal: (p: Participant) => void;
	}) {
		this.#session = opts.session;
		this.#presence = opts.presence;
		this.#media = opts.media;
		this.#recording = opts.recording;
		this.#lifecycle = opts.lifecycle;
		this.#log = opts.log;
		this.#replaceLocal = opts.replaceLocal;
	}

	/** Someone connected to another host arrived; a second arrival of the same ID (a reconnect through another host) replaces the first. */
	add(participantId: string, role: Role, home: string): void {
		if (this.#lifecycle.over) return;
		const previous = this.#presence.get(participantId);
		if (previous) {
			if (previous.home === home && previous.role === role && !previous.closed) return;
			// They moved to another host: a connection here is the stale one.
			if (previous.home === undefined) this.#replaceLocal(previous);
			else this.drop(previous, 'replaced');
		}
		// The last one here just moved away, so this host let the session go: nobody here to tell.
		if (!this.#session.link) return;
		const p = new Participant(participantId, role, `${home}:${participantId}`, () => undefined, this.#log);
		p.home = home;
		this.#presence.add(p);
		// Live elsewhere, so live here (the host that saw the first join stored and logged the start).
		this.#lifecycle.arrived();
		if (this.#recording.active) this.#recording.notify();
		this.#presence.announceJoined(p);
	}

	/** Someone connected to another host left. */
	remove(participantId: string, home: string): void {
		const p = this.#presence.get(participantId);
		if (p && p.home === home) this.drop(p, 'left');
	}

	/** Everyone connected to a host that is gone (undefined: to any other host, as this one lets the session go). */
	removeAllOf(home: string | undefined): void {
		for (const p of this.#presence.all()) {
			if (p.home !== undefined && (home === undefined || p.home === home)) this.drop(p, 'left');
		}
		if (home !== undefined) this.#presence.setViewersElsewhere(home, 0);
		else this.#presence.clearViewersElsewhere();
	}

	/** A producer of someone on another host, piped here: routed like a local one. */
	async addProducer(participantId: string, producer: types.Producer, source: MediaSource): Promise<void> {
		const p = this.get(participantId);
		if (!p || p.closed) {
			producer.close();
			return;
		}
		p.producers.set(producer.id, { producer, source });
		producer.observer.once('close', () => {
			p.producers.delete(producer.id);
			this.#recording.sync(p.id);
		});
		this.#recording.sync(p.id);
		await this.#media.producerAdded(p, producer, source);
	}

	/** Someone connected to another host (undefined: not known, or connected here). */
	get(participantId: string): Participant | undefined {
		const p = this.#presence.get(participantId);
		return p?.home !== undefined ? p : undefined;
	}

	/** Those connected here (not through another host), for the cluster's `state` answer. */
	local(): Participant[] {
		return this.#presence.all().filter((p) => p.home === undefined);
	}

	/** A producer of someone connected here (what another host may pull). */
	localProducer(producerId: string): { participant: Participant; producer: types.Producer; source: MediaSource } | undefined {
		for (const p of this.#presence.values()) {
			if (p.home !== undefined) continue;
			const entry = p.producers.get(producerId);
			if (entry) return { participant: p, ...entry };
		}
		return undefined;
	}

	/** How many watch through another host. */
	setViewersElsewhere(home: string, viewers: number): void {
		this.#presence.setViewersElsewhere(home, viewers);
	}

	/** How many viewers watch through this host. */
	get localViewers(): number {
		return this.#presence.localViewers;
	}

	/** The spotlight as a host of this session on another host of the cluster set it. */
	applySpotlight(participantId: string | null): void {
		if (participantId !== null && !this.#presence.get(participantId)) return;
		this.#presence.setSpotlight(participantId);
	}

	/** Consent set on another host of the cluster (recorded in the ledger there): a recorder here follows it. */
	applyConsent(participantId: string, consent: boolean, by: string): void {
		if (this.#lifecycle.over) return;
		this.#recording.setConsent(participantId, consent, by, { elsewhere: true });
	}

	/** Lets go of someone connected to another host: their piped producers close, those who knew of them are told. */
	drop(p: Participant, reason: LeaveReason): void {
		this.#presence.remove(p, reason);
		for (const { producer } of p.producers.values()) producer.close();
		p.close(reason);
		this.#recording.sync(p.id);
		this.#presence.announceLeft(p, reason);
		this.#lifecycle.left(this.#presence.all().length);
	}
}
