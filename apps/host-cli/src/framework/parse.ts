import { parseArgs, type ParseArgsOptionsConfig } from 'node:util';
import type { Command, OptionSpec } from './declare.ts';
import { closest } from './suggest.ts';
import { UsageError } from './usage-error.ts';

type Value = string | number | boolean | undefined;

/** True when the arguments ask for help: `--help` or `-h` before any `--`, or the single word `help`. */
export function asksForHelp(argv: readonly string[]): boolean {
	if (argv.length === 1 && argv[0] === 'help') return true;
	const end = argv.indexOf('--');
	return (end === -1 ? argv : argv.slice(0, end)).some((a) => a === '--help' || a === '-h');
}

/**
 * A command's arguments checked against its declaration: node's `parseArgs` in strict mode (an
 * unknown option is an error), then what parseArgs does not know: whole numbers, allowed values,
 * required options, environment fallbacks and the number of positionals. Every failure is a
 * UsageError with a one-line message.
 */
export function parseCommandArgs(
	command: Command,
	argv: string[],
	env: NodeJS.ProcessEnv,
): { values: Record<string, Value>; args: Record<string, string> } {
	const config: ParseArgsOptionsConfig = {};
	for (const [name, spec] of Object.entries(command.options)) {
		config[name] = { type: spec.type === 'boolean' ? 'boolean' : 'string', ...(spec.short ? { short: spec.short } : {}) };
	}
	let parsed: { values: Record<string, string | boolean | (string | boolean)[] | undefined>; positionals: string[] };
	try {
		parsed = parseArgs({ args: argv, options: config, allowPositionals: true, strict: true });
	} catch (err) {
		throw new UsageError(explainParseError(argv, config, err), { cause: err });
	}

	const wanted = command.positionals;
	const given = parsed.positionals;
	if (given.length < wanted.length) throw new UsageError(`missing ${wanted.slice(given.length).map(positionalLabel).join(' ')}`);
	if (given.length > wanted.length) throw new UsageError(`unexpected argument "${given[wanted.length]}"`);
	const args: Record<string, string> = {};
	for (const [i, p] of wanted.entries()) args[p.name] = given[i]!;

	const values: Record<string, Value> = {};
	for (const [name, spec] of Object.entries(command.options))
		values[name] = resolve(name, spec, parsed.values[name] as string | boolean | undefined, env);
	return { values, args };
}

export function positionalLabel(p: { name: string; placeholder?: string }): string {
	return p.placeholder ?? p.name.toUpperCase();
}

/** The option's value: given, else its environment variable, else its default; checked. */
function resolve(name: string, spec: OptionSpec, given: string | boolean | undefined, env: NodeJS.ProcessEnv): Value {
	if (spec.type === 'boolean') return given === true;
	let raw = given as string | undefined;
	let source = `--${name}`;
	if (raw === undefined && spec.env && env[spec.env]) {
		raw = env[spec.env]!;
		source = spec.env;
	}
	if (raw === undefined) {
		if (spec.required) throw new UsageError(`--${name} is required`);
		return spec.default;
	}
	if (spec.choices && !spec.choices.includes(raw)) throw new UsageError(`${source} must be ${orList(spec.choices)}, not "${raw}"`);
	if (spec.type === 'integer') {
		const n = Number(raw);
		if (raw.trim() === '' || !Number.isInteger(n)) throw new UsageError(`${source} must be a whole number, got "${raw}"`);
		return n;
	}
	return raw;
}

export function orList(items: readonly string[]): string {
	return items.length < 2 ? items.join('') : `${items.slice(0, -1).join(', ')} or ${items.at(-1)}`;
}

/**
 * One line for what strict parseArgs refused. Read from parseArgs's own tokens (non-strict) rather
 * than from its error text, which is long and worded for developers.
 */
function explainParseError(argv: string[], config: ParseArgsOptionsConfig, err: unknown): string {
	const { tokens } = parseArgs({ args: argv, options: config, allowPositionals: true, strict: false, tokens: true });
	for (const t of tokens) {
		if (t.kind !== 'option') continue;
		const spec = config[t.name];
		if (!spec) {
			const guess = t.rawName.startsWith('--') ? closest(t.name, Object.keys(config)) : undefined;
			return `unknown option ${t.rawName}${guess ? ` (did you mean --${guess}?)` : ''}`;
		}
		if (spec.type === 'boolean' && t.value !== undefined) return `${t.rawName} takes no value`;
		// parseArgs refuses `--trace --json` (a value that looks like an option) as ambiguous.
		if (spec.type === 'string' && (t.value === undefined || (!t.inlineValue && t.value.startsWith('-'))))
			return `${t.rawName} needs a value`;
	}
	return (err as Error).message.split('\n')[0]!;
}
