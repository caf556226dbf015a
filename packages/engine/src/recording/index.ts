/**
 * `@luwte/engine/recording`: what a session recording writes (manifest), the ffmpeg it needs, the
 * post-processing into one library item, and the service that runs it after each recording.
 * Starting and stopping a recording is on the `Session` (`@luwte/engine/session`).
 */
export { recordingManifestSchema, recordedPartSchema, type RecordingManifest, type RecordedPart, type RecordedStream } from './manifest.ts';
export { resolveFfmpeg, runTool, type FfmpegTools } from './ffmpeg.ts';
export type { SessionRecorder } from './session-recorder.ts';
export { RecordingService, type RecordingRecord, type RecordingState } from './recording-service.ts';
export * from './postprocess/index.ts';
