import { z } from 'zod';
import { EngineError, invalidInput } from '../errors.ts';
import { builtinProfile, builtinProfiles, stimulusProfileSchema, type StimulusProfile } from './profiles.ts';

/** The built-in profiles a custom profile may start from (greedy is a baseline, not a starting point). */
export const customProfileBases = ['calm', 'standard'] as const;

// The shape without the refinement (zod refuses omit() on refined objects); the merged result is
// checked against the full schema below, refinement included.
const overrides = z.object(stimulusProfileSchema.shape).omit({ id: true }).partial();

type Definition = z.output<typeof overrides> & { id: string; base: (typeof customProfileBases)[number] };

/** Merges a definition over its base; an inherited start layer is lowered to the cap, an explicit one is kept (and checked). */
function merge(def: Definition): Record<string, unknown> {
	const { base, ...fields } = def;
	const from = builtinProfiles[base];
	const merged: Record<string, unknown> = { ...from, ...stripUndefined(fields) };
	if (fields.startSpatialLayer === undefined && typeof fields.maxSpatialLayer === 'number') {
		merged.startSpatialLayer = Math.min(from.startSpatialLayer, fields.maxSpatialLayer);
	}
	return merged;
}

function stripUndefined(o: Record<string, unknown>): Record<string, unknown> {
	return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}

/**
 * A custom stimulus profile: a base (calm by default) with any of its fields changed. Parsing
 * checks the merged result too, so a parsed definition always resolves.
 */
export const customProfileSchema = overrides
	.extend({
		id: stimulusProfileSchema.shape.id.refine(
			(id) => !builtinProfile(id),
			'is a built-in profile ID (calm, standard, greedy); choose another',
		),
		base: z.enum(customProfileBases).default('calm'),
	})
	.strict()
	.superRefine((def, ctx) => {
		if (builtinProfile(def.id)) return; // already reported on `id`
		const r = stimulusProfileSchema.safeParse(merge(def));
		if (r.success) return;
		for (const issue of r.error.issues) {
			ctx.addIssue({ code: 'custom', path: issue.path, message: `${issue.message} (merged over ${def.base})` });
		}
	});

export type CustomProfile = z.output<typeof customProfileSchema>;
export type CustomProfileInput = z.input<typeof customProfileSchema>;

/** What a join token names: a profile ID (built in or the tenant's), or an inline definition. */
export const stimulusProfileRefSchema = z.union([stimulusProfileSchema.shape.id, customProfileSchema]);
export type StimulusProfileRef = z.output<typeof stimulusProfileRefSchema>;

/** A tenant's list of custom profiles: at most 20, IDs unique. */
export const customProfileListSchema = z
	.array(customProfileSchema)
	.max(20)
	.superRefine((list, ctx) => {
		const seen = new Set<string>();
		list.forEach((p, i) => {
			if (seen.has(p.id)) ctx.addIssue({ code: 'custom', path: [i, 'id'], message: `profile ID ${p.id} is used twice` });
			seen.add(p.id);
		});
	});

/** The full profile a definition stands for. */
export function expandCustomProfile(def: CustomProfile): StimulusProfile {
	return stimulusProfileSchema.parse(merge(def));
}

/**
 * The full profile a reference stands for, with the tenant's current definitions. Throws
 * `invalid_argument` for an unknown ID or a bad inline definition, naming the field.
 */
export function resolveStimulusProfile(tenant: { stimulusProfiles: readonly CustomProfile[] }, ref: unknown): StimulusProfile {
	if (typeof ref === 'string') {
		const found = builtinProfile(ref) ?? tenant.stimulusProfiles.find((p) => p.id === ref);
		if (!found)
			throw new EngineError(
				'invalid_argument',
				`unknown stimulus profile "${ref}": not built in (calm, standard, greedy) and not defined by this tenant`,
			);
		return 'base' in found ? expandCustomProfile(found) : found;
	}
	const parsed = customProfileSchema.safeParse(ref);
	if (!parsed.success) throw invalidInput('invalid_argument', 'stimulus profile', parsed.error.issues);
	return expandCustomProfile(parsed.data);
}

/** The profile ID a reference names (for an inline definition: its own ID). */
export function stimulusProfileId(ref: StimulusProfileRef): string {
	return typeof ref === 'string' ? ref : ref.id;
}
