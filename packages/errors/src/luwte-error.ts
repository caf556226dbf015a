/**
 * The base of every error Luwte raises on purpose: the engine's, the host's, the SDK's and the
 * CLI's. Each carries a `code` (the protocol's typed codes where one applies) and, where it wraps
 * another failure, the standard `cause`. Browser-safe: no Node imports.
 */

// A registered symbol, so the check below works across realms (iframes, workers, two copies of
// this package in one node_modules) where `instanceof` does not.
const brand = Symbol.for('luwte.error');

export interface LuwteErrorOptions {
	/** The failure this error wraps (kept as the standard `Error.cause`). */
	cause?: unknown;
	/** Structured detail a caller may show (e.g. the bad fields of a request). */
	details?: unknown;
}

export class LuwteError<Code extends string = string> extends Error {
	readonly code: Code;
	readonly details: unknown;

	constructor(code: Code, message: string, options: LuwteErrorOptions = {}) {
		super(message, options.cause === undefined ? undefined : { cause: options.cause });
		this.name = 'LuwteError';
		this.code = code;
		this.details = options.details;
		Object.defineProperty(this, brand, { value: true });
	}
}

/** True for any Luwte error, also one made in another realm or by another copy of this package. */
export function isLuwteError(err: unknown): err is LuwteError {
	return typeof err === 'object' && err !== null && (err as Record<symbol, unknown>)[brand] === true;
}

/** The message of any thrown value, for logs and one-line reports. */
export function messageOf(err: unknown): string {
	if (err instanceof Error) return err.message;
	return String(err);
}
