import { readFile } from 'node:fs/promises';
import { OperatorClient } from '@luwte/sdk/admin';
import type { OptionSpec } from '../framework/declare.ts';
import { UsageError } from '../framework/usage-error.ts';
import { connectionOptions } from './admin-connection.ts';

/** Options of the commands that manage tenants: the host, and where the operator key is. */
export const operatorConnectionOptions = {
	server: connectionOptions.server,
	'operator-key-file': {
		type: 'string',
		placeholder: 'FILE',
		description: 'a file holding the operator key (luwte serve names it at start); without it, LUWTE_OPERATOR_KEY',
	},
} as const satisfies Record<string, OptionSpec>;

export const operatorConnectionNotes =
	"The operator key (lwo_…) manages every tenant of the host: it is never an option, only LUWTE_OPERATOR_KEY or a file, and it is not a tenant's API key.";

type Values = { readonly server: string; readonly 'operator-key-file'?: string | undefined };

/** An OperatorClient for the host and operator key the options and environment name. */
export async function operatorClientFrom(values: Values, env: NodeJS.ProcessEnv): Promise<OperatorClient> {
	const { server } = values;
	if (!URL.canParse(server)) throw new UsageError(`--server must be a URL such as http://127.0.0.1:8080, got "${server}"`);
	const file = values['operator-key-file'];
	let operatorKey: string | undefined;
	if (file) {
		try {
			operatorKey = (await readFile(file, 'utf8')).trim();
		} catch (err) {
			throw new UsageError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, { cause: err });
		}
	} else {
		operatorKey = env.LUWTE_OPERATOR_KEY?.trim();
	}
	if (!operatorKey) throw new UsageError('no operator key: set LUWTE_OPERATOR_KEY or give --operator-key-file');
	return new OperatorClient({ server, operatorKey });
}
