import { readFile } from 'node:fs/promises';
import { AdminClient } from '@luwte/sdk/admin';
import type { OptionSpec } from '../framework/declare.ts';
import { UsageError } from '../framework/usage-error.ts';

/** Options every command that talks to a running host takes. */
export const connectionOptions = {
	server: {
		type: 'string',
		placeholder: 'URL',
		env: 'LUWTE_SERVER',
		default: 'http://127.0.0.1:8080',
		description: 'the running Luwte host',
	},
	'api-key-file': {
		type: 'string',
		placeholder: 'FILE',
		description: 'a file holding the tenant API key; without it, the key is read from LUWTE_API_KEY',
	},
} as const satisfies Record<string, OptionSpec>;

export const connectionNotes = 'The tenant API key is never an option: on the command line other users see it in ps.';

type ConnectionValues = { readonly server: string; readonly 'api-key-file'?: string | undefined };

/** The host and tenant API key the options and environment name. */
export async function connectionFrom(values: ConnectionValues, env: NodeJS.ProcessEnv): Promise<{ server: string; apiKey: string }> {
	const { server } = values;
	if (!URL.canParse(server)) throw new UsageError(`--server must be a URL such as http://127.0.0.1:8080, got "${server}"`);
	const apiKey = values['api-key-file'] ? (await readFile(values['api-key-file'], 'utf8')).trim() : env.LUWTE_API_KEY?.trim();
	if (!apiKey) throw new UsageError('no API key: set LUWTE_API_KEY or give --api-key-file');
	return { server, apiKey };
}

/** An AdminClient for the host and tenant the options and environment name. */
export async function adminClientFrom(values: ConnectionValues, env: NodeJS.ProcessEnv): Promise<AdminClient> {
	return new AdminClient(await connectionFrom(values, env));
}
