import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { bill, billingToCsv, billingToJson, contractsFileSchema, indicationsFileSchema, parseLedgerEvent, type LedgerEvent } from '@luwte/engine';
import type { CliIo } from '../cli.ts';
import { adminClientFrom, connectionFrom, connectionHelp, connectionOptions, UsageError as ConnectionUsageError } from './admin-connection.ts';

const usage = `usage: luwte attendance bill --events EVENTS.jsonl --contracts CONTRACTS.json --indications INDICATIONS.json
                              --from YYYY-MM --to YYYY-MM [--format csv|json] [--tenant ID]
       luwte attendance bill --from YYYY-MM --to YYYY-MM [--format csv|json]      (a running host)
       luwte attendance forget CLIENT                                              (a running host)
  bill: billing lines (one per client × financer × month) and exceptions. With --events: offline,
  from a ledger export and the two files (--tenant when the file holds several tenants); without:
  the running host's ledger with the contracts and indications stored there. The same input gives
  the same bytes either way. Formats and rules: docs/billing.md.
  forget: removes every attendance event of one client from the host's ledger; others' totals stay.
${connectionHelp}
`;

/** A bad input file or option: reported as a usage error (exit 2), naming the file, line and field. */
class UsageError extends Error {}

/** `luwte attendance bill …` (offline, from files). */
export async function attendanceCommand(argv: string[], io: CliIo, env: NodeJS.ProcessEnv = process.env): Promise<number> {
	const [sub, ...rest] = argv;
	if (sub === undefined || sub === 'help' || sub === '--help') {
		io.out.write(usage);
		return 0;
	}
	if (sub === 'forget') return forget(rest, io, env);
	if (sub !== 'bill') {
		io.err.write(`unknown subcommand "${sub}"\n\n${usage}`);
		return 2;
	}
	const { values } = parseArgs({
		args: rest,
		options: {
			events: { type: 'string' },
			contracts: { type: 'string' },
			indications: { type: 'string' },
			from: { type: 'string' },
			to: { type: 'string' },
			format: { type: 'string', default: 'csv' },
			tenant: { type: 'string' },
			...connectionOptions,
		},
		strict: true,
	});
	try {
		const required = (name: 'events' | 'contracts' | 'indications' | 'from' | 'to'): string => {
			const v = values[name];
			if (!v) throw new UsageError(`--${name} is required`);
			return v;
		};
		const from = month(required('from'), 'from');
		const to = month(required('to'), 'to');
		if (to < from) throw new UsageError(`--to ${to} is before --from ${from}`);
		if (values.format !== 'csv' && values.format !== 'json') throw new UsageError(`--format must be csv or json, not "${values.format}"`);
		if (!values.events) {
			// Online: the host derives it from its own ledger; its bytes are printed as they come.
			if (values.contracts || values.indications || values.tenant) throw new UsageError('--contracts, --indications and --tenant go with --events (offline)');
			const { server, apiKey } = await connectionFrom(values, env);
			const res = await fetch(new URL(`/v1/billing?from=${from}&to=${to}&format=${values.format}`, server), { headers: { authorization: `Bearer ${apiKey}` } });
			const text = await res.text();
			if (!res.ok) {
				io.err.write(`luwte attendance bill: the host answered ${res.status}: ${text}\n`);
				return 1;
			}
			io.out.write(text);
			return 0;
		}
		const events = await readEvents(required('events'), values.tenant);
		const contracts = await readJsonFile(required('contracts'), contractsFileSchema);
		const indications = await readJsonFile(required('indications'), indicationsFileSchema);
		const result = bill({ events, contracts: contracts.contracts, indications: indications.indications, from, to });
		io.out.write(values.format === 'json' ? billingToJson(result) : billingToCsv(result));
		return 0;
	} catch (err) {
		if (!(err instanceof UsageError) && !(err instanceof ConnectionUsageError)) throw err;
		io.err.write(`luwte attendance bill: ${err.message}\n\n${usage}`);
		return 2;
	}
}

function month(value: string, option: string): string {
	if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(value)) throw new UsageError(`--${option} must be a month as YYYY-MM, not "${value}"`);
	return value;
}

async function readText(path: string): Promise<string> {
	try {
		return await readFile(path, 'utf8');
	} catch (err) {
		throw new UsageError(`cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
	}
}

/** The ledger export: one event per line (JSON). Types billing does not read are skipped. */
async function readEvents(path: string, tenant: string | undefined): Promise<LedgerEvent[]> {
	const name = basename(path);
	const events: LedgerEvent[] = [];
	const lines = (await readText(path)).split('\n');
	for (let i = 0; i < lines.length; i++) {
		const line = lines[i]!.trim();
		if (line === '') continue;
		let raw: unknown;
		try {
			raw = JSON.parse(line);
		} catch {
			throw new UsageError(`${name} line ${i + 1}: not valid JSON`);
		}
		const parsed = parseLedgerEvent(raw);
		if (!parsed.ok) throw new UsageError(`${name} line ${i + 1}, field ${parsed.field}: ${parsed.message}`);
		if (parsed.event && (tenant === undefined || parsed.event.tenantId === tenant)) events.push(parsed.event);
	}
	const tenants = [...new Set(events.map((e) => e.tenantId))].sort();
	if (tenants.length > 1) throw new UsageError(`${name} holds events of several tenants (${tenants.join(', ')}): choose one with --tenant`);
	return events;
}

interface FileSchema<T> {
	safeParse(raw: unknown): { success: true; data: T } | { success: false; error: { issues: readonly { path: readonly PropertyKey[]; message: string }[] } };
}

async function readJsonFile<T>(path: string, schema: FileSchema<T>): Promise<T> {
	const name = basename(path);
	let raw: unknown;
	try {
		raw = JSON.parse(await readText(path));
	} catch (err) {
		if (err instanceof UsageError) throw err;
		throw new UsageError(`${name}: not valid JSON (${(err as Error).message})`);
	}
	const parsed = schema.safeParse(raw);
	if (!parsed.success) {
		const issue = parsed.error.issues[0]!;
		throw new UsageError(`${name}, field ${issue.path.map(String).join('.') || '(file)'}: ${issue.message}`);
	}
	return parsed.data;
}

/** `luwte attendance forget CLIENT`: the host removes that client's events from its ledger. */
async function forget(argv: string[], io: CliIo, env: NodeJS.ProcessEnv): Promise<number> {
	const { values, positionals } = parseArgs({ args: argv, options: { ...connectionOptions, json: { type: 'boolean', default: false } }, allowPositionals: true, strict: true });
	try {
		if (positionals.length !== 1) throw new UsageError('forget takes one client ID');
		const r = await (await adminClientFrom(values, env)).forgetClient(positionals[0]!);
		io.out.write(values.json ? `${JSON.stringify(r)}\n` : `${r.clientId}: ${r.removedEvents} events removed\n`);
		return 0;
	} catch (err) {
		if (!(err instanceof UsageError) && !(err instanceof ConnectionUsageError)) throw err;
		io.err.write(`luwte attendance forget: ${err.message}\n\n${usage}`);
		return 2;
	}
}
