import type { AdminClient, RecordingResource } from '@luwte/sdk/admin';
import { defineCommand, defineGroup, type CliIo } from '../framework/declare.ts';
import { UsageError } from '../framework/usage-error.ts';
import { adminClientFrom, connectionNotes, connectionOptions } from './admin-connection.ts';

/** How often --wait asks for progress. */
const POLL_MS = 500;

const json = { type: 'boolean', description: 'print the answer as JSON' } as const;
const wait = { type: 'boolean', description: 'show the library item being made (a progress bar on stderr) until it is done' } as const;
const session = { name: 'session', description: "the session's ID" } as const;

function print(io: CliIo, asJson: boolean, value: unknown, text: string): void {
	io.out.write(asJson ? `${JSON.stringify(value)}\n` : `${text}\n`);
}

const startCommand = defineCommand({
	name: 'start',
	summary: 'Start recording a session: hosts at once, others only once their consent is registered.',
	positionals: [session],
	options: { json, ...connectionOptions },
	notes: connectionNotes,
	async run({ values, args, io, env }) {
		const r = await (await adminClientFrom(values, env)).startRecording(args.session);
		print(io, values.json, r, `recording ${r.recordingId} started; recorded now: ${r.recorded.join(', ') || '(nobody publishes yet)'}`);
	},
});

const stopCommand = defineCommand({
	name: 'stop',
	summary: "End a session's recording; the library item is made afterwards. Exits with 1 if making it failed.",
	positionals: [session],
	options: { wait, json, ...connectionOptions },
	notes: connectionNotes,
	async run({ values, args, io, env }) {
		const client = await adminClientFrom(values, env);
		return report(client, await client.stopRecording(args.session), values, io);
	},
});

const statusCommand = defineCommand({
	name: 'status',
	summary: 'Show a recording: recording, being processed (with progress), done (its library item) or failed (exit 1).',
	positionals: [{ name: 'recording', description: "the recording's ID" }],
	options: { wait, json, ...connectionOptions },
	notes: connectionNotes,
	async run({ values, args, io, env }) {
		const client = await adminClientFrom(values, env);
		return report(client, await client.getRecording(args.recording), values, io);
	},
});

const consentCommand = defineCommand({
	name: 'consent',
	summary: "Register (yes) or withdraw (no) a participant's consent to be recorded; withdrawal cuts them from the recording at once.",
	positionals: [
		session,
		{ name: 'participant', description: "the participant's pseudonymous ID" },
		{ name: 'answer', placeholder: 'yes|no', description: 'consent given or withdrawn' },
	],
	options: { json, ...connectionOptions },
	notes: connectionNotes,
	async run({ values, args, io, env }) {
		if (args.answer !== 'yes' && args.answer !== 'no') throw new UsageError(`consent is yes or no, got "${args.answer}"`);
		const c = await (await adminClientFrom(values, env)).setRecordingConsent(args.session, args.participant, args.answer === 'yes');
		print(io, values.json, c, `${c.participantId}: consent ${c.consent ? 'given' : 'withdrawn'} at ${c.at}`);
	},
});

/** `luwte record …`: recording sessions on a running host. */
export const recordCommands = defineGroup({
	name: 'record',
	summary: 'Record live sessions on a running host into the on-demand library.',
	commands: [startCommand, stopCommand, statusCommand, consentCommand],
	notes: `${connectionNotes} Docs: docs/recording.md.`,
});

/** Prints the recording (after following it to the end with --wait); 1 when it failed. */
async function report(client: AdminClient, first: RecordingResource, values: { wait: boolean; json: boolean }, io: CliIo): Promise<number> {
	const r = values.wait ? await waitForItem(client, first, io) : first;
	print(io, values.json, r, describe(r));
	return r.state === 'failed' ? 1 : 0;
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
async function waitForItem(client: AdminClient, first: RecordingResource, io: CliIo): Promise<RecordingResource> {
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
			io.err.write(
				`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(Math.round(fraction * 100)).padStart(3)} % ${phase.padEnd(18)}`,
			);
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
