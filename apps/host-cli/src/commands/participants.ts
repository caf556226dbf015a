import { defineCommand } from '../framework/declare.ts';
import { adminClientFrom, connectionNotes, connectionOptions } from './admin-connection.ts';
import { jsonOption, print } from './output.ts';
import { participantTable } from './sessions.ts';

/** `luwte participants SESSION`: who is connected now, from the session resource. */
export const participantsCommand = defineCommand({
	name: 'participants',
	summary: 'Who is connected to a session now (pseudonymous ID, role, since when): a table, or JSON (an array).',
	positionals: [{ name: 'session', description: "the session's ID" }],
	options: { json: jsonOption, ...connectionOptions },
	notes: connectionNotes,
	async run({ values, args, io, env }) {
		const s = await (await adminClientFrom(values, env)).getSession(args.session);
		const text = s.participants.length === 0 ? `Nobody is connected to ${s.id} (${s.state}).` : participantTable(s.participants);
		print(io, values.json, s.participants, text);
	},
});
