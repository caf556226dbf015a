import { issueFields, isLuwteError, LuwteError, type IssueField, type LuwteErrorOptions } from '@luwte/errors';

/** Error codes the engine raises; hosts map them onto their own protocols (HTTP status, signalling error). */
export type EngineErrorCode =
	| 'invalid_config'
	| 'invalid_argument'
	| 'not_found'
	| 'forbidden'
	| 'conflict'
	| 'session_ended'
	| 'not_started'
	| 'session_cancelled'
	| 'quota_exceeded'
	| 'unauthorized'
	| 'unavailable';

export class EngineError extends LuwteError<EngineErrorCode> {
	/** `options.cause`: the failure this error wraps; `options.details`: structured detail (e.g. the bad fields). */
	constructor(code: EngineErrorCode, message: string, options: LuwteErrorOptions = {}) {
		super(code, message, options);
		this.name = 'EngineError';
	}
}

/** True for an engine error, also one made by another copy of the engine (checked by brand and name, not `instanceof`). */
export function isEngineError(err: unknown): err is EngineError {
	return err instanceof EngineError || (isLuwteError(err) && err.name === 'EngineError');
}

/** A zod (or Standard Schema) issue, as `issueFields` reads it. */
type Issue = Parameters<typeof issueFields>[0][number];

/**
 * One message for bad input, the engine's way: `invalid <what> at "<field>": <message>` for the
 * first issue, with a count of the rest; `details` holds the first `field` and every bad one in `fields`. An unknown key is
 * named as the field itself (`webRtc.listenIP`), not its parent.
 */
export function invalidInput(code: EngineErrorCode, what: string, issues: readonly Issue[]): EngineError {
	const fields: IssueField[] = issueFields(issues.flatMap(unknownKeysAsFields));
	const first = fields[0];
	if (!first) return new EngineError(code, `invalid ${what}`, { details: { field: '(root)', fields } });
	const more = fields.length > 1 ? ` (and ${fields.length - 1} more)` : '';
	return new EngineError(code, `invalid ${what} at "${first.field}": ${first.message}${more}`, {
		details: { field: first.field, fields },
	});
}

function unknownKeysAsFields(issue: Issue): Issue[] {
	const keys = (issue as { keys?: unknown }).keys;
	if (issue.code !== 'unrecognized_keys' || !Array.isArray(keys) || keys.length === 0) return [issue];
	return keys.map((key) => ({ ...issue, path: [...(issue.path ?? []), String(key)] }));
}
