import type { z } from 'zod';
import { HostError } from './errors.ts';

type Issue = z.core.$ZodIssue;

/**
 * A union's own issue says only "Invalid input"; when just one of its options takes this kind
 * of value (e.g. the object option of "ID or definition"), that option's issues name the field.
 */
function explain(issue: Issue): Issue[] {
	if (issue.code !== 'invalid_union') return [issue];
	const fitting = issue.errors.filter((branch) => !branch.some((i) => i.code === 'invalid_type' && i.path.length === 0));
	if (fitting.length !== 1) return [issue];
	return fitting[0]!.flatMap((i) => explain({ ...i, path: [...issue.path, ...i.path] } as Issue));
}

/** Parses input with a schema; failures become `invalid_params` listing each bad field. */
export function parseOrThrow<S extends z.ZodType>(schema: S, input: unknown, what: string): z.output<S> {
	const r = schema.safeParse(input);
	if (r.success) return r.data;
	const fields = r.error.issues.flatMap(explain).map((i) => ({ field: i.path.join('.') || '(root)', message: i.message }));
	const first = fields[0];
	throw new HostError('invalid_params', `invalid ${what}: ${first?.field} ${first?.message}`, { fields });
}
