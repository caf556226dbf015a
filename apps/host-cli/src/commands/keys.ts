import { defineCommand, defineGroup } from '../framework/declare.ts';
import { adminClientFrom, connectionNotes, connectionOptions } from './admin-connection.ts';
import { jsonOption, print, table } from './output.ts';

type KeyList = { id: string; expiresAt?: string | undefined }[];

function keyTable(keys: KeyList): string {
	return table([['KEY-ID', 'EXPIRES'], ...keys.map((k) => [k.id, k.expiresAt ?? 'when revoked'])]);
}

const listCommand = defineCommand({
	name: 'list',
	summary: "The IDs of the tenant's valid API keys (the start of each key's hash, never the key), with when each expires.",
	options: { json: jsonOption, ...connectionOptions },
	notes: connectionNotes,
	async run({ values, io, env }) {
		const { keys } = await (await adminClientFrom(values, env)).listKeys();
		print(io, values.json, keys, keyTable(keys));
	},
});

const rotateCommand = defineCommand({
	name: 'rotate',
	summary: 'Issue a new API key and print it (shown once); the old ones work until revoked, or for --grace seconds.',
	options: {
		grace: {
			type: 'integer',
			placeholder: 'SECONDS',
			description: 'the other keys stop working after this long (0: at once; at most 30 days); default: until revoked',
		},
		json: jsonOption,
		...connectionOptions,
	},
	notes: connectionNotes,
	async run({ values, io, env }) {
		const r = await (await adminClientFrom(values, env)).rotateKey(values.grace !== undefined ? { graceSeconds: values.grace } : {});
		if (!values.json) io.err.write(`new key ${r.keyId}; shown once: store it in the organisation's backend\n`);
		print(io, values.json, r, r.apiKey);
	},
});

const revokeCommand = defineCommand({
	name: 'revoke',
	summary: 'Revoke one of the tenant’s API keys at once, on every host (the last one cannot be revoked: rotate first).',
	positionals: [{ name: 'key', placeholder: 'KEY-ID', description: 'the key ID as keys list shows it, never the key' }],
	options: { json: jsonOption, ...connectionOptions },
	notes: connectionNotes,
	async run({ values, args, io, env }) {
		const { keys } = await (await adminClientFrom(values, env)).revokeKey(args.key);
		print(io, values.json, keys, `key ${args.key} revoked; valid now:\n${keyTable(keys)}`);
	},
});

/** `luwte keys …`: the tenant's own API keys, with its current key. */
export const keyCommands = defineGroup({
	name: 'keys',
	summary: "The tenant's own API keys (its current key): list, rotate, revoke.",
	commands: [listCommand, rotateCommand, revokeCommand],
	notes: `${connectionNotes} The operator manages any tenant's keys with luwte tenants keys. Docs: docs/operations.md.`,
});
