import { activityModuleSchema, offerKindSchema, sessionStateSchema, type AdminQuery, type SessionResource } from '@luwte/sdk/admin';
import { defineCommand, defineGroup } from '../framework/declare.ts';
import { UsageError } from '../framework/usage-error.ts';
import { adminClientFrom, connectionNotes, connectionOptions } from './admin-connection.ts';
import { instantOf, jsonOption, print, table } from './output.ts';

const session = [{ name: 'session', description: "the session's ID" }] as const;

const createCommand = defineCommand({
	name: 'create',
	summary: 'Plan a session; prints its ID (SESSION=$(luwte sessions create …)), or with --json the whole session.',
	options: {
		title: { type: 'string', required: true, description: 'what the activity is called (1-200 characters)' },
		module: {
			type: 'string',
			choices: activityModuleSchema.options,
			description: 'the module of the day-activity offer (recording needs one)',
		},
		kind: { type: 'string', choices: offerKindSchema.options, default: 'online', description: 'the kind of offer' },
		'starts-at': {
			type: 'string',
			placeholder: 'TIME',
			description: 'the scheduled start, ISO 8601 with offset (2026-12-01T10:00+01:00)',
		},
		'ends-at': { type: 'string', placeholder: 'TIME', description: 'the scheduled end (with --starts-at)' },
		json: jsonOption,
		...connectionOptions,
	},
	notes: `Without --starts-at/--ends-at the session is unscheduled: it can be joined at once. ${connectionNotes}`,
	async run({ values, io, env }) {
		const startsAt = values['starts-at'];
		const endsAt = values['ends-at'];
		if ((startsAt === undefined) !== (endsAt === undefined)) throw new UsageError('--starts-at and --ends-at go together');
		const schedule =
			startsAt !== undefined && endsAt !== undefined
				? { startsAt: instantOf(startsAt, 'starts-at'), endsAt: instantOf(endsAt, 'ends-at') }
				: undefined;
		if (schedule && Date.parse(schedule.endsAt) <= Date.parse(schedule.startsAt))
			throw new UsageError('--ends-at must be after --starts-at');
		const client = await adminClientFrom(values, env);
		const s = await client.createSession({
			title: values.title,
			kind: values.kind,
			...(values.module ? { module: values.module } : {}),
			...(schedule ? { schedule } : {}),
		});
		print(io, values.json, s, s.id);
	},
});

const listCommand = defineCommand({
	name: 'list',
	summary: "List the tenant's sessions in the order they take place, fetched page by page: a table, or JSON (an array).",
	options: {
		state: { type: 'string', choices: sessionStateSchema.options, description: 'only sessions in this state' },
		module: { type: 'string', choices: activityModuleSchema.options, description: 'only sessions of this module' },
		from: { type: 'string', placeholder: 'TIME', description: 'only sessions taking place at or after (ISO 8601 with offset)' },
		to: { type: 'string', placeholder: 'TIME', description: '…and before' },
		limit: { type: 'integer', placeholder: 'N', description: 'at most this many sessions (default: all)' },
		'page-size': { type: 'integer', placeholder: 'N', default: 100, description: 'sessions asked for per request (1-500)' },
		json: jsonOption,
		...connectionOptions,
	},
	notes: connectionNotes,
	async run({ values, io, env }) {
		if (values.limit !== undefined && values.limit < 1) throw new UsageError(`--limit must be at least 1, got ${values.limit}`);
		const pageSize = values['page-size'];
		if (pageSize < 1 || pageSize > 500) throw new UsageError(`--page-size must be 1 to 500, got ${pageSize}`);
		const query: Omit<AdminQuery<'listSessions'>, 'cursor'> = {
			...(values.state ? { state: values.state } : {}),
			...(values.module ? { module: values.module } : {}),
			...(values.from ? { from: instantOf(values.from, 'from') } : {}),
			...(values.to ? { to: instantOf(values.to, 'to') } : {}),
			// Pages no larger than needed.
			limit: Math.min(values.limit ?? pageSize, pageSize),
		};
		const client = await adminClientFrom(values, env);
		const sessions: SessionResource[] = [];
		for await (const s of client.allSessions(query)) {
			sessions.push(s);
			if (values.limit !== undefined && sessions.length >= values.limit) break;
		}
		print(io, values.json, sessions, sessionTable(sessions));
	},
});

