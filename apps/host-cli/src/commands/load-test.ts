import { readFile } from 'node:fs/promises';
import { defineCommand } from '../framework/declare.ts';
import { UsageError } from '../framework/usage-error.ts';
import { adminClientFrom, connectionNotes, connectionOptions, connectionFrom } from './admin-connection.ts';
import { jsonOption } from './output.ts';

/** `luwte load-test`: real WebRTC publishers and subscribers against a running host. */
export const loadTestCommand = defineCommand({
	name: 'load-test',
	summary: 'Load a running host with real WebRTC clients (publishers and receive-only subscribers) and report what arrived.',
	options: {
		publishers: {
			type: 'integer',
			placeholder: 'N',
			default: 1,
			description: 'clients publishing a synthetic camera (simulcast) and microphone (1-20)',
		},
		subscribers: {
			type: 'integer',
			placeholder: 'N',
			default: 10,
			description: 'viewers receiving every publisher, counting packets without decoding (0-500)',
		},
		duration: {
			type: 'integer',
			placeholder: 'SECONDS',
			default: 30,
			description: 'the measured window, after every client joined (1-3600)',
		},
		'single-layer': { type: 'boolean', description: 'publish camera video as one layer instead of simulcast' },
		'join-concurrency': { type: 'integer', placeholder: 'N', default: 10, description: 'clients joining at the same time (1-200)' },
		'operator-key-file': {
			type: 'string',
			placeholder: 'FILE',
			description:
				"the host's operator key, to report its media workers' CPU from /metrics (else LUWTE_OPERATOR_KEY; without either, left out)",
		},
		json: jsonOption,
		...connectionOptions,
	},
	notes: `Progress goes to stderr once a second; the table (or --json) to stdout at the end. Ctrl-C ends the window early: everyone leaves, the session ends, the report covers the time measured. Needs @roamhq/wrtc (libwebrtc for Node). ${connectionNotes}`,
	async run({ values, io, env }) {
		const bound = (name: string, v: number, min: number, max: number) => {
			if (v < min || v > max) throw new UsageError(`--${name} must be ${min} to ${max}, got ${v}`);
		};
		bound('publishers', values.publishers, 1, 20);
		bound('subscribers', values.subscribers, 0, 500);
		bound('duration', values.duration, 1, 3600);
		bound('join-concurrency', values['join-concurrency'], 1, 200);
		const { server } = await connectionFrom(values, env);
		const admin = await adminClientFrom(values, env);
		const keyFile = values['operator-key-file'];
		const operatorKey = keyFile
			? (
					await readFile(keyFile, 'utf8').catch((err: unknown) => {
						throw new UsageError(`cannot read ${keyFile}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, {
							cause: err,
						});
					})
				).trim()
			: env.LUWTE_OPERATOR_KEY?.trim() || undefined;
		// Loaded here, not at the top: help and the other commands do not need libwebrtc.
		const wrtc = (
			await import('@roamhq/wrtc').catch((err: unknown) => {
				throw new Error('luwte load-test needs the package @roamhq/wrtc (libwebrtc for Node)', { cause: err });
			})
		).default;
		const { runLoad } = await import('../load/run-load.ts');
		const { reportTable } = await import('../load/summary.ts');

		// libwebrtc's threads can crash the process as Node tears down at a natural exit (SIGSEGV
		// after the report): leave through process.exit once the event loop is empty instead.
		process.once('beforeExit', (code) => process.exit(code));
		const abort = new AbortController();
		const onSignal = () => abort.abort();
		process.once('SIGINT', onSignal);
		const tty = io.err.isTTY === true;
		try {
			const report = await runLoad({
				server,
				admin,
				wrtc: wrtc as never,
				publishers: values.publishers,
				subscribers: values.subscribers,
				durationSeconds: values.duration,
				simulcast: !values['single-layer'],
				joinConcurrency: values['join-concurrency'],
				operatorKey,
				signal: abort.signal,
				progress: (line) => io.err.write(tty ? `\r\x1b[K${line}` : `${line}\n`),
			});
			if (tty) io.err.write('\n');
			io.out.write(values.json ? `${JSON.stringify(report)}\n` : `${reportTable(report)}\n`);
			return report.failures.count > 0 || report.interrupted ? 1 : 0;
		} finally {
			process.off('SIGINT', onSignal);
		}
	},
});
