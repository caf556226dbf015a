import { parseArgs } from 'node:util';
import { libraryListQuerySchema, type LibraryItemResource } from '@luwte/sdk/admin';
import type { CliIo } from '../cli.ts';
import { adminClientFrom, connectionHelp, connectionOptions, UsageError } from './admin-connection.ts';

export const libraryUsage = `usage: luwte library list [--module MODULE] [--status STATUS] [--json]
       luwte library publish ITEM [--json]
       luwte library unpublish ITEM [--json]
       luwte library approve ITEM [--by STAFF-ID] [--json]
  MODULE  communicatie, eigen-regie, fit-en-vitaal, vaardig-en-creatief, talent-en-ambitie
  STATUS  processing, failed, flagged, published, unpublished
  approve: someone watched the moments with flash warnings and found the recording fit to show;
           --by names them by a pseudonymous staff ID (default luwte-cli).
${connectionHelp}
`;

/** `luwte library list|publish|unpublish|approve`: the on-demand library of a running host. */
export async function libraryCommand(argv: string[], io: CliIo, env: NodeJS.ProcessEnv = process.env): Promise<number> {
	const [sub, ...rest] = argv;
	if (sub !== 'list' && sub !== 'publish' && sub !== 'unpublish' && sub !== 'approve') {
		io.err.write(libraryUsage);
		return 2;
	}
	const { values, positionals } = parseArgs({
		args: rest,
		options: {
			...connectionOptions,
			module: { type: 'string' },
			status: { type: 'string' },
			by: { type: 'string', default: 'luwte-cli' },
			json: { type: 'boolean', default: false },
		},
		allowPositionals: true,
		strict: true,
	});
	try {
		if (sub === 'list') {
			if (positionals.length > 0) throw new UsageError(`list takes no item, got "${positionals[0]}"`);
			const query = libraryListQuerySchema.safeParse({ ...(values.module ? { module: values.module } : {}), ...(values.status ? { status: values.status } : {}) });
			if (!query.success) throw new UsageError(`invalid --${String(query.error.issues[0]?.path[0])}: ${query.error.issues[0]?.message}`);
			const client = await adminClientFrom(values, env);
			const { items } = await client.listLibraryItems(query.data);
			io.out.write(values.json ? `${JSON.stringify(items)}\n` : table(items));
			return 0;
		}
		const [itemId, ...more] = positionals;
		if (!itemId || more.length > 0) throw new UsageError(`${sub} takes one item ID`);
		const client = await adminClientFrom(values, env);
		const item =
			sub === 'publish'
				? await client.publishLibraryItem(itemId)
				: sub === 'unpublish'
					? await client.unpublishLibraryItem(itemId)
					: await client.approveLibraryItem(itemId, values.by);
		io.out.write(values.json ? `${JSON.stringify(item)}\n` : `${item.id} is now ${item.status}: ${item.title}\n`);
		return 0;
	} catch (err) {
		if (!(err instanceof UsageError)) throw err;
		io.err.write(`${err.message}\n\n${libraryUsage}`);
		return 2;
	}
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
