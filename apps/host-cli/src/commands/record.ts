import { parseArgs } from 'node:util';
import type { AdminClient, RecordingResource } from '@luwte/sdk/admin';
import type { CliIo } from '../cli.ts';
import { adminClientFrom, connectionHelp, connectionOptions, UsageError } from './admin-connection.ts';

export const recordUsage = `usage: luwte record start SESSION [--json]
       luwte record stop SESSION [--wait] [--json]
       luwte record status RECORDING [--wait] [--json]
       luwte record consent SESSION PARTICIPANT yes|no [--json]
  start    hosts are recorded; others only once their consent is registered
  stop     ends the recording; the library item is made afterwards (--wait: show its progress until done)
  consent  registers (yes) or withdraws (no) a participant's consent; withdrawal cuts them at once
${connectionHelp}
`;

/** How often --wait asks for progress. */
const POLL_MS = 500;

/** `luwte record …`: recording sessions on a running host. */
export async function recordCommand(argv: string[], io: CliIo & { err: { isTTY?: boolean } }, env: NodeJS.ProcessEnv = process.env): Promise<number> {
	const [sub, ...rest] = argv;
	if (sub !== 'start' && sub !== 'stop' && sub !== 'status' && sub !== 'consent') {
		io.err.write(recordUsage);
		return 2;
	}
	const { values, positionals } = parseArgs({
		args: rest,
		options: { ...connectionOptions, wait: { type: 'boolean', default: false }, json: { type: 'boolean', default: false } },
		allowPositionals: true,
		strict: true,
	});
	try {
		const want = sub === 'consent' ? 3 : 1;
		if (positionals.length !== want) throw new UsageError(`${sub} takes ${sub === 'consent' ? 'SESSION PARTICIPANT yes|no' : sub === 'status' ? 'one recording ID' : 'one session ID'}`);
		const client = await adminClientFrom(values, env);
		const out = (value: unknown, text: string) => io.out.write(values.json ? `${JSON.stringify(value)}\n` : `${text}\n`);
		switch (sub) {
			case 'start': {
				const r = await client.startRecording(positionals[0]!);
				out(r, `recording ${r.recordingId} started; recorded now: ${r.recorded.join(', ') || '(nobody publishes yet)'}`);
				return 0;
			}
			case 'consent': {
				const [sessionId, participantId, answer] = positionals as [string, string, string];
				if (answer !== 'yes' && answer !== 'no') throw new UsageError(`consent is yes or no, got "${answer}"`);
				const c = await client.setRecordingConsent(sessionId, participantId, answer === 'yes');
				out(c, `${c.participantId}: consent ${c.consent ? 'given' : 'withdrawn'} at ${c.at}`);
				return 0;
			}
			case 'stop':
			case 'status': {
				let r = sub === 'stop' ? await client.stopRecording(positionals[0]!) : await client.getRecording(positionals[0]!);
				if (values.wait) r = await waitForItem(client, r, io);
				out(r, describe(r));
				return r.state === 'failed' ? 1 : 0;
			}
		}
	} catch (err) {
		if (!(err instanceof UsageError)) throw err;
		io.err.write(`${err.message}\n\n${recordUsage}`);
		return 2;
	}
}

function describe(r: RecordingResource): string {
	switch (r.state) {
		case 'recording':
			return `recording ${r.recordingId} is recording: ${r.recorded.join(', ') || 'nobody'}`;
		case 'processing':
			return `recording ${r.recordingId} is being processed${r.progress ? ` (${Math.round(r.progress.fraction * 100)} %, ${r.progress.phase})` : ''}${r.itemId ? `; library item ${r.itemId}` : ''}`;
		case 'done':
			return `recording ${r.recordingId} is done: library item ${r.itemId}`;
		case 'failed':
			return `recording ${r.recordingId} failed: ${r.error}`;
	}
}

/** Polls until the item is made, drawing a progress bar on stderr (one line per step when not a terminal). */
async function waitForItem(client: AdminClient, first: RecordingResource, io: { err: { write(s: string): unknown; isTTY?: boolean } }): Promise<RecordingResource> {
	let r = first;
	let lastPhase = '';
	const tty = io.err.isTTY === true;
	for (;;) {
		if (r.state === 'done' || r.state === 'failed') break;
		const fraction = r.progress?.fraction ?? 0;
		const phase = r.progress?.phase ?? 'queued';
		if (tty) {
			const width = 30;
			const filled = Math.round(fraction * width);
			io.err.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(Math.round(fraction * 100)).padStart(3)} % ${phase.padEnd(18)}`);
		} else if (phase !== lastPhase) {
			io.err.write(`${String(Math.round(fraction * 100)).padStart(3)} % ${phase}\n`);
		}
		lastPhase = phase;
		await new Promise((res) => setTimeout(res, POLL_MS));
		r = await client.getRecording(r.recordingId);
	}
	if (tty) io.err.write(`\r[${'#'.repeat(30)}] 100 % ${r.state.padEnd(18)}\n`);
	else io.err.write(`100 % ${r.state}\n`);
	return r;
}
