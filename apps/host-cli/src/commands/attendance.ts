import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { LedgerEvent } from '@luwte/engine/attendance';
import { issueFields, messageOf } from '@luwte/errors';
import { defineCommand, defineGroup } from '../framework/declare.ts';
import { UsageError } from '../framework/usage-error.ts';
import { adminClientFrom, connectionNotes, connectionOptions } from './admin-connection.ts';

const month = { type: 'string', placeholder: 'YYYY-MM', required: true } as const;

/** `luwte attendance bill`: offline from a ledger export and two files, or from a running host. */
const billCommand = defineCommand({
	name: 'bill',
	summary: 'Billing lines (one per client × financer × month) and exceptions. The same input gives the same bytes either way.',
	forms: [
		{
			synopsis: '--events F.jsonl --contracts F.json --indications F.json --from YYYY-MM --to YYYY-MM',
			summary: 'offline: from a ledger export and the two files (--tenant when the export holds several tenants)',
		},
		{
			synopsis: '--from YYYY-MM --to YYYY-MM',
			summary: 'against a running host: its ledger, with the contracts and indications stored there',
		},
	],
	options: {
		events: { type: 'string', placeholder: 'EVENTS.jsonl', description: 'a ledger export, one event per line (offline)' },
		contracts: { type: 'string', placeholder: 'CONTRACTS.json', description: 'the contracts with the financers (offline)' },
		indications: { type: 'string', placeholder: 'INDICATIONS.json', description: "the clients' indications (offline)" },
		from: { ...month, description: 'the first month, inclusive' },
		to: { ...month, description: 'the last month, inclusive' },
		format: { type: 'string', choices: ['csv', 'json'], default: 'csv', description: 'the output format' },
		tenant: { type: 'string', placeholder: 'ID', description: "only this tenant's events (offline)" },
		...connectionOptions,
	},
	notes: `Formats and rules: docs/billing.md. ${connectionNotes}`,
	async run({ values, io, env }) {
		const from = monthOf(values.from, 'from');
		const to = monthOf(values.to, 'to');
		if (to < from) throw new UsageError(`--to ${to} is before --from ${from}`);
		if (!values.events) {
			if (values.contracts || values.indications || values.tenant)
				throw new UsageError('--contracts, --indications and --tenant go with --events (offline)');
			// The host derives it from its own ledger; its bytes are printed as they come.
			const client = await adminClientFrom(values, env);
			io.out.write(await client.callText('getBilling', { query: { from, to, format: values.format } }));
			return;
		}
		if (!values.contracts) throw new UsageError('--contracts is required');
		if (!values.indications) throw new UsageError('--indications is required');
		// Loaded here, not at the top: `luwte --help` need not wait for the engine.
		const { bill, billingToCsv, billingToJson, contractsFileSchema, indicationsFileSchema } = await import('@luwte/engine/attendance');
		const events = await readEvents(values.events, values.tenant);
		const contracts = await readJsonFile(values.contracts, contractsFileSchema);
		const indications = await readJsonFile(values.indications, indicationsFileSchema);
		const result = bill({ events, contracts: contracts.contracts, indications: indications.indications, from, to });
		io.out.write(values.format === 'json' ? billingToJson(result) : billingToCsv(result));
	},
});

/** `luwte attendance forget CLIENT`: the host removes that client's events from its ledger. */
const forgetCommand = defineCommand({
	name: 'forget',
	summary: "Remove every attendance event of one client from a running host's ledger; others' totals stay the same.",
	positionals: [{ name: 'client', description: "the client's pseudonymous ID" }],
	options: { json: { type: 'boolean', description: 'print the answer as JSON' }, ...connectionOptions },
	notes: connectionNotes,
	async run({ values, args, io, env }) {
		const r = await (await adminClientFrom(values, env)).forgetClient(args.client);
		io.out.write(values.json ? `${JSON.stringify(r)}\n` : `${r.clientId}: ${r.removedEvents} events removed\n`);
	},
});

