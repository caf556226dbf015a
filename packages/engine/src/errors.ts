/** Error codes the engine raises; hosts map them onto their own protocols (HTTP status, signalling error). */
export type EngineErrorCode =
	| 'invalid_config'
	| 'invalid_argument'
	| 'not_found'
	| 'forbidden'
	| 'conflict'
	| 'session_ended'
	| 'unauthorized'
	| 'unavailable';

export class EngineError extends Error {
	readonly code: EngineErrorCode;
	readonly details: unknown;

	constructor(code: EngineErrorCode, message: string, details?: unknown) {
		super(message);
		this.name = 'EngineError';
		this.code = code;
		this.details = details;
	}
}

export function isEngineError(err: unknown): err is EngineError {
	return err instanceof EngineError;
}
