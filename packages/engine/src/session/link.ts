import type { MediaSource } from './roles.ts';

/**
 * What a session held by several hosts of a cluster sends to the others itself (set by the
 * cluster; undefined on a single host). Arrivals, departures and producers travel through the
 * engine's events; these are the host controls and consent, which act on someone elsewhere.
 */
export interface SessionLink {
	/** A host here muted someone connected to another host: that host pauses their producers. */
	mute(home: string, participantId: string, source: Extract<MediaSource, 'microphone' | 'camera'>): void;
	spotlight(participantId: string | null): void;
	consent(participantId: string, consent: boolean, by: string): void;
}
