import { abrCommands } from './commands/abr.ts';
import { attendanceCommands } from './commands/attendance.ts';
import { libraryCommands } from './commands/library.ts';
import { recordCommands } from './commands/record.ts';
import { serveCommand } from './commands/serve.ts';
import { defineGroup } from './framework/declare.ts';

/** Every command of `luwte`, in the order the usage text lists them. */
export const root = defineGroup({
	name: 'luwte',
	summary: 'luwte — calm live sessions for digital day activities',
	commands: [serveCommand, abrCommands, libraryCommands, recordCommands, attendanceCommands],
	notes: `Environment: LUWTE_PORT, LUWTE_DATA_DIR, LUWTE_ANNOUNCED_ADDRESS, LUWTE_REDIS_URL, MEDIASOUP_WORKER_BIN;
for commands against a running host: LUWTE_SERVER, LUWTE_API_KEY.`,
});
