export { SessionClient, type SessionClientState } from './session-client.ts';
export type { SessionClientOptions, WebRtcImplementation } from './session-client-options.ts';
export type { RemoteTrack, RecordingState, SessionClientEvents } from './session-events.ts';
export type { PublishOptions } from './publisher.ts';
export { layerBitrate, simulcastLadder, simulcastLayerCount, type LadderEncoding } from './simulcast-ladder.ts';
export { SignalError, type SignalErrorCode } from './signal-channel.ts';
export { notStartedOf, openingDelayMs, waitingForOpening, MAX_OPENING_WAIT_MS, type NotStarted } from './join-window.ts';
export {
	defaultReconnectPolicy,
	exponentialBackoff,
	type BackoffOptions,
	type ReconnectContext,
	type ReconnectPolicy,
} from './reconnect-policy.ts';
export type { ListenerErrorHandler } from './emitter.ts';
