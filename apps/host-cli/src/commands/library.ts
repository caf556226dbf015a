import { readFile } from 'node:fs/promises';
import {
	activityModuleSchema,
	AdminApiError,
	libraryStatusSchema,
	MAX_SUBTITLE_BYTES,
	subtitleLangSchema,
	type AdminClient,
	type LibraryItemResource,
	type LibrarySubtitle,
} from '@luwte/sdk/admin';
import { defineCommand, defineGroup, type CliIo } from '../framework/declare.ts';
import { UsageError } from '../framework/usage-error.ts';
import { adminClientFrom, connectionNotes, connectionOptions } from './admin-connection.ts';

const json = { type: 'boolean', description: 'print the answer as JSON' } as const;
const item = [{ name: 'item', placeholder: 'ITEM', description: "the library item's ID (li_…)" }] as const;

const listCommand = defineCommand({
	name: 'list',
	summary: "List the library's items: a table (* published after a person approved its flash warnings), or JSON.",
	options: {
		module: { type: 'string', choices: activityModuleSchema.options, description: 'only items of this module' },
		status: { type: 'string', choices: libraryStatusSchema.options, description: 'only items in this state' },
		json,
		...connectionOptions,
	},
	notes: connectionNotes,
	async run({ values, io, env }) {
		const client = await adminClientFrom(values, env);
		const { items } = await client.listLibraryItems({
			...(values.module ? { module: values.module } : {}),
			...(values.status ? { status: values.status } : {}),
		});
		io.out.write(values.json ? `${JSON.stringify(items)}\n` : table(items));
	},
});

/** publish, unpublish and approve: one item changes state and is printed. */
function stateCommand(name: string, summary: string, change: (client: AdminClient, itemId: string) => Promise<LibraryItemResource>) {
	return defineCommand({
		name,
		summary,
		positionals: item,
		options: { json, ...connectionOptions },
		notes: connectionNotes,
		async run({ values, args, io, env }) {
			printItem(await change(await adminClientFrom(values, env), args.item), values.json, io);
		},
	});
}

const approveCommand = defineCommand({
	name: 'approve',
	summary: 'Someone watched the moments with flash warnings and found the recording fit to show: publish it.',
	positionals: item,
	options: {
		by: { type: 'string', placeholder: 'STAFF-ID', default: 'luwte-cli', description: 'who approved it, by a pseudonymous staff ID' },
		json,
		...connectionOptions,
	},
	notes: connectionNotes,
	async run({ values, args, io, env }) {
		printItem(await (await adminClientFrom(values, env)).approveLibraryItem(args.item, values.by), values.json, io);
	},
});

const lang = { name: 'lang', placeholder: 'LANG', description: 'the language, a BCP-47 tag (nl, en, nl-BE)' } as const;

const subtitlesAdd = defineCommand({
	name: 'add',
	summary: 'Add or replace the WebVTT subtitles of one language; a refused file changes nothing (its faults are listed).',
	positionals: [...item, lang, { name: 'file', placeholder: 'FILE', description: 'the WebVTT file (.vtt, UTF-8)' }],
	options: {
		label: { type: 'string', placeholder: 'TEXT', description: "what viewers see on the button (default the language's own name)" },
		json,
		...connectionOptions,
	},
	notes: connectionNotes,
	async run({ values, args, io, env }) {
		if (!subtitleLangSchema.safeParse(args.lang).success)
			throw new UsageError(`LANG must be a BCP-47 language tag such as nl, en or nl-BE, got "${args.lang}"`);
		const vtt = await subtitleText(args.file);
		const client = await adminClientFrom(values, env);
		const track = await withProblems(
			client.putLibrarySubtitles(args.item, args.lang, { vtt, ...(values.label !== undefined ? { label: values.label } : {}) }),
		);
		io.out.write(
			values.json
				? `${JSON.stringify(track)}\n`
				: `${args.item}: ${track.lang} subtitles (${track.label}) saved, ${track.cues} cues\n`,
		);
	},
});

const subtitlesList = defineCommand({
	name: 'list',
	summary: "List an item's subtitles: language, label, cues, last change.",
	positionals: item,
	options: { json, ...connectionOptions },
	notes: connectionNotes,
	async run({ values, args, io, env }) {
		const { subtitles } = await (await adminClientFrom(values, env)).listLibrarySubtitles(args.item);
		io.out.write(values.json ? `${JSON.stringify(subtitles)}\n` : subtitleTable(subtitles));
	},
});

