import { formatIssues, issueFields } from '@luwte/errors';
import type { z } from 'zod';
import { HostError } from './errors.ts';

/**
 * Parses input with a schema; failures become `invalid_params` with every bad field in
 * `details.fields` and the first one in the message (`invalid <what>: <field> <message>`).
 */
export function parseOrThrow<S extends z.ZodType>(schema: S, input: unknown, what: string): z.output<S> {
	const r = schema.safeParse(input);
	if (r.success) return r.data;
	throw new HostError('invalid_params', formatIssues(what, r.error.issues), {
		details: { fields: issueFields(r.error.issues) },
		cause: r.error,
	});
}
