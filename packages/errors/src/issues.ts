/**
 * Validation issues, formatted one way everywhere. Written against the shape of a zod 4 issue
 * (and Standard Schema's), so this package needs no schema library itself.
 */

interface Issue {
	readonly code?: string;
	readonly path?: readonly PropertyKey[] | readonly (PropertyKey | { key: PropertyKey })[] | undefined;
	readonly message: string;
	/** zod's `invalid_union`: the issues of each option. */
	readonly errors?: readonly (readonly Issue[])[];
}

/** One bad field: its dotted path (`(root)` for the value itself) and what is wrong with it. */
export interface IssueField {
	field: string;
	message: string;
}

const keyOf = (p: PropertyKey | { key: PropertyKey }): string => String(typeof p === 'object' ? p.key : p);

/**
 * A union's own issue says only "Invalid input"; when just one of its options takes this kind of
 * value (e.g. the object option of "ID or definition"), that option's issues name the field.
 */
function explain(issue: Issue, prefix: readonly string[]): IssueField[] {
	const path = [...prefix, ...(issue.path ?? []).map(keyOf)];
	if (issue.code === 'invalid_union' && issue.errors) {
		const fitting = issue.errors.filter((branch) => !branch.some((i) => i.code === 'invalid_type' && (i.path?.length ?? 0) === 0));
		if (fitting.length === 1) return fitting[0]!.flatMap((i) => explain(i, path));
	}
	return [{ field: path.join('.') || '(root)', message: issue.message }];
}

/** Every issue as a field and a message. */
export function issueFields(issues: readonly Issue[]): IssueField[] {
	return issues.flatMap((i) => explain(i, []));
}

/**
 * One line for people: `<what>: <field> <message>` for the first issue, with a count of the rest.
 * `what` names the input ("session", "--since", "config").
 */
export function formatIssues(what: string, issues: readonly Issue[]): string {
	const fields = issueFields(issues);
	const first = fields[0];
	if (!first) return `invalid ${what}`;
	const more = fields.length > 1 ? ` (and ${fields.length - 1} more)` : '';
	return `invalid ${what}: ${first.field} ${first.message}${more}`;
}
