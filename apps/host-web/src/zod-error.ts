import type { z } from 'zod';
import { HostError } from './errors.ts';

/** Parses input with a schema; failures become `invalid_params` listing each bad field. */
export function parseOrThrow<S extends z.ZodType>(schema: S, input: unknown, what: string): z.output<S> {
	const r = schema.safeParse(input);
	if (r.success) return r.data;
	const fields = r.error.issues.map((i) => ({ field: i.path.join('.') || '(root)', message: i.message }));
	const first = fields[0];
	throw new HostError('invalid_params', `invalid ${what}: ${first?.field} ${first?.message}`, { fields });
}
