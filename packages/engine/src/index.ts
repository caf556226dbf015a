/**
 * `@luwte/engine`: createEngine, the Engine, its config, errors and events. Each concern also has
 * its own entry point (`@luwte/engine/abr`, `/attendance`, `/recording`, `/library`, `/auth`,
 * `/session`, `/log`, `/errors`); this one still re-exports them all while import sites move.
 */
export { createEngine, Engine, createSessionSchema, type CreateSessionOptions, type EngineHealth, type EngineOptions } from './engine.ts';
export { parseEngineConfig, engineConfigSchema, type EngineConfig, type EngineConfigInput } from './config.ts';
export { EngineError, isEngineError, type EngineErrorCode } from './errors.ts';
export { createLogger, type Logger, type LogLevel, type LogFields } from './log/logger.ts';
export { TypedEmitter, type EngineEvents, type EngineEventName, type LeaveReason, type SessionEndReason } from './events.ts';
export { routes, knowsOf, canPublish, roles, mediaSources, type Role, type MediaSource, type RoutingPolicy } from './session/roles.ts';
export { Session, type SessionInfo, type SessionOptions, type SessionState, type ProducerStats } from './session/session.ts';
export {
	Participant,
	type TransportInfo,
	type TransportDirection,
	type PlainTransportInfo,
	type MediaTransport,
} from './session/participant.ts';
export type { ParticipantNotification } from './session/notifications.ts';
export { routerMediaCodecs } from './media/codecs.ts';
export type { WorkerSlot } from './media/worker-pool.ts';
export { TenantRegistry, tenantSchema, hashApiKey, newApiKey, newTokenSecret, type Tenant } from './auth/tenants.ts';
export { issueJoinToken, verifyJoinToken, type JoinGrant } from './auth/join-token.ts';
export type { types as MediaTypes } from 'mediasoup';
export {
	activityModules,
	moduleLabels,
	offerKinds,
	scheduleSchema,
	type ActivityModule,
	type OfferKind,
	type Schedule,
} from './session/activity.ts';
export * from './abr/index.ts';
export {
	recordingManifestSchema,
	recordedPartSchema,
	type RecordingManifest,
	type RecordedPart,
	type RecordedStream,
} from './recording/manifest.ts';
export { resolveFfmpeg, runTool, type FfmpegTools } from './recording/ffmpeg.ts';
export type { SessionRecorder } from './recording/session-recorder.ts';
export type { ConsentRecord, RecordingStatus } from './session/session.ts';
export * from './recording/library/index.ts';
export {
	AttendanceLog,
	attendanceEventSchema,
	type AttendanceEvent,
	type AttendanceEventInput,
	type AppendResult,
	type JsonValue,
} from './attendance/event-log.ts';
export { attendanceEventInputSchema, type LedgerStore, type ReplayFilter } from './attendance/store.ts';
export { RedisLedgerStore, type RedisLedgerStoreOptions } from './attendance/redis-store.ts';
export { LedgerWriter, type LedgerWriterOptions } from './attendance/ledger-writer.ts';
export { issueLibraryToken, verifyLibraryToken, mediaSignature, verifyMediaSignature, type LibraryGrant } from './auth/library-token.ts';
export * from './recording/postprocess/index.ts';
export { RecordingService, type RecordingRecord, type RecordingState } from './recording/recording-service.ts';
export * from './attendance/derivations.ts';
