import type { types } from 'mediasoup';
import type { MediaSource, Role } from './roles.ts';

/** What the engine tells one connected participant; hosts forward these over their signalling. */
export type ParticipantNotification =
	| {
			type: 'newConsumer';
			consumerId: string;
			producerId: string;
			kind: 'audio' | 'video';
			rtpParameters: types.RtpParameters;
			participantId: string;
			role: Role;
			source: MediaSource;
			producerPaused: boolean;
	  }
	| { type: 'consumerClosed'; consumerId: string }
	| { type: 'consumerPaused'; consumerId: string }
	| { type: 'consumerResumed'; consumerId: string }
	| { type: 'participantJoined'; participantId: string; role: Role }
	| { type: 'participantLeft'; participantId: string; role: Role }
	/** Hosts only: how many viewers watch (viewers are never announced one by one); at most one a second. */
	| { type: 'audienceChanged'; viewers: number }
	| { type: 'sessionEnded'; reason: string }
	/** A host muted this participant's microphone or camera. */
	| { type: 'mutedByHost'; source: 'microphone' | 'camera' }
	/** Who is on everyone's stage now (null: the host, as usual). */
	| { type: 'spotlightChanged'; participantId: string | null }
	/**
	 * The session's recording state: whether it records, whether this participant's own tracks
	 * are recorded, their own consent, and (hosts only; empty for others) who is being recorded and
	 * who has consented.
	 */
	| { type: 'recordingChanged'; active: boolean; you: boolean; consent: boolean; recorded: string[]; consented: string[] }
	/** The engine dropped this connection (replaced by a newer one, or its media worker failed). */
	| { type: 'disconnected'; reason: 'replaced' | 'media-failure' | 'host-restart' }
	/** This overdue session ends at `endsAt` (ISO 8601): a quiet notice a few minutes before. */
	| { type: 'sessionEnding'; endsAt: string; reason: 'overdue' };
