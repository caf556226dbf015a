import { tokenCreateSchema } from '@luwte/sdk/admin';
import { defineCommand, defineGroup } from '../framework/declare.ts';
import { adminClientFrom, connectionNotes, connectionOptions } from './admin-connection.ts';
import { jsonOption, print } from './output.ts';

const createCommand = defineCommand({
	name: 'create',
	summary:
		'Issue a join token for one pseudonymous participant; prints the token, or with --json also its participant, profile and expiry.',
	positionals: [{ name: 'session', description: "the session's ID" }],
	options: {
		role: { type: 'string', choices: tokenCreateSchema.shape.role.options, required: true, description: 'what the participant does' },
		participant: {
			type: 'string',
			placeholder: 'ID',
			description: 'a pseudonymous ID chosen by the care provider, never a name (default: a random one)',
		},
		profile: {
			type: 'string',
			placeholder: 'PROFILE',
			description: "the stimulus profile: calm, standard or one of the tenant's (default calm)",
		},
		ttl: {
			type: 'integer',
			placeholder: 'SECONDS',
			description: 'how long it can be used to join, 30 s to 7 days; never past the join window',
		},
		json: jsonOption,
		...connectionOptions,
	},
	notes: `The token joins the session through the element or SessionClient; it is a credential: pass it on, do not log it. ${connectionNotes}`,
	async run({ values, args, io, env }) {
		const t = await (await adminClientFrom(values, env)).createToken(args.session, {
			role: values.role,
			...(values.participant ? { participantId: values.participant } : {}),
			...(values.profile ? { stimulusProfile: values.profile } : {}),
			...(values.ttl !== undefined ? { ttlSeconds: values.ttl } : {}),
		});
		print(io, values.json, t, t.token);
	},
});

/** `luwte tokens create`: join tokens for a session. */
export const tokenCommands = defineGroup({
	name: 'tokens',
	summary: 'Join tokens for a session on a running host.',
	commands: [createCommand],
	notes: `${connectionNotes} Docs: docs/sessions.md.`,
});