const subtitlesRemove = defineCommand({
	name: 'remove',
	summary: 'Remove the subtitles of one language.',
	positionals: [...item, lang],
	options: { json, ...connectionOptions },
	notes: connectionNotes,
	async run({ values, args, io, env }) {
		const r = await (await adminClientFrom(values, env)).deleteLibrarySubtitles(args.item, args.lang);
		io.out.write(values.json ? `${JSON.stringify(r)}\n` : `${args.item}: ${r.lang} subtitles removed\n`);
	},
});

/** `luwte library subtitles add|list|remove`. */
const subtitlesCommands = defineGroup({
	name: 'subtitles',
	summary: 'WebVTT subtitles of a library item, one file per language: add or replace, list, remove.',
	commands: [subtitlesAdd, subtitlesList, subtitlesRemove],
	notes: `${connectionNotes} Docs: docs/library.md, "Subtitles".`,
});

/** `luwte library list|publish|unpublish|approve|subtitles`: the on-demand library of a running host. */
export const libraryCommands = defineGroup({
	name: 'library',
	summary: 'The on-demand library of a running host: list items, publish, unpublish, approve flash warnings, subtitles.',
	commands: [
		listCommand,
		stateCommand('publish', 'Show the item to clients (refused while it has unapproved flash warnings).', (c, id) =>
			c.publishLibraryItem(id),
		),
		stateCommand('unpublish', 'Hide the item from clients.', (c, id) => c.unpublishLibraryItem(id)),
		approveCommand,
		subtitlesCommands,
	],
	notes: `${connectionNotes} Docs: docs/library.md.`,
});

function printItem(item: LibraryItemResource, asJson: boolean, io: CliIo): void {
	io.out.write(asJson ? `${JSON.stringify(item)}\n` : `${item.id} is now ${item.status}: ${item.title}\n`);
}

function minutes(seconds: number): string {
	const s = Math.round(seconds);
	return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

function table(items: LibraryItemResource[]): string {
	if (items.length === 0) return 'No items.\n';
	const rows = [
		['ID', 'STATUS', 'MODULE', 'LENGTH', 'RECORDED', 'TITLE'],
		...items.map((i) => [
			i.id,
			i.status === 'published' && i.approvedAt ? 'published*' : i.status,
			i.module,
			minutes(i.durationSeconds),
			i.recordedAt.slice(0, 10),
			i.title,
		]),
	];
	const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
	const lines = rows.map((r) => r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]!))).join('  '));
	const approved = items.some((i) => i.status === 'published' && i.approvedAt);
	return `${lines.join('\n')}\n${approved ? '* published after a person approved its flash warnings\n' : ''}`;
}

/** The file's text, checked here first so a wrong file is named before anything is sent. */
async function subtitleText(path: string): Promise<string> {
	const bytes = await readFile(path);
	if (bytes.byteLength > MAX_SUBTITLE_BYTES)
		throw new Error(`${path} is ${bytes.byteLength} bytes; subtitle files are limited to ${MAX_SUBTITLE_BYTES}`);
	try {
		return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
	} catch {
		throw new Error(`${path} is not UTF-8 text: save it as UTF-8 and try again`);
	}
}

/** A refused file: every fault the host found, one per line, under the host's answer. */
async function withProblems<T>(p: Promise<T>): Promise<T> {
	try {
		return await p;
	} catch (err) {
		const problems =
			err instanceof AdminApiError
				? (err.details as { problems?: { line?: number; message: string }[] } | undefined)?.problems
				: undefined;
		if (!problems || problems.length < 2) throw err;
		const lines = problems.map((q) => `  ${q.line !== undefined ? `line ${q.line}: ` : ''}${q.message}`).join('\n');
		throw new Error(
			`the host answered ${(err as AdminApiError).status} (${(err as AdminApiError).code}): ${(err as AdminApiError).message}\n${lines}`,
		);
	}
}

function subtitleTable(subtitles: LibrarySubtitle[]): string {
	if (subtitles.length === 0) return 'No subtitles.\n';
	const rows = [
		['LANG', 'CUES', 'CHANGED', 'LABEL'],
		...subtitles.map((s) => [s.lang, String(s.cues), s.updatedAt.slice(0, 16).replace('T', ' '), s.label]),
	];
	const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
	return `${rows.map((r) => r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]!))).join('  ')).join('\n')}\n`;
}
