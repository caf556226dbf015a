import { isEngineError, type EngineErrorCode } from '@luwte/engine';
import type { ErrorCode } from '@luwte/sdk/protocol';

const toProtocol: Record<EngineErrorCode, ErrorCode> = {
	invalid_config: 'internal',
	invalid_argument: 'invalid_params',
	not_found: 'not_found',
	forbidden: 'forbidden',
	conflict: 'conflict',
	session_ended: 'session_ended',
	unauthorized: 'unauthorized',
	unavailable: 'unavailable',
};

const httpStatus: Record<ErrorCode, 400 | 401 | 403 | 404 | 409 | 410 | 413 | 429 | 500 | 503> = {
	bad_request: 400,
	message_too_large: 413,
	rate_limited: 429,
	unknown_method: 400,
	invalid_params: 400,
	unauthorized: 401,
	forbidden: 403,
	origin_not_allowed: 403,
	not_joined: 409,
	already_joined: 409,
	not_found: 404,
	conflict: 409,
	session_ended: 410,
	unavailable: 503,
	internal: 500,
};

/** A typed protocol error raised inside the host. */
export class HostError extends Error {
	readonly code: ErrorCode;
	readonly details: unknown;
	constructor(code: ErrorCode, message: string, details?: unknown) {
		super(message);
		this.name = 'HostError';
		this.code = code;
		this.details = details;
	}
}

/** Maps any thrown value to a protocol error; unknown errors become `internal` without leaking internals. */
export function toErrorBody(err: unknown): { code: ErrorCode; message: string; details?: unknown } {
	if (err instanceof HostError) return { code: err.code, message: err.message, ...(err.details !== undefined ? { details: err.details } : {}) };
	if (isEngineError(err)) return { code: toProtocol[err.code], message: err.message };
	return { code: 'internal', message: 'internal error' };
}

export function statusOf(code: ErrorCode): 400 | 401 | 403 | 404 | 409 | 410 | 413 | 429 | 500 | 503 {
	return httpStatus[code];
}
