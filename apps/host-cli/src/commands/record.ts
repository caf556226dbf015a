import type { AdminClient, LibraryItemResource, RecordingResource } from '@luwte/sdk/admin';
import { defineCommand, defineGroup, type CliIo } from '../framework/declare.ts';
import { UsageError } from '../framework/usage-error.ts';
import { adminClientFrom, connectionNotes, connectionOptions } from './admin-connection.ts';

/** How often --wait asks for progress. */
const POLL_MS = 500;
/** How long `record start` waits for the recorder's writers to run before saying who is recorded. */
const SETTLE_MS = 8000;
const SETTLE_POLL_MS = 250;

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
		const client = await adminClientFrom(values, env);
		const started = await client.startRecording(args.session);
		const { recording, expected } = await settle(client, args.session, started);
		print(io, values.json, recording, `recording ${recording.recordingId} started; ${whoIsRecorded(recording, expected)}`);
	},
});

/**
 * The recording once its writers run. The host answers the start before the recorder's writers
 * (one ffmpeg per participant) have started, so `recorded` is empty at first even while hosts
 * publish; when someone connected may be recorded (a host, or someone who consented), this asks
 * again until somebody is recorded or SETTLE_MS passed.
 */
async function settle(
	client: AdminClient,
	sessionId: string,
	started: RecordingResource,
): Promise<{ recording: RecordingResource; expected: string[] }> {
	const [{ participants }, { consent }] = await Promise.all([client.getSession(sessionId), client.getSessionRecording(sessionId)]);
	const consented = new Set(consent.filter((c) => c.consent).map((c) => c.participantId));
	const expected = participants.filter((p) => p.role === 'host' || consented.has(p.participantId)).map((p) => p.participantId);
	let recording = started;
	const deadline = Date.now() + SETTLE_MS;
	while (recording.recorded.length === 0 && expected.length > 0 && Date.now() < deadline) {
		await new Promise((res) => setTimeout(res, SETTLE_POLL_MS));
		const now = await client.getSessionRecording(sessionId);
		if (!now.recording || now.recording.recordingId !== started.recordingId) break;
		recording = now.recording;
	}
	return { recording, expected };
}

function whoIsRecorded(r: RecordingResource, expected: readonly string[]): string {
	if (r.recorded.length > 0) return `recorded now: ${r.recorded.join(', ')}`;
	const rule = 'hosts are recorded once they publish, others once their consent is registered';
	if (expected.length === 0) return `nobody is recorded yet: ${rule}`;
	return `nobody is recorded yet after ${SETTLE_MS / 1000} s (${expected.join(', ')} may be, once publishing; ${rule}); luwte record status ${r.recordingId} shows who is`;
}

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
	// A made item may be held back (flash warnings): say so rather than a bare "done".
	const item = r.state === 'done' && r.itemId ? await client.getLibraryItem(r.itemId) : undefined;
	print(io, values.json, item ? { ...r, item } : r, describe(r, item));
	return r.state === 'failed' ? 1 : 0;
}

function describe(r: RecordingResource, item: LibraryItemResource | undefined): string {
	switch (r.state) {
		case 'recording':
			return `recording ${r.recordingId} is recording: ${r.recorded.join(', ') || 'nobody'}`;
		case 'processing':
			return `recording ${r.recordingId} is being processed${r.progress ? ` (${Math.round(r.progress.fraction * 100)} %, ${r.progress.phase})` : ''}${r.itemId ? `; library item ${r.itemId}` : ''}`;
		case 'done':
			return `recording ${r.recordingId} is done: ${item ? itemState(item) : `library item ${r.itemId}`}`;
		case 'failed':
			return `recording ${r.recordingId} failed: ${r.error}`;
	}
}

/** Where the made item stands: published, or held back for review and why. */
function itemState(item: LibraryItemResource): string {
	if (item.status !== 'flagged') return `library item ${item.id} is ${item.status}`;
	const windows = item.flash?.windows ?? [];
	const at = windows
		.slice(0, 3)
		.map((w) => `${clock(w.startSeconds)}-${clock(w.endSeconds)} up to ${w.maxFlashesPerSecond} flashes/s`)
		.join(', ');
	return `library item ${item.id} is held back for review, flagged: flash warnings in ${windows.length} moment${windows.length === 1 ? '' : 's'}${at ? ` (${at}${windows.length > 3 ? ', …' : ''})` : ''}; after someone watched them: luwte library approve ${item.id}`;
}

function clock(seconds: number): string {
	const s = Math.floor(seconds);
	return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
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
