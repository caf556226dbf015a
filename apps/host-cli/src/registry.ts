import { abrCommands } from './commands/abr.ts';
import { attendanceCommands } from './commands/attendance.ts';
import { keyCommands } from './commands/keys.ts';
import { libraryCommands } from './commands/library.ts';
import { loadTestCommand } from './commands/load-test.ts';
import { participantsCommand } from './commands/participants.ts';
import { recordCommands } from './commands/record.ts';
import { serveCommand } from './commands/serve.ts';
import { sessionCommands } from './commands/sessions.ts';
import { tenantCommands } from './commands/tenants.ts';
import { tokenCommands } from './commands/tokens.ts';
import { webhookCommands } from './commands/webhooks.ts';
import { defineGroup } from './framework/declare.ts';

/** Every command of `luwte`, in the order the usage text lists them. */
export const root = defineGroup({
	name: 'luwte',
	summary: 'luwte — calm live sessions for digital day activities',
	commands: [
		serveCommand,
		sessionCommands,
		tokenCommands,
		participantsCommand,
		recordCommands,
		libraryCommands,
		attendanceCommands,
		tenantCommands,
		keyCommands,
		webhookCommands,
		abrCommands,
		loadTestCommand,
	],
	notes: `Environment: LUWTE_PORT, LUWTE_DATA_DIR, LUWTE_ANNOUNCED_ADDRESS, LUWTE_REDIS_URL, MEDIASOUP_WORKER_BIN;
for commands against a running host: LUWTE_SERVER, LUWTE_API_KEY (LUWTE_OPERATOR_KEY for tenants).`,
});
