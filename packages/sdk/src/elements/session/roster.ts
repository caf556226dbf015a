import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { MediaSource, Role } from '../../protocol/index.ts';
import type { RemoteTrack } from '../../client/index.ts';
import type { Texts } from '../i18n.ts';
import { SpeakingDetector } from '../speaking-detector.ts';

/** Someone else in the room, as the tiles show them. */
export interface Member {
	participantId: string;
	role: Role;
	/** Position in the grid, fixed at first sight: tiles never reorder. */
	order: number;
	video: MediaStreamTrack | undefined;
	screen: MediaStreamTrack | undefined;
	audio: MediaStreamTrack | undefined;
	videoPaused: boolean;
	audioPaused: boolean;
	speaking: boolean;
}

/** How a tile names someone: never by their pseudonymous ID. `index` counts the participants. */
export function memberLabel(t: Texts, m: Member, index: number): string {
	if (m.role === 'host') return t.leader;
	if (m.role === 'location') return t.location;
	return `${t.participant} ${index + 1}`;
}

/**
 * The others in the room, their tracks, and who is speaking (one calm detector per audio track).
 * Everything stops when the element leaves the page.
 */
export class Roster implements ReactiveController {
	readonly #host: ReactiveControllerHost;
	readonly #members = new Map<string, Member>();
	readonly #detectors = new Map<string, SpeakingDetector>();
	readonly #streams = new WeakMap<MediaStreamTrack, MediaStream>();
	#order = 0;

	constructor(host: ReactiveControllerHost) {
		this.#host = host;
		host.addController(this);
	}

	/** In the order they were first seen. */
	get members(): Member[] {
		return [...this.#members.values()].sort((a, b) => a.order - b.order);
	}

	hostDisconnected(): void {
		this.#stopDetectors();
	}

	upsert(participantId: string, role: Role): void {
		// Viewers are an audience, not people in the room (a server of before the audience count still announced them to hosts).
		if (role === 'viewer' || this.#members.has(participantId)) return;
		this.#members.set(participantId, {
			participantId,
			role,
			order: this.#order++,
			video: undefined,
			screen: undefined,
			audio: undefined,
			videoPaused: false,
			audioPaused: false,
			speaking: false,
		});
		this.#host.requestUpdate();
	}

	patch(participantId: string, patch: Partial<Member>): void {
		const m = this.#members.get(participantId);
		if (!m) return;
		this.#members.set(participantId, { ...m, ...patch });
		this.#host.requestUpdate();
	}

	remove(participantId: string): void {
		this.#detectors.get(participantId)?.stop();
		this.#detectors.delete(participantId);
		this.#members.delete(participantId);
		this.#host.requestUpdate();
	}

	/** Nobody else (left, or the connection is being rebuilt). */
	clear(): void {
		this.#stopDetectors();
		this.#members.clear();
		this.#host.requestUpdate();
	}

	/** A remote track arrived: its tile shows it; audio also drives the speaking indicator. */
	addTrack(t: RemoteTrack): void {
		this.upsert(t.participantId, t.role);
		if (t.kind === 'audio') {
			this.patch(t.participantId, { audio: t.track, audioPaused: t.paused });
			this.#detectors.get(t.participantId)?.stop();
			try {
				this.#detectors.set(
					t.participantId,
					new SpeakingDetector(t.track, (speaking) => this.patch(t.participantId, { speaking })),
				);
			} catch {
				// No Web Audio: the indicator stays off, the sound still plays.
			}
		} else if (t.source === 'camera') {
			this.patch(t.participantId, { video: t.track, videoPaused: t.paused });
		} else {
			this.patch(t.participantId, { screen: t.track });
		}
	}

	endTrack(participantId: string, source: MediaSource): void {
		const gone: Record<MediaSource, Partial<Member>> = {
			microphone: { audio: undefined },
			screen: { screen: undefined },
			camera: { video: undefined },
		};
		this.patch(participantId, gone[source]);
	}

	setPaused(participantId: string, source: MediaSource, paused: boolean): void {
		this.patch(participantId, source === 'microphone' ? { audioPaused: paused } : { videoPaused: paused });
	}

	/** The stream to bind to a <video>/<audio> by track ID; one per track, so rebinding is a no-op. */
	streamById(id: string): MediaStream | undefined {
		for (const m of this.#members.values()) {
			for (const track of [m.video, m.screen, m.audio]) if (track?.id === id) return this.#streamOf(track);
		}
		return undefined;
	}

	#streamOf(track: MediaStreamTrack): MediaStream {
		let s = this.#streams.get(track);
		if (!s) {
			s = new MediaStream([track]);
			this.#streams.set(track, s);
		}
		return s;
	}

	#stopDetectors(): void {
		for (const d of this.#detectors.values()) d.stop();
		this.#detectors.clear();
	}
}
