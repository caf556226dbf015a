import { LuwteError } from '@luwte/errors';

/**
 * An error answer of the HTTP API (`{ error: { code, message, details? } }`), or `http_error` for
 * an answer without that body and `bad_response` for a body that does not match the route.
 */
export class AdminApiError extends LuwteError {
	/** The HTTP status of the answer. */
	readonly status: number;

	constructor(status: number, code: string, message: string, details?: unknown, options: { cause?: unknown } = {}) {
		super(code, message, { details, cause: options.cause });
		this.name = 'AdminApiError';
		this.status = status;
	}
}
