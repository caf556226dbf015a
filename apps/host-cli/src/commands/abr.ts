import { readFile } from 'node:fs/promises';
import type { builtinProfiles } from '@luwte/engine/abr';
import { defineCommand, defineGroup } from '../framework/declare.ts';
import { UsageError } from '../framework/usage-error.ts';

// Named here so the usage text needs no engine; the engine still decides (builtinProfile below).
const profiles = ['calm', 'standard', 'greedy'] as const satisfies readonly (keyof typeof builtinProfiles)[];

/** `luwte abr simulate`: a bandwidth trace through the ABR controller, offline. */
const simulateCommand = defineCommand({
	name: 'simulate',
	summary: 'Replay a bandwidth trace through a stimulus profile and count the switches, the freeze and the mean bitrate.',
	options: {
		trace: { type: 'string', placeholder: 'TRACE.csv', required: true, description: 'the trace: CSV with header t_ms,kbps' },
		profile: { type: 'string', choices: profiles, default: 'calm', description: 'the stimulus profile' },
		cold: { type: 'boolean', description: 'the receiver has no estimate yet when the picture starts (a new transport)' },
		json: { type: 'boolean', description: 'print the result as JSON' },
	},
	notes: 'Profiles and the model: docs/abr.md.',
	async run({ values, io }) {
		// Loaded here, not at the top: `luwte --help` need not wait for the engine.
		const { builtinProfile, defaultModel, parseTrace, simulate } = await import('@luwte/engine/abr');
		const profile = builtinProfile(values.profile);
		if (!profile) throw new UsageError(`unknown profile "${values.profile}"`);
		const result = simulate(parseTrace(await readFile(values.trace, 'utf8')), profile, { ...defaultModel, warmStart: !values.cold });
		if (values.json) {
			io.out.write(`${JSON.stringify(result)}\n`);
			return;
		}
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
	},
});

export const abrCommands = defineGroup({
	name: 'abr',
	summary: 'Adaptive bitrate: try stimulus profiles against bandwidth traces offline.',
	commands: [simulateCommand],
});
