/**
 * Structured JSON logs on stderr. Only pseudonymous IDs are logged: never names, tokens or
 * API keys (the fields passed here are chosen with that in mind).
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';
const order: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

export interface Logger {
	debug(event: string, fields?: Record<string, unknown>): void;
	info(event: string, fields?: Record<string, unknown>): void;
	warn(event: string, fields?: Record<string, unknown>): void;
	error(event: string, fields?: Record<string, unknown>): void;
}

export function createLogger(level: LogLevel = 'info', write: (line: string) => void = (l) => process.stderr.write(l)): Logger {
	const at = (lvl: Exclude<LogLevel, 'silent'>) => (event: string, fields: Record<string, unknown> = {}) => {
		if (order[lvl] < order[level]) return;
		write(`${JSON.stringify({ t: new Date().toISOString(), level: lvl, event, ...fields })}\n`);
	};
	return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}
