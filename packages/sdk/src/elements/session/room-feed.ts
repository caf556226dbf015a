import type { ReactiveControllerHost } from 'lit';
import type { SessionClient } from '../../client/index.ts';
import type { Role } from '../../protocol/index.ts';
import { AudienceUi } from './audience-ui.ts';
import { PageEvents } from './page-events.ts';
import type { RecordingUi } from './recording-ui.ts';
import { Roster } from './roster.ts';

/** What `RoomFeed` needs of the element: its recording UI and its spotlight (both the element's own state). */
export interface RoomFeedOptions {
	recording(): RecordingUi;
	spotlight(participantId: string | null): void;
}

/**
 * The room as this person sees it and as the page hears of it: who is there with their tracks
 * (`roster`), a host's audience count (`audience`) and the element's events for the page
 * (`events`). `follow` hands a client's room events (people, tracks, spotlight, recording,
 * audience) to these parts and the element's; the client's lifecycle (reconnecting, ended,
 * disconnected) stays the element's.
 */
export class RoomFeed {
	readonly events: PageEvents;
	readonly roster: Roster;
	readonly audience: AudienceUi;
	readonly #opts: RoomFeedOptions;

	constructor(host: ReactiveControllerHost & EventTarget, opts: RoomFeedOptions) {
		this.events = new PageEvents(host);
		this.roster = new Roster(host);
		this.audience = new AudienceUi(host);
		this.#opts = opts;
	}

	/**
	 * Listens to a new client's room events. The roster, tracks and spotlight follow the client
	 * always; the page, the recording and the audience only while `mine()` (the element has not
	 * let go of this client). The page is told nothing until the client is in (`PageEvents.quiet`).
	 */
	follow(client: SessionClient, mine: () => boolean): void {
		const { roster, events } = this;
		events.quiet();
		client.on('participantJoined', (p) => {
			roster.upsert(p.participantId, p.role);
			if (mine()) events.arrived(p);
		});
		client.on('participantLeft', (p) => {
			roster.remove(p.participantId);
			if (mine()) events.left(p);
		});
		client.on('audienceChanged', ({ viewers }) => {
			if (!mine()) return;
			this.audience.set(viewers);
			if (client.role === 'host') events.audience(viewers);
		});
		client.on('track', (t) => roster.addTrack(t));
		client.on('trackEnded', (t) => roster.endTrack(t.participantId, t.source));
		client.on('trackPaused', (t) => roster.setPaused(t.participantId, t.source, true));
		client.on('trackResumed', (t) => roster.setPaused(t.participantId, t.source, false));
		client.on('spotlightChanged', ({ participantId }) => this.#opts.spotlight(participantId));
		client.on('recordingChanged', (r) => {
			if (!mine()) return;
			this.#opts.recording().changed(r);
			events.recording(r);
		});
	}

	/** What a (re)joined client knows of the room: the spotlight, the recording, who is there. */
	enter(client: SessionClient, peers: { participantId: string; role: Role }[]): void {
		this.#opts.spotlight(client.spotlight);
		this.#opts.recording().changed(client.recording);
		for (const peer of peers) this.roster.upsert(peer.participantId, peer.role);
	}
}
