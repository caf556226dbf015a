/**
 * Command line of the media benchmarks (fanout, spread, cascade): each script declares its own
 * options; `--json`, `--ffmpeg` and `-h/--help` are common. Unknown options end the script
 * (parseArgs strict mode), a bad number exits with code 2, `--help` prints the usage and exits 0.
 */
import { type ParseArgsOptionsConfig, parseArgs } from 'node:util';

const common = {
	json: { type: 'boolean', default: false },
	ffmpeg: { type: 'string', default: '/usr/bin/ffmpeg' },
	help: { type: 'boolean', short: 'h', default: false },
} as const satisfies ParseArgsOptionsConfig;

/** Values of a script's options, every option with a string or boolean default. */
type Values<O extends ParseArgsOptionsConfig> = {
	[K in keyof O]: O[K] extends { type: 'boolean' } ? boolean : string;
} & { json: boolean; ffmpeg: string; help: boolean };

/**
 * Parses `process.argv` with the script's `options` plus the common ones. `usage` is the whole
 * usage line (printed for `--help`).
 */
export function benchArgs<const O extends ParseArgsOptionsConfig>(usage: string, options: O): Values<O> {
	// Typed here by Values<O>: parseArgs' own result type does not resolve for a generic O.
	const config: ParseArgsOptionsConfig = { ...options, ...common };
	const values = parseArgs({ options: config, strict: true }).values as Record<string, unknown>;
	if (values.help === true) {
		process.stdout.write(`${usage}\n`);
		process.exit(0);
	}
	return values as Values<O>;
}

/** An integer option in `min..max`, or exit 2 with a message naming the option. */
export function intArg(name: string, raw: string, min: number, max: number): number {
	const v = Number(raw);
	if (!Number.isInteger(v) || v < min || v > max) {
		process.stderr.write(`--${name} must be an integer in ${min}..${max}, got "${raw}"\n`);
		process.exit(2);
	}
	return v;
}
