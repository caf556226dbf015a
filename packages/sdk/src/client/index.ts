export { SessionClient, type SessionClientOptions, type SessionClientEvents, type RemoteTrack, type PublishOptions, type RecordingState, type WebRtcImplementation, type SessionClientState } from './session-client.ts';
export { SignalError } from './signal-channel.ts';
