import pino from 'pino';

/**
 * The engine's one logger: one JSON line per entry (`level`, `time`, `event`, then the fields),
 * built on pino. Hosts pass their own (or this one at their level) to `createEngine`.
 *
 * Pseudonymous fields only. Log IDs (tenant, session, participant, recording, item), counts,
 * states and error messages; never names, tokens, keys or addresses. As a safety net, fields whose
 * key names a secret or an address (see `redactedKeys`), at the top level or one level down,
 * are written as `[redacted]` whatever their value.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

export type LogFields = Record<string, unknown>;

export interface Logger {
	debug(event: string, fields?: LogFields): void;
	info(event: string, fields?: LogFields): void;
	warn(event: string, fields?: LogFields): void;
	error(event: string, fields?: LogFields): void;
	/** A logger that adds `bindings` to every entry (e.g. `{ sessionId }`). */
	child?(bindings: LogFields): Logger;
}

/** Keys whose values never reach a log line: credentials, and where someone connects from. */
export const redactedKeys = [
	'token',
	'accessToken',
	'joinToken',
	'apiKey',
	'operatorKey',
	'tokenSecret',
	'authorization',
	'Authorization',
	'cookie',
	'password',
	'secret',
	'ip',
	'address',
	'remoteAddress',
	'remoteIp',
	'localAddress',
	'announcedAddress',
] as const;

const redactPaths = redactedKeys.flatMap((k) => [k, `*.${k}`]);

export function createLogger(level: LogLevel = 'info', write?: (line: string) => void): Logger {
	const destination = write ? { write } : pino.destination({ fd: 2, sync: true });
	const base = pino(
		{
			level,
			base: null,
			timestamp: pino.stdTimeFunctions.isoTime,
			formatters: { level: (label) => ({ level: label }) },
			redact: { paths: redactPaths, censor: '[redacted]' },
		},
		destination,
	);
	return wrap(base);
}

function wrap(p: pino.Logger): Logger {
	// The event first, after level and time (and a child's bindings); a field named `event` cannot replace it.
	const entry = (event: string, fields: LogFields | undefined) => Object.assign({ event }, fields, { event });
	return {
		debug: (event, fields) => p.debug(entry(event, fields)),
		info: (event, fields) => p.info(entry(event, fields)),
		warn: (event, fields) => p.warn(entry(event, fields)),
		error: (event, fields) => p.error(entry(event, fields)),
		child: (bindings) => wrap(p.child(bindings)),
	};
}

/** Adds `bindings` to every entry, also for loggers without `child` (e.g. a host's own). */
export function childLogger(log: Logger, bindings: LogFields): Logger {
	if (log.child) return log.child(bindings);
	return {
		debug: (event, fields) => log.debug(event, { ...bindings, ...fields }),
		info: (event, fields) => log.info(event, { ...bindings, ...fields }),
		warn: (event, fields) => log.warn(event, { ...bindings, ...fields }),
		error: (event, fields) => log.error(event, { ...bindings, ...fields }),
	};
}

let fallback: Logger | undefined;

/**
 * For parts built without a logger (a `Library` or `AbrDriver` made on its own): one shared
 * logger on stderr at `info`, made on first use.
 */
export function defaultLogger(): Logger {
	fallback ??= createLogger('info');
	return fallback;
}

/** The engine's mediasoup `logLevel` names the same threshold for the engine's own lines. */
export function levelOfConfig(logLevel: 'debug' | 'warn' | 'error' | 'none'): LogLevel {
	return logLevel === 'none' ? 'silent' : logLevel;
}
