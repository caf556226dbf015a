import { messageOf } from '@luwte/errors';
import type { types } from 'mediasoup';
import { builtinProfiles, type StimulusProfile } from '../abr/profiles.ts';
import { EngineError } from '../errors.ts';
import type { LeaveReason } from '../events.ts';
import { defaultLogger, type Logger } from '../log/logger.ts';
import type { ParticipantNotification } from './notifications.ts';
import type { MediaSource, Role } from './roles.ts';

export type TransportDirection = 'send' | 'recv';

/** WebRTC for clients; plain RTP for server-side ends (recording, RTP ingest, benchmarks). */
export type MediaTransport = types.WebRtcTransport | types.PlainTransport;

export interface PlainTransportInfo {
	id: string;
	direction: TransportDirection;
	/** Where the engine listens for this transport's RTP (and RTCP when not muxed). */
	localIp: string;
	localPort: number;
	localRtcpPort: number | undefined;
}

export interface TransportInfo {
	id: string;
	direction: TransportDirection;
	iceParameters: types.IceParameters;
	iceCandidates: types.IceCandidate[];
	dtlsParameters: types.DtlsParameters;
}

/** Limits that keep one misbehaving client from exhausting a worker. */
export const participantLimits = { transports: 4 } as const;

/** Media state of one connection of one participant in a live session. */
export class Participant {
	readonly id: string;
	readonly role: Role;
	readonly connectionId: string;
	readonly joinedAt: number;
	readonly transports = new Map<string, { transport: MediaTransport; direction: TransportDirection }>();
	readonly producers = new Map<string, { producer: types.Producer; source: MediaSource }>();
	readonly consumers = new Map<string, types.Consumer>();
	rtpCapabilities: types.RtpCapabilities | undefined;
	/** How calm this participant's received video must be (set at join). */
	stimulusProfile: StimulusProfile = builtinProfiles.calm;
	closed = false;
	leaveReason: LeaveReason | undefined;
	/**
	 * Set for someone connected to another host of the cluster (that host's ID): known here for
	 * presence and routing, with the producers piped here; their own host counts their attendance.
	 */
	home: string | undefined;
	readonly #notify: (n: ParticipantNotification) => void;
	readonly #log: Logger;

	/** `log`: where a failing `notify` is reported. */
	constructor(id: string, role: Role, connectionId: string, notify: (n: ParticipantNotification) => void, log: Logger = defaultLogger()) {
		this.id = id;
		this.role = role;
		this.connectionId = connectionId;
		this.joinedAt = Date.now();
		this.#notify = notify;
		this.#log = log;
	}

	notify(n: ParticipantNotification): void {
		if (this.closed) return;
		try {
			this.#notify(n);
		} catch (err) {
			// A host's listener must never break routing for the others.
			this.#log.warn('participant.notify_failed', { participantId: this.id, notification: n.type, error: messageOf(err) });
		}
	}

	transport(id: string): { transport: MediaTransport; direction: TransportDirection } {
		const t = this.transports.get(id);
		if (!t) throw new EngineError('not_found', `transport ${id} not found`);
		return t;
	}

	/** The transport media is consumed on: the first receive transport. */
	get recvTransport(): MediaTransport | undefined {
		for (const t of this.transports.values()) if (t.direction === 'recv') return t.transport;
		return undefined;
	}

	get ready(): boolean {
		return !this.closed && this.rtpCapabilities !== undefined && this.recvTransport !== undefined;
	}

	/** Closes every transport (and with them producers and consumers). */
	close(reason: LeaveReason): void {
		if (this.closed) return;
		this.leaveReason = reason;
		this.closed = true;
		for (const { transport } of this.transports.values()) transport.close();
		this.transports.clear();
		this.producers.clear();
		this.consumers.clear();
	}
}
