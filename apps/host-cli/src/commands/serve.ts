import { parseArgs } from 'node:util';
import { startHost } from '@luwte/host-web';
import type { CliIo } from '../cli.ts';

function intOption(name: string, value: string | undefined): number | undefined {
	if (value === undefined) return undefined;
	const n = Number(value);
	if (!Number.isInteger(n)) throw new Error(`--${name} must be a whole number, got "${value}"`);
	return n;
}

/** `luwte serve`: starts the engine, REST API and signalling, until SIGINT/SIGTERM. */
export async function serveCommand(argv: string[], io: CliIo): Promise<number> {
	const { values } = parseArgs({
		args: argv,
		options: {
			port: { type: 'string' },
			host: { type: 'string' },
			'data-dir': { type: 'string' },
			'rtc-port-min': { type: 'string' },
			'rtc-port-max': { type: 'string' },
			'announced-address': { type: 'string' },
			workers: { type: 'string' },
			'log-level': { type: 'string' },
			'attendance-retention-days': { type: 'string' },
			'redis-url': { type: 'string' },
		},
		strict: true,
	});
	const env = process.env;
	const rtcMin = intOption('rtc-port-min', values['rtc-port-min']);
	const rtcMax = intOption('rtc-port-max', values['rtc-port-max']);
	const announced = values['announced-address'] ?? env.LUWTE_ANNOUNCED_ADDRESS;
	const workerCount = intOption('workers', values.workers);
	const host = await startHost({
		port: intOption('port', values.port ?? env.LUWTE_PORT) ?? 8080,
		hostname: values.host ?? '0.0.0.0',
		dataDir: values['data-dir'] ?? env.LUWTE_DATA_DIR ?? './luwte-data',
		...((values['redis-url'] ?? env.LUWTE_REDIS_URL) ? { redisUrl: (values['redis-url'] ?? env.LUWTE_REDIS_URL)! } : {}),
		...retentionOption(intOption('attendance-retention-days', values['attendance-retention-days'] ?? env.LUWTE_ATTENDANCE_RETENTION_DAYS)),
		logLevel: (values['log-level'] ?? 'info') as 'info',
		engine: {
			...(workerCount !== undefined ? { workerCount } : {}),
			webRtc: {
				...(announced ? { announcedAddress: announced } : {}),
				...(rtcMin !== undefined || rtcMax !== undefined
					? { portRange: { min: rtcMin ?? 44400, max: rtcMax ?? (rtcMin ?? 44400) + 99 } }
					: {}),
			},
		},
	});
	io.out.write(`Luwte host listening on ${host.url} (${host.engine.health().workers} media workers)\n`);
	if (host.operatorKeyPath) io.out.write(`Operator key (manages tenants: /v1/tenants) is in ${host.operatorKeyPath}\n`);
	if (host.devApiKey) {
		io.out.write(
			`No tenants configured: using the development tenant "dev".\n  API key: ${host.devApiKey}\n  Try: curl -X POST -H "Authorization: Bearer ${host.devApiKey}" ${host.url}/v1/sessions\n`,
		);
	}
	await new Promise<void>((resolve) => {
		const stop = () => resolve();
		process.once('SIGINT', stop);
		process.once('SIGTERM', stop);
	});
	io.out.write('Stopping…\n');
	await host.close();
	return 0;
}

function retentionOption(days: number | undefined): { attendanceRetentionDays?: number } {
	return days === undefined ? {} : { attendanceRetentionDays: days };
}
