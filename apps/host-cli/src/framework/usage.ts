import type { Command, CommandGroup, CommandNode, OptionSpec } from './declare.ts';
import { positionalLabel } from './parse.ts';

/** Text wider than this wraps (the left column of a table excepted). */
const WIDTH = 100;
/** A table's left column grows to this; a longer entry puts its description on the next line. */
const LEFT_MAX = 34;
/** Choices this short name the value in the synopsis (`--format csv|json`) instead of a placeholder. */
const INLINE_CHOICES_MAX = 20;

/** The usage text of the last node of `path` (root first), derived from the declarations. */
export function usageOf(path: readonly CommandNode[]): string {
	const node = path.at(-1)!;
	const name = path.map((n) => n.name).join(' ');
	return node.kind === 'group' ? groupUsage(node, name, path.length === 1) : commandUsage(node, name);
}

function commandUsage(command: Command, name: string): string {
	const lines: string[] = [];
	if (command.forms) {
		command.forms.forEach((form, i) => {
			lines.push(
				`${i === 0 ? 'Usage: ' : '       '}${name} ${form.synopsis} [options]`,
				...wrap(form.summary, WIDTH - 9).map((l) => `         ${l}`),
			);
		});
	} else {
		lines.push(`Usage: ${[name, ...synopsisOf(command)].join(' ')}`);
	}
	lines.push('', ...wrap(command.summary, WIDTH));
	if (command.positionals.length > 0) {
		lines.push('', 'Arguments:', ...table(command.positionals.map((p) => [positionalLabel(p), p.description])));
	}
	const options = Object.entries(command.options).map(([key, spec]) => [optionLabel(key, spec), optionDescription(spec)] as const);
	lines.push('', 'Options:', ...table([...options, ['-h, --help', 'show this help']]));
	if (command.notes) lines.push('', ...wrap(command.notes.trimEnd(), WIDTH));
	return `${lines.join('\n')}\n`;
}

function groupUsage(group: CommandGroup, name: string, root: boolean): string {
	const rows: [string, string][] = [];
	for (const child of group.commands) rows.push(...commandRows(child, []));
	if (root) rows.push(['help [COMMAND…]', "show a command's usage (also: luwte COMMAND --help)"]);
	const lines = [
		`Usage: ${name} <command> [options]`,
		'',
		...wrap(group.summary, WIDTH),
		'',
		'Commands:',
		...table(rows),
		'',
		`Run "${name} <command> --help" for a command's arguments and options.`,
	];
	if (group.notes) lines.push('', ...wrap(group.notes.trimEnd(), WIDTH));
	return `${lines.join('\n')}\n`;
}

/** One row per command under a node (one per form where a command has several), named from `prefix`. */
function commandRows(node: CommandNode, prefix: readonly string[]): [string, string][] {
	const path = [...prefix, node.name];
	if (node.kind === 'group') return node.commands.flatMap((child) => commandRows(child, path));
	if (node.forms) return node.forms.map((f) => [`${path.join(' ')} ${f.synopsis}`, f.summary]);
	return [[[...path, ...node.positionals.map(positionalLabel)].join(' '), node.summary]];
}

/** What follows the command's name: positionals, required options, then `[options]`. */
function synopsisOf(command: Command): string[] {
	const required = Object.entries(command.options)
		.filter(([, spec]) => spec.required)
		.map(([key, spec]) => `--${key} ${valueName(key, spec)}`);
	return [...command.positionals.map(positionalLabel), ...required, '[options]'];
}

function valueName(key: string, spec: OptionSpec): string {
	if (spec.placeholder) return spec.placeholder;
	if (spec.choices && spec.choices.join('|').length <= INLINE_CHOICES_MAX) return spec.choices.join('|');
	return key.toUpperCase();
}

function optionLabel(key: string, spec: OptionSpec): string {
	const flag = `${spec.short ? `-${spec.short}, ` : ''}--${key}`;
	return spec.type === 'boolean' ? flag : `${flag} ${valueName(key, spec)}`;
}

function optionDescription(spec: OptionSpec): string {
	const facts: string[] = [];
	if (spec.choices && valueName('', spec) !== spec.choices.join('|')) facts.push(`one of ${spec.choices.join(', ')}`);
	if (spec.required) facts.push('required');
	if (spec.env) facts.push(`env ${spec.env}`);
	if (spec.default !== undefined) facts.push(`default ${spec.default}`);
	return facts.length > 0 ? `${spec.description} (${facts.join('; ')})` : spec.description;
}

/** Two columns, the right one wrapped; a long left entry puts its text on the next line. */
function table(rows: readonly (readonly [string, string])[]): string[] {
	const left = Math.min(LEFT_MAX, Math.max(...rows.map(([l]) => l.length)));
	const indent = ' '.repeat(2 + left + 2);
	const out: string[] = [];
	for (const [l, r] of rows) {
		const text = wrap(r, WIDTH - indent.length);
		if (l.length > left) {
			out.push(`  ${l}`, ...text.map((t) => indent + t));
		} else {
			out.push(`  ${l.padEnd(left)}  ${text[0] ?? ''}`.trimEnd(), ...text.slice(1).map((t) => indent + t));
		}
	}
	return out;
}

/** Words into lines of at most `width` characters (a longer word stays whole); newlines are kept. */
function wrap(text: string, width: number): string[] {
	const lines: string[] = [];
	for (const paragraph of text.split('\n')) {
		let line = '';
		for (const word of paragraph.split(' ')) {
			if (line !== '' && line.length + 1 + word.length > width) {
				lines.push(line);
				line = word;
			} else {
				line = line === '' ? word : `${line} ${word}`;
			}
		}
		lines.push(line);
	}
	return lines;
}
