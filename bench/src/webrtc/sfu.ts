/**
 * What the WebRTC fan-out bench needs of a media server: start it pinned to a core, publish one
 * camera and microphone, add subscribers, say which processes are the server, stop. Every server
 * is driven by the same client stack (@roamhq/wrtc: libwebrtc with DTLS, SRTP, RTCP feedback,
 * transport-cc), so the clients' cost is the same and only the servers' differ.
 */
/**
 * What each server lets the publisher send (REMB or transport-cc feedback): Janus' room bitrate,
 * mediasoup's setMaxIncomingBitrate, `luwte serve --max-incoming-kbps`. The same for all three, so
 * the subscribers receive about the same bitrate from each.
 */
export const publisherCapBps = 1_000_000;

import type wrtcModule from '@roamhq/wrtc';
import { countersOf } from '../../../apps/host-cli/src/load/rtc-stats.ts';

export interface Subscriber {
	/** The receiving peer connection's statistics (inbound-rtp entries are read). */
	stats(): Promise<RTCStatsReport | undefined>;
	close(): void;
}

export interface Sfu {
	/** `luwte`, `mediasoup` or `janus`. */
	readonly name: string;
	readonly version: string;
	/** Processes whose CPU is the server's (read again at each window: workers may come later). */
	serverPids(): number[];
	/** Of those, the media workers alone (Luwte: its mediasoup worker; the others: all of the server). */
	workerPids(): number[];
	publish(tracks: { camera: MediaStreamTrack; microphone: MediaStreamTrack }): Promise<void>;
	subscribe(): Promise<Subscriber>;
	stop(): Promise<void>;
}

/** Received bytes, packets and losses of a report's media streams (the load-test's reading: mediasoup's probation stream left out). */
export function inboundOf(report: RTCStatsReport | undefined): { bytes: number; packets: number; lost: number; videoPackets: number } {
	const c = countersOf(report, 'in');
	return { bytes: c.bytes, packets: c.audioPackets + c.videoPackets, lost: c.packetsLost, videoPackets: c.videoPackets };
}

export const webrtcOf = (wrtc: typeof wrtcModule) => ({
	RTCPeerConnection: wrtc.RTCPeerConnection,
	RTCSessionDescription: wrtc.RTCSessionDescription,
	RTCIceCandidate: wrtc.RTCIceCandidate,
	MediaStream: wrtc.MediaStream,
	MediaStreamTrack: wrtc.MediaStreamTrack,
});
