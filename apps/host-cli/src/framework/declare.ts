/**
 * How a command is declared: once, with everything its usage text, its argument parsing and its
 * handler need. The registry (../registry.ts) holds the tree; nothing else lists commands.
 */

export interface CliIo {
	out: { write(s: string): unknown };
	err: { write(s: string): unknown; isTTY?: boolean };
}

export type OptionType = 'string' | 'boolean' | 'integer';

export interface OptionSpec {
	/** `integer`: a whole number, checked before the handler runs. */
	readonly type: OptionType;
	/** One line for the usage text. */
	readonly description: string;
	/** The value's name in the usage text (`--port PORT`); default: the option's name in capitals. */
	readonly placeholder?: string;
	/** Environment variable read when the option is not given. */
	readonly env?: string;
	/** Used when neither the option nor its environment variable is given (booleans default to false). */
	readonly default?: string | number;
	/** The only values allowed (string options); the usage text lists them. */
	readonly choices?: readonly string[];
	/** The command cannot run without it (a usage error names it). */
	readonly required?: boolean;
	/** A one-letter alias (`-x`). */
	readonly short?: string;
}

export interface PositionalSpec {
	/** The key in the handler's `args`; in capitals, its name in the usage text. */
	readonly name: string;
	readonly description: string;
	/** Its name in the usage text when capitals do not say it (e.g. `yes|no`). */
	readonly placeholder?: string;
}

/** Another way to call the same command, listed in its usage and in the overview. */
export interface CommandForm {
	/** What follows the command's name, e.g. `--from YYYY-MM --to YYYY-MM [options]`. */
	readonly synopsis: string;
	readonly summary: string;
}

type Scalar<O extends OptionSpec> = O extends { type: 'integer' }
	? number
	: O extends { choices: readonly (infer C extends string)[] }
		? C
		: string;

/** The parsed options as the handler sees them: typed from the declaration. */
export type OptionValues<Opts extends Record<string, OptionSpec>> = {
	readonly [K in keyof Opts]: Opts[K] extends { type: 'boolean' }
		? boolean
		: Opts[K] extends { default: string | number } | { required: true }
			? Scalar<Opts[K]>
			: Scalar<Opts[K]> | undefined;
};

/** The positional arguments by name (all declared ones are required). */
export type PositionalValues<P extends readonly PositionalSpec[]> = { readonly [S in P[number] as S['name']]: string };

export interface RunContext<Opts extends Record<string, OptionSpec>, P extends readonly PositionalSpec[]> {
	readonly values: OptionValues<Opts>;
	readonly args: PositionalValues<P>;
	readonly io: CliIo;
	readonly env: NodeJS.ProcessEnv;
}

export interface CommandSpec<Opts extends Record<string, OptionSpec>, P extends readonly PositionalSpec[]> {
	readonly name: string;
	/** One line: in the parent's list and at the top of the command's usage. */
	readonly summary: string;
	readonly options: Opts;
	readonly positionals?: P;
	/** When the command has several ways to be called; otherwise its synopsis is derived. */
	readonly forms?: readonly CommandForm[];
	/** Text after the options (value lists, environment, where the docs are). */
	readonly notes?: string;
	/** Returns the exit code (default 0). Throw a UsageError for bad input, anything else for a failure. */
	// biome-ignore lint/suspicious/noConfusingVoidType: a handler returns an exit code or nothing at all
	run(ctx: RunContext<Opts, P>): Promise<number | void> | number | void;
}

/** A command as the registry holds it (the declaration's types erased). */
export interface Command {
	readonly kind: 'command';
	readonly name: string;
	readonly summary: string;
	readonly options: Readonly<Record<string, OptionSpec>>;
	readonly positionals: readonly PositionalSpec[];
	readonly forms?: readonly CommandForm[];
	readonly notes?: string;
	// biome-ignore lint/suspicious/noConfusingVoidType: a handler returns an exit code or nothing at all
	run(ctx: ParsedContext): Promise<number | void> | number | void;
}

/** What the parser hands a command (checked against its declaration, so the typed view holds). */
export interface ParsedContext {
	readonly values: Readonly<Record<string, string | number | boolean | undefined>>;
	readonly args: Readonly<Record<string, string>>;
	readonly io: CliIo;
	readonly env: NodeJS.ProcessEnv;
}

/** A command that only holds subcommands (`luwte record start|stop|…`). */
export interface CommandGroup {
	readonly kind: 'group';
	readonly name: string;
	readonly summary: string;
	readonly commands: readonly CommandNode[];
	readonly notes?: string;
}

export type CommandNode = Command | CommandGroup;

export function defineCommand<const Opts extends Record<string, OptionSpec>, const P extends readonly PositionalSpec[] = readonly []>(
	spec: CommandSpec<Opts, P>,
): Command {
	return { kind: 'command', positionals: [], ...spec } as unknown as Command;
}

export function defineGroup(spec: Omit<CommandGroup, 'kind'>): CommandGroup {
	return { kind: 'group', ...spec };
}

/** Every command under a node with the path of nodes that leads to it (groups included), depth first. */
export function* walkCommands(node: CommandNode, path: readonly CommandNode[] = [node]): Generator<readonly CommandNode[]> {
	yield path;
	if (node.kind === 'group') for (const child of node.commands) yield* walkCommands(child, [...path, child]);
}
