import { isLuwteError, LuwteError } from '@luwte/errors';

/**
 * The command was called wrongly: an unknown or missing option, a bad value, an unreadable input
 * file. The CLI prints the message and that command's usage, and exits with 2.
 */
export class UsageError extends LuwteError<'usage'> {
	constructor(message: string, options: { cause?: unknown } = {}) {
		super('usage', message, options);
		this.name = 'UsageError';
	}
}

/** True for a usage error, also one raised by another copy of this module. */
export function isUsageError(err: unknown): err is UsageError {
	return isLuwteError(err) && err.code === 'usage';
}
