import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { builtinProfile, builtinProfiles, defaultModel, parseTrace, simulate } from '@luwte/engine';
import type { CliIo } from '../cli.ts';

/** `luwte abr simulate --trace TRACE.csv --profile calm|standard|greedy [--cold] [--json]` */
export async function abrCommand(argv: string[], io: CliIo): Promise<number> {
	const [sub, ...rest] = argv;
	if (sub !== 'simulate') {
		io.err.write('usage: luwte abr simulate --trace TRACE.csv --profile calm|standard|greedy [--cold] [--json]\n  --cold  the receiver has no estimate yet when the picture starts (a new transport)\n');
		return 2;
	}
	const { values } = parseArgs({
		args: rest,
		options: {
			trace: { type: 'string' },
			profile: { type: 'string', default: 'calm' },
			cold: { type: 'boolean', default: false },
			json: { type: 'boolean', default: false },
		},
		strict: true,
	});
	if (!values.trace) {
		io.err.write('--trace is required (CSV with header t_ms,kbps)\n');
		return 2;
	}
	const profile = builtinProfile(values.profile);
	if (!profile) {
		io.err.write(`unknown profile "${values.profile}" (choose ${Object.keys(builtinProfiles).join(', ')})\n`);
		return 2;
	}
	const result = simulate(parseTrace(await readFile(values.trace, 'utf8')), profile, { ...defaultModel, warmStart: !values.cold });
	if (values.json) {
		io.out.write(`${JSON.stringify(result)}\n`);
	} else {
		io.out.write(
			[
				`profile               ${result.profile}`,
				`duration              ${result.durationSeconds} s`,
				`spatial switches      ${result.spatialSwitches} (${result.spatialSwitchesPerHour} per hour)`,
				`temporal switches     ${result.temporalSwitches}`,
				`freeze                ${result.freezeSeconds} s`,
				`mean bitrate          ${result.meanKbps} kbit/s`,
				'',
			].join('\n'),
		);
	}
	return 0;
}
