export { LuwteError, isLuwteError, messageOf, type LuwteErrorOptions } from './luwte-error.ts';
export { formatIssues, issueFields, type IssueField } from './issues.ts';