/** `luwte attendance export`: one session's attendance, or the ledger of a period, from a running host. */
const exportCommand = defineCommand({
	name: 'export',
	summary: "Export from a running host's ledger: who attended one session, or the events of whole months.",
	forms: [
		{
			synopsis: '--session ID [--format csv|json]',
			summary: 'one session: participant, role, joined, left, attended minutes, reconnects',
		},
		{
			synopsis: '--events --from YYYY-MM --to YYYY-MM',
			summary: 'the ledger as JSON Lines, streamed; `attendance bill --events FILE` reads it as is',
		},
	],
	options: {
		session: { type: 'string', placeholder: 'ID', description: "the session's ID" },
		format: { type: 'string', choices: ['csv', 'json'], default: 'csv', description: 'the output format (--session)' },
		events: { type: 'boolean', description: 'export the ledger of the months --from to --to' },
		from: { type: 'string', placeholder: 'YYYY-MM', description: 'the first month, inclusive (--events)' },
		to: { type: 'string', placeholder: 'YYYY-MM', description: 'the last month, inclusive (--events)' },
		...connectionOptions,
	},
	notes: `The export holds every event of the months and every event of the sessions in them (a schedule made the month before, a leave after midnight), so billing it offline gives what the host bills. Formats: docs/attendance.md. ${connectionNotes}`,
	async run({ values, io, env }) {
		if (values.session !== undefined && values.events) throw new UsageError('give --session or --events, not both');
		if (values.session !== undefined) {
			if (values.from !== undefined || values.to !== undefined) throw new UsageError('--from and --to go with --events');
			const client = await adminClientFrom(values, env);
			io.out.write(
				await client.callText('getSessionAttendance', { params: { sessionId: values.session }, query: { format: values.format } }),
			);
			return;
		}
		if (!values.events) throw new UsageError('give --session ID or --events');
		if (values.from === undefined) throw new UsageError('--from is required with --events');
		if (values.to === undefined) throw new UsageError('--to is required with --events');
		const from = monthOf(values.from, 'from');
		const to = monthOf(values.to, 'to');
		if (to < from) throw new UsageError(`--to ${to} is before --from ${from}`);
		const client = await adminClientFrom(values, env);
		const reader = (await client.callStream('exportAttendanceEvents', { query: { from, to } })).getReader();
		const decoder = new TextDecoder();
		for (;;) {
			const { done, value } = await reader.read();
			if (done) break;
			await write(io.out, decoder.decode(value, { stream: true }));
		}
		await write(io.out, decoder.decode());
	},
});

/** Writes and, when the output is a stream that is full (a slow pipe), waits for it to drain. */
async function write(out: { write(s: string): unknown }, text: string): Promise<void> {
	if (text === '') return;
	const flushed = out.write(text);
	const stream = out as { once?: (event: 'drain', listener: () => void) => unknown };
	if (flushed === false && typeof stream.once === 'function') await new Promise<void>((resolve) => stream.once!('drain', resolve));
}

export const attendanceCommands = defineGroup({
	name: 'attendance',
	summary: 'Attendance and billing: bill a period offline or against a running host, export attendance, forget a client.',
	commands: [billCommand, exportCommand, forgetCommand],
	notes: 'Docs: docs/attendance.md and docs/billing.md.',
});

function monthOf(value: string, option: string): string {
	if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(value)) throw new UsageError(`--${option} must be a month as YYYY-MM, not "${value}"`);
	return value;
}

/** A file named on the command line: one that cannot be read is a usage error. */
async function readText(path: string): Promise<string> {
	try {
		return await readFile(path, 'utf8');
	} catch (err) {
		throw new UsageError(`cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? messageOf(err)}`, { cause: err });
	}
}

/** The ledger export: one event per line (JSON). Types billing does not read are skipped. */
async function readEvents(path: string, tenant: string | undefined): Promise<LedgerEvent[]> {
	const { parseLedgerEvent } = await import('@luwte/engine/attendance');
	const name = basename(path);
	const events: LedgerEvent[] = [];
	const lines = (await readText(path)).split('\n');
	for (let i = 0; i < lines.length; i++) {
		const line = lines[i]!.trim();
		if (line === '') continue;
		let raw: unknown;
		try {
			raw = JSON.parse(line);
		} catch (err) {
			throw new UsageError(`${name} line ${i + 1}: not valid JSON`, { cause: err });
		}
		const parsed = parseLedgerEvent(raw);
		if (!parsed.ok) throw new UsageError(`${name} line ${i + 1}, field ${parsed.field}: ${parsed.message}`);
		if (parsed.event && (tenant === undefined || parsed.event.tenantId === tenant)) events.push(parsed.event);
	}
	const tenants = [...new Set(events.map((e) => e.tenantId))].sort();
	if (tenants.length > 1)
		throw new UsageError(`${name} holds events of several tenants (${tenants.join(', ')}): choose one with --tenant`);
	return events;
}

interface FileSchema<T> {
	safeParse(raw: unknown): { success: true; data: T } | { success: false; error: { issues: Parameters<typeof issueFields>[0] } };
}

/** A JSON file checked against its schema; a bad one is a usage error naming the file and the field. */
async function readJsonFile<T>(path: string, schema: FileSchema<T>): Promise<T> {
	const name = basename(path);
	const text = await readText(path);
	let raw: unknown;
	try {
		raw = JSON.parse(text);
	} catch (err) {
		throw new UsageError(`${name}: not valid JSON (${messageOf(err)})`, { cause: err });
	}
	const parsed = schema.safeParse(raw);
	if (parsed.success) return parsed.data;
	const [first, ...rest] = issueFields(parsed.error.issues);
	throw new UsageError(
		`${name}, field ${first?.field ?? '(root)'}: ${first?.message ?? 'invalid'}${rest.length > 0 ? ` (and ${rest.length} more)` : ''}`,
	);
}
