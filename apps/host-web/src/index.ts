export { startHost, hostOptionsSchema, type Host, type HostOptions } from './host.ts';
export { createApp } from './http/app.ts';
export { OriginPolicy } from './http/origins.ts';
export { createLogger, type Logger, type LogLevel } from './log.ts';
export { SIGNAL_PATH } from './signal/server.ts';