const showCommand = defineCommand({
	name: 'show',
	summary: 'Show one session: state, schedule, join window, and who is connected now.',
	positionals: session,
	options: { json: jsonOption, ...connectionOptions },
	notes: connectionNotes,
	async run({ values, args, io, env }) {
		const s = await (await adminClientFrom(values, env)).getSession(args.session);
		print(io, values.json, s, describeSession(s));
	},
});

const endCommand = defineCommand({
	name: 'end',
	summary: 'End a session for everyone connected; its tokens no longer join.',
	positionals: session,
	options: { json: jsonOption, ...connectionOptions },
	notes: connectionNotes,
	async run({ values, args, io, env }) {
		const s = await (await adminClientFrom(values, env)).endSession(args.session);
		print(io, values.json, s, `${s.id} is ${s.state}${s.endReason ? ` (${s.endReason})` : ''}`);
	},
});

const cancelCommand = defineCommand({
	name: 'cancel',
	summary: 'Cancel a session that has not taken place: its join tokens are refused from now on.',
	positionals: session,
	options: { json: jsonOption, ...connectionOptions },
	notes: connectionNotes,
	async run({ values, args, io, env }) {
		const s = await (await adminClientFrom(values, env)).cancelSession(args.session);
		print(io, values.json, s, `${s.id} is ${s.state}`);
	},
});

/** `luwte sessions …`: plan, list, show, end and cancel sessions on a running host. */
export const sessionCommands = defineGroup({
	name: 'sessions',
	summary: 'Sessions on a running host: create, list, show, end, cancel.',
	commands: [createCommand, listCommand, showCommand, endCommand, cancelCommand],
	notes: `${connectionNotes} Docs: docs/sessions.md.`,
});

function sessionTable(sessions: readonly SessionResource[]): string {
	if (sessions.length === 0) return 'No sessions.';
	return table([
		['ID', 'STATE', 'MODULE', 'KIND', 'STARTS', 'CONNECTED', 'TITLE'],
		...sessions.map((s) => [
			s.id,
			s.state,
			s.module ?? '-',
			s.kind,
			s.schedule?.startsAt ?? '-',
			String(s.participants.length),
			s.title ?? '',
		]),
	]);
}

function describeSession(s: SessionResource): string {
	const fields: [string, string][] = [
		['state', `${s.state}${s.endReason ? ` (${s.endReason})` : ''}`],
		['module', s.module ?? '-'],
		['kind', s.kind],
		['schedule', s.schedule ? `${s.schedule.startsAt} to ${s.schedule.endsAt}` : 'none (joinable at once)'],
	];
	if (s.joinWindow) fields.push(['join window', `${s.joinWindow.opensAt} to ${s.joinWindow.closesAt}`]);
	fields.push(['created', s.createdAt]);
	if (s.startedAt) fields.push(['started', s.startedAt]);
	if (s.endedAt) fields.push(['ended', s.endedAt]);
	fields.push(['see each other', s.participantsSeeEachOther ? 'yes' : 'no (clients see only the host and the room)']);
	fields.push(['connected', s.participants.length === 0 ? 'nobody' : String(s.participants.length)]);
	const lines = [`${s.id}: ${s.title ?? '(no title)'}`, ...fields.map(([k, v]) => `  ${`${k}:`.padEnd(16)}${v}`)];
	if (s.participants.length > 0)
		lines.push(
			...participantTable(s.participants)
				.split('\n')
				.map((l) => `    ${l}`),
		);
	return lines.join('\n');
}

/** Who is connected: one row each. */
export function participantTable(participants: SessionResource['participants']): string {
	return table([['PARTICIPANT', 'ROLE', 'JOINED'], ...participants.map((p) => [p.participantId, p.role, p.joinedAt])]);
}
