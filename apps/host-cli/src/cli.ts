import { messageOf } from '@luwte/errors';
import { AdminApiError } from '@luwte/sdk/admin';
import type { CliIo, CommandNode } from './framework/declare.ts';
import { asksForHelp, parseCommandArgs } from './framework/parse.ts';
import { closest } from './framework/suggest.ts';
import { usageOf } from './framework/usage.ts';
import { isUsageError, UsageError } from './framework/usage-error.ts';
import { root } from './registry.ts';

export type { CliIo };

/**
 * Runs the CLI; returns the exit code: 0 ok (help included), 1 a failure, 2 a usage error (the
 * message and that command's usage on stderr). The one place errors become output.
 */
export async function runCli(argv: string[], io: CliIo, env: NodeJS.ProcessEnv = process.env): Promise<number> {
	// The command named so far, root first: a usage error shows the usage of the last one.
	const path: CommandNode[] = [root];
	try {
		let rest = argv;
		for (;;) {
			const node = path.at(-1)!;
			if (node.kind === 'command') {
				if (asksForHelp(rest)) return help(path, io);
				const { values, args } = parseCommandArgs(node, rest, env);
				return (await node.run({ values, args, io, env })) ?? 0;
			}
			const [word, ...more] = rest;
			if (word === undefined) {
				if (path.length === 1) return help(path, io);
				throw new UsageError('missing command');
			}
			if (word === 'help' || word === '--help' || word === '-h') {
				// `luwte help record stop`, `luwte record help`: the usage of what follows, if anything.
				for (const name of more) path.push(childOf(path.at(-1)!, name));
				return help(path, io);
			}
			if (word.startsWith('-')) throw new UsageError(`unknown option ${word}`);
			path.push(childOf(node, word));
			rest = more;
		}
	} catch (err) {
		const name = path.map((n) => n.name).join(' ');
		if (isUsageError(err)) {
			io.err.write(`${name}: ${err.message}\n\n${usageOf(path)}`);
			return 2;
		}
		io.err.write(`${name}: ${failure(err)}\n`);
		return 1;
	}
}

function help(path: readonly CommandNode[], io: CliIo): number {
	io.out.write(usageOf(path));
	return 0;
}

function childOf(node: CommandNode, name: string): CommandNode {
	if (node.kind === 'command') throw new UsageError(`unexpected argument "${name}"`);
	const found = node.commands.find((c) => c.name === name);
	if (found) return found;
	const guess = closest(
		name,
		node.commands.map((c) => c.name),
	);
	throw new UsageError(`unknown command "${name}"${guess ? ` (did you mean ${guess}?)` : ''}`);
}

/** One line for a failure: the host's answer with its status, or the error and what caused it. */
function failure(err: unknown): string {
	if (err instanceof AdminApiError) return `the host answered ${err.status} (${err.code}): ${err.message}`;
	const cause = err instanceof Error && err.cause !== undefined ? messageOf(err.cause) : '';
	const message = messageOf(err);
	return cause && !message.includes(cause) ? `${message} (${cause})` : message;
}
