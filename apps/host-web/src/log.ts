/**
 * The host logs through the engine's one logger (pino: one JSON line per entry on stderr, levels,
 * secrets and addresses redacted). Only pseudonymous IDs are logged: never names, tokens or API
 * keys (the fields passed are chosen with that in mind). The host hands the same logger to the
 * engine, the library and the recording service, so one level governs every line.
 */
export { createLogger, type Logger, type LogLevel } from '@luwte/engine/log';
