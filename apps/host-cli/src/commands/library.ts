import { activityModuleSchema, libraryStatusSchema, type AdminClient, type LibraryItemResource } from '@luwte/sdk/admin';
import { defineCommand, defineGroup, type CliIo } from '../framework/declare.ts';
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

/** `luwte library list|publish|unpublish|approve`: the on-demand library of a running host. */
export const libraryCommands = defineGroup({
	name: 'library',
	summary: 'The on-demand library of a running host: list items, publish, unpublish, approve flash warnings.',
	commands: [
		listCommand,
		stateCommand('publish', 'Show the item to clients (refused while it has unapproved flash warnings).', (c, id) =>
			c.publishLibraryItem(id),
		),
		stateCommand('unpublish', 'Hide the item from clients.', (c, id) => c.unpublishLibraryItem(id)),
		approveCommand,
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
