import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { issueFields, messageOf } from '@luwte/errors';
import { tenantCreateSchema, tenantUpdateSchema, type OperatorClient } from '@luwte/sdk/admin';
import { defineCommand, defineGroup, type CliIo } from '../framework/declare.ts';
import { UsageError } from '../framework/usage-error.ts';
import { operatorClientFrom, operatorConnectionNotes, operatorConnectionOptions } from './operator-connection.ts';
import { jsonOption, listOf, print, table } from './output.ts';

type Tenant = Awaited<ReturnType<OperatorClient['listTenants']>>['tenants'][number];
type TenantWithKey = Awaited<ReturnType<OperatorClient['createTenant']>>;

const tenant = { name: 'tenant', description: "the tenant's ID" } as const;
const settingsFile = {
	type: 'string',
	placeholder: 'FILE',
	description: 'a JSON file with more of the fields (stimulusProfiles, lifecycle, quotas); the options above win',
} as const;
const origins = {
	type: 'string',
	placeholder: 'ORIGINS',
	description: 'websites that may embed its sessions, comma-separated (https://zorg.example,…; * any)',
} as const;

const listCommand = defineCommand({
	name: 'list',
	summary: "List the host's tenants (care organisations): a table, or JSON (an array).",
	options: { json: jsonOption, ...operatorConnectionOptions },
	notes: operatorConnectionNotes,
	async run({ values, io, env }) {
		const { tenants } = await (await operatorClientFrom(values, env)).listTenants();
		const text =
			tenants.length === 0
				? 'No tenants.'
				: table([
						['ID', 'KEYS', 'ORIGINS', 'NAME'],
						...tenants.map((t) => [t.id, String(t.apiKeys), t.allowedOrigins.join(',') || '-', t.name]),
					]);
		print(io, values.json, tenants, text);
	},
});

const createCommand = defineCommand({
	name: 'create',
	summary: 'Add a care organisation; prints its first API key (shown once) on stdout, or with --json the tenant, key and key ID.',
	options: {
		id: { type: 'string', required: true, description: 'its ID: lowercase letters, digits and dashes (zorg-noord)' },
		name: { type: 'string', required: true, description: 'its name' },
		origins,
		file: settingsFile,
		json: jsonOption,
		...operatorConnectionOptions,
	},
	notes: operatorConnectionNotes,
	async run({ values, io, env }) {
		const fromFile = values.file ? await readObject(values.file) : {};
		const body = checked(tenantCreateSchema, {
			...fromFile,
			id: values.id,
			name: values.name,
			...(values.origins !== undefined ? { allowedOrigins: listOf(values.origins) } : {}),
		});
		const created = await (await operatorClientFrom(values, env)).createTenant(body);
		printKey(io, values.json, created, `tenant ${created.tenant.id} created`);
	},
});

const updateCommand = defineCommand({
	name: 'update',
	summary: "Change a tenant's name, allowed websites, stimulus profiles, session defaults or limits; prints the tenant.",
	positionals: [tenant],
	options: {
		name: { type: 'string', description: 'its new name' },
		origins: { ...origins, description: `${origins.description}; replaces the list ("" for none)` },
		file: { ...settingsFile, description: 'a JSON file with fields to change (each replaces the whole field)' },
		json: jsonOption,
		...operatorConnectionOptions,
	},
	notes: operatorConnectionNotes,
	async run({ values, args, io, env }) {
		const fromFile = values.file ? await readObject(values.file) : {};
		const body = checked(tenantUpdateSchema, {
			...fromFile,
			...(values.name !== undefined ? { name: values.name } : {}),
			...(values.origins !== undefined ? { allowedOrigins: listOf(values.origins) } : {}),
		});
		if (Object.keys(body).length === 0) throw new UsageError('nothing to change: give --name, --origins or --file');
		const t = await (await operatorClientFrom(values, env)).updateTenant(args.tenant, body);
		print(io, values.json, t, describeTenant(t));
	},
});

