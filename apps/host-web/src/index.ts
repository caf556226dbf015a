export { startHost, hostOptionsSchema, type Host, type HostOptions } from './host.ts';
export { createApp, createSessionBody, createTokenBody } from './http/app.ts';
export { createLogger, type Logger, type LogLevel } from './log.ts';
export { SIGNAL_PATH } from './signal/server.ts';
