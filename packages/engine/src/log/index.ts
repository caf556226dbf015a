/** `@luwte/engine/log`: the engine's logger (JSON lines, pseudonymous fields only); hosts may pass their own to `createEngine`. */
export { createLogger, childLogger, redactedKeys, type Logger, type LogLevel, type LogFields } from './logger.ts';
