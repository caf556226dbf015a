import { isEngineError, type EngineErrorCode } from '@luwte/engine';
import { isLuwteError, LuwteError, type LuwteErrorOptions } from '@luwte/errors';
import { errorCodes, type ErrorCode } from '@luwte/sdk/protocol';

const toProtocol: Record<EngineErrorCode, ErrorCode> = {
	invalid_config: 'internal',
	invalid_argument: 'invalid_params',
	not_found: 'not_found',
	forbidden: 'forbidden',
	conflict: 'conflict',
	session_ended: 'session_ended',
	not_started: 'not_started',
	session_cancelled: 'session_cancelled',
	quota_exceeded: 'quota_exceeded',
	unauthorized: 'unauthorized',
	unavailable: 'unavailable',
};

export type HttpErrorStatus = 400 | 401 | 403 | 404 | 409 | 410 | 413 | 415 | 429 | 500 | 503;

const httpStatus: Record<ErrorCode, HttpErrorStatus> = {
	bad_request: 400,
	message_too_large: 413,
	unsupported_media_type: 415,
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
	not_started: 409,
	session_cancelled: 410,
	quota_exceeded: 429,
	unavailable: 503,
	internal: 500,
};

const protocolCodes: ReadonlySet<string> = new Set(errorCodes);
/** Engine errors whose details are for the caller (others' details are for logs only). */
const detailedCodes: ReadonlySet<ErrorCode> = new Set(['invalid_params', 'not_started', 'quota_exceeded']);

/** A typed protocol error raised inside the host (HTTP and signalling). */
export class HostError extends LuwteError<ErrorCode> {
	/** `options.details`: shown to the caller (e.g. `{ fields }`); `options.cause`: the failure it wraps (logs only). */
	constructor(code: ErrorCode, message: string, options: LuwteErrorOptions = {}) {
		super(code, message, options);
		this.name = 'HostError';
	}
}

export interface ErrorBody {
	code: ErrorCode;
	message: string;
	details?: unknown;
}

/**
 * Maps any thrown value to a protocol error. Engine errors go through the code table above; any
 * other Luwte error whose code is a protocol code is shown as it is; everything else becomes
 * `internal`, without leaking internals.
 */
export function toErrorBody(err: unknown): ErrorBody {
	if (isEngineError(err)) {
		const code = toProtocol[err.code];
		// Details meant for the caller: the bad fields of refused input, when a session opens, which quota.
		const shown = err.details !== undefined && detailedCodes.has(code);
		return { code, message: err.message, ...(shown ? { details: err.details } : {}) };
	}
	if (isLuwteError(err) && protocolCodes.has(err.code)) {
		return { code: err.code as ErrorCode, message: err.message, ...(err.details !== undefined ? { details: err.details } : {}) };
	}
	return { code: 'internal', message: 'internal error' };
}

export function statusOf(code: ErrorCode): HttpErrorStatus {
	return httpStatus[code];
}
