import type { types as msc } from 'mediasoup-client';
import type { ListenerErrorHandler } from './emitter.ts';
import type { ReconnectPolicy } from './reconnect-policy.ts';

/** The WebRTC classes to use where the runtime has none of its own (Node: e.g. @roamhq/wrtc). */
export interface WebRtcImplementation {
	RTCPeerConnection: unknown;
	RTCSessionDescription?: unknown;
	RTCIceCandidate?: unknown;
	MediaStream?: unknown;
	MediaStreamTrack?: unknown;
}

export interface SessionClientOptions {
	/** Base URL of the Luwte host, e.g. https://luwte.example.nl */
	server: string;
	/** WebRTC classes for runtimes without them (Node). Browsers need nothing. */
	webrtc?: WebRtcImplementation;
	/** mediasoup-client handler; detected in browsers, `Chrome111` where `webrtc` is given. */
	handlerName?: msc.BuiltinHandlerName;
	requestTimeoutMs?: number;
	/**
	 * Rejoin by itself after a lost connection (network loss, a media worker or host restart),
	 * with the same token, publishing the same tracks again: `true` for `defaultReconnectPolicy`
	 * (jittered exponential backoff, for up to five minutes), a policy of one's own, or `false`
	 * (the default): `disconnected` at once, and the caller decides.
	 */
	reconnect?: boolean | ReconnectPolicy;
	/** Where errors thrown by event listeners go (default: console.error); the client carries on. */
	onListenerError?: ListenerErrorHandler;
}

/** Makes WebRTC classes global where the runtime lacks them, as mediasoup-client's handlers expect. */
export function installWebRtc(impl: WebRtcImplementation): void {
	const g = globalThis as Record<string, unknown>;
	for (const [name, value] of Object.entries(impl)) if (value && g[name] === undefined) g[name] = value;
}