const addKeyCommand = defineCommand({
	name: 'add',
	summary: 'Issue an extra API key for a tenant (e.g. to rotate); prints it (shown once), or with --json the tenant, key and key ID.',
	positionals: [tenant],
	options: { json: jsonOption, ...operatorConnectionOptions },
	notes: operatorConnectionNotes,
	async run({ values, args, io, env }) {
		const added = await (await operatorClientFrom(values, env)).addTenantKey(args.tenant);
		printKey(io, values.json, added, `new key for ${added.tenant.id}`);
	},
});

const revokeKeyCommand = defineCommand({
	name: 'revoke',
	summary: "Revoke one of a tenant's API keys at once, by its ID (tenants list --json shows keyIds); the last key cannot be revoked.",
	positionals: [tenant, { name: 'key', placeholder: 'KEY-ID', description: 'the key ID (the start of its hash), never the key' }],
	options: { json: jsonOption, ...operatorConnectionOptions },
	notes: operatorConnectionNotes,
	async run({ values, args, io, env }) {
		const t = await (await operatorClientFrom(values, env)).revokeTenantKey(args.tenant, args.key);
		print(io, values.json, t, `key ${args.key} of ${t.id} revoked; ${t.apiKeys} valid: ${t.keyIds.join(', ')}`);
	},
});

/** `luwte tenants …`: the operator manages care organisations and their keys (operator key). */
export const tenantCommands = defineGroup({
	name: 'tenants',
	summary: 'Tenants (care organisations) of a running host and their API keys, with the operator key.',
	commands: [
		listCommand,
		createCommand,
		updateCommand,
		defineGroup({
			name: 'keys',
			summary: "A tenant's API keys, by the operator: add one, revoke one.",
			commands: [addKeyCommand, revokeKeyCommand],
			notes: operatorConnectionNotes,
		}),
	],
	notes: `${operatorConnectionNotes} A tenant rotates its own keys with luwte keys. Docs: docs/operations.md.`,
});

/** The new key alone on stdout (KEY=$(luwte tenants create …)); what it is on stderr. */
function printKey(io: CliIo, asJson: boolean, r: TenantWithKey, what: string): void {
	if (!asJson) io.err.write(`${what}; its API key (ID ${r.keyId}) is shown once: store it in the organisation's backend\n`);
	print(io, asJson, r, r.apiKey);
}

function describeTenant(t: Tenant): string {
	return [
		`${t.id}: ${t.name}`,
		`  origins:   ${t.allowedOrigins.join(', ') || 'none'}`,
		`  profiles:  ${t.stimulusProfiles.map((p) => p.id).join(', ') || 'built-in only'}`,
		`  lifecycle: ${JSON.stringify(t.lifecycle)}`,
		`  quotas:    ${JSON.stringify(t.quotas)}`,
		`  keys:      ${t.apiKeys} (${t.keyIds.join(', ')})`,
	].join('\n');
}

/** A JSON object from a file named on the command line; anything else is a usage error. */
async function readObject(path: string): Promise<Record<string, unknown>> {
	let text: string;
	try {
		text = await readFile(path, 'utf8');
	} catch (err) {
		throw new UsageError(`cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? messageOf(err)}`, { cause: err });
	}
	let raw: unknown;
	try {
		raw = JSON.parse(text);
	} catch (err) {
		throw new UsageError(`${basename(path)}: not valid JSON (${messageOf(err)})`, { cause: err });
	}
	if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new UsageError(`${basename(path)}: not a JSON object`);
	return raw as Record<string, unknown>;
}

interface BodySchema<T> {
	safeParse(raw: unknown): { success: true; data: T } | { success: false; error: { issues: Parameters<typeof issueFields>[0] } };
}

/** The body checked here, so a mistake is a usage error naming the field rather than the host's 400. */
function checked<T>(schema: BodySchema<T>, raw: unknown): T {
	const parsed = schema.safeParse(raw);
	if (parsed.success) return parsed.data;
	const [first, ...rest] = issueFields(parsed.error.issues);
	throw new UsageError(
		`${first?.field ?? '(body)'}: ${first?.message ?? 'invalid'}${rest.length > 0 ? ` (and ${rest.length} more)` : ''}`,
	);
}
