/**
 * `@luwte/engine`: createEngine, the Engine, its config, errors and events. Each concern has its
 * own entry point: `@luwte/engine/session` (roles, activities, Session), `/abr`, `/recording`,
 * `/library`, `/attendance`, `/auth`, `/log`, `/errors`.
 */
export { createEngine, Engine, createSessionSchema, type CreateSessionOptions, type EngineHealth, type EngineOptions } from './engine.ts';
export { parseEngineConfig, engineConfigSchema, type EngineConfig, type EngineConfigInput } from './config.ts';
export { EngineError, isEngineError, type EngineErrorCode } from './errors.ts';
export { TypedEmitter, type EngineEvents, type EngineEventName, type LeaveReason, type SessionEndReason } from './events.ts';
export { routerMediaCodecs } from './media/codecs.ts';
export { turnCredentials, turnConfigSchema, type TurnConfig, type TurnConfigInput, type IceServer } from './media/turn.ts';
export type { WorkerSlot } from './media/worker-pool.ts';
export type { types as MediaTypes } from 'mediasoup';
