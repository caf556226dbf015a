import { abrCommand } from './commands/abr.ts';
import { attendanceCommand } from './commands/attendance.ts';
import { libraryCommand } from './commands/library.ts';
import { recordCommand } from './commands/record.ts';
import { serveCommand } from './commands/serve.ts';

export interface CliIo {
	out: { write(s: string): unknown };
	err: { write(s: string): unknown };
}

const usage = `luwte — calm live sessions for digital day activities

Usage:
  luwte serve [--port 8080] [--host 0.0.0.0] [--data-dir ./luwte-data]
              [--rtc-port-min 44400] [--rtc-port-max 44499] [--announced-address ADDR]
              [--workers N] [--log-level info] [--attendance-retention-days N]
              [--redis-url redis://…]   (attendance ledger in Redis instead of the data directory)
  luwte abr simulate --trace TRACE.csv --profile calm|standard|greedy [--json]
  luwte library list [--module M] [--status S] [--json]
  luwte library publish|unpublish|approve ITEM   (luwte library help: details)
  luwte record start|stop SESSION [--wait]       (luwte record help: details)
  luwte record status RECORDING [--wait] | consent SESSION PARTICIPANT yes|no
  luwte attendance bill --events F.jsonl --contracts F.json --indications F.json --from YYYY-MM --to YYYY-MM
              [--format csv|json]       (offline billing; luwte attendance help: details)
  luwte help

Environment: LUWTE_PORT, LUWTE_DATA_DIR, LUWTE_ANNOUNCED_ADDRESS, MEDIASOUP_WORKER_BIN;
for commands against a running host: LUWTE_SERVER, LUWTE_API_KEY.
`;

/** Runs the CLI; returns the exit code (0 ok, 1 failure, 2 usage error). */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
	const [command, ...rest] = argv;
	try {
		switch (command) {
			case 'serve':
				return await serveCommand(rest, io);
			case 'abr':
				return await abrCommand(rest, io);
			case 'library':
				return await libraryCommand(rest, io);
			case 'attendance':
				return await attendanceCommand(rest, io);
			case 'record':
				return await recordCommand(rest, io);
			case undefined:
			case 'help':
			case '--help':
			case '-h':
				io.out.write(usage);
				return 0;
			default:
				io.err.write(`unknown command "${command}"\n\n${usage}`);
				return 2;
		}
	} catch (err) {
		if ((err as { code?: string }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' || (err as { code?: string }).code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
			io.err.write(`${(err as Error).message}\n\n${usage}`);
			return 2;
		}
		io.err.write(`luwte: ${(err as Error).message}\n`);
		return 1;
	}
}

