import { readFile } from 'node:fs/promises';
import { AdminClient } from '@luwte/sdk/admin';

/** Options every command that talks to a running host takes (for parseArgs). */
export const connectionOptions = {
	server: { type: 'string' },
	'api-key-file': { type: 'string' },
} as const;

export const connectionHelp = `Connection: --server URL (or LUWTE_SERVER; default http://127.0.0.1:8080) and the tenant API key
in LUWTE_API_KEY or a file named by --api-key-file (never on the command line: other users see it in ps).`;

export class UsageError extends Error {}

type ConnectionValues = { server?: string | undefined; 'api-key-file'?: string | undefined };

/** The host and tenant API key the options and environment name. */
export async function connectionFrom(values: ConnectionValues, env: NodeJS.ProcessEnv): Promise<{ server: string; apiKey: string }> {
	const server = values.server ?? env.LUWTE_SERVER ?? 'http://127.0.0.1:8080';
	try {
		new URL(server);
	} catch {
		throw new UsageError(`--server must be a URL such as http://127.0.0.1:8080, got "${server}"`);
	}
	const apiKey = values['api-key-file'] ? (await readFile(values['api-key-file'], 'utf8')).trim() : env.LUWTE_API_KEY?.trim();
	if (!apiKey) throw new UsageError('no API key: set LUWTE_API_KEY or give --api-key-file');
	return { server, apiKey };
}

/** An AdminClient for the host and tenant the options and environment name. */
export async function adminClientFrom(values: ConnectionValues, env: NodeJS.ProcessEnv): Promise<AdminClient> {
	return new AdminClient(await connectionFrom(values, env));
}
