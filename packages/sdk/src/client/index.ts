export {
	SessionClient,
	type SessionClientOptions,
	type SessionClientEvents,
	type RemoteTrack,
	type PublishOptions,
	type RecordingState,
	type WebRtcImplementation,
	type SessionClientState,
} from './session-client.ts';
export { SignalError, type SignalErrorCode } from './signal-channel.ts';
export { defaultReconnectPolicy, exponentialBackoff, type BackoffOptions, type ReconnectContext, type ReconnectPolicy } from './reconnect-policy.ts';
export type { ListenerErrorHandler } from './emitter.ts';
