import { z } from 'zod';
import { activityModules, type ActivityModule } from '../session/activity.ts';

/**
 * Contracts (per financer) and indications (per client): the two configuration files of billing.
 * Their formats are documented in docs/billing.md; every rule the municipalities differ on is here.
 */

/** Eigen regie (on demand, no live leader) is never billable, whatever a contract file says. */
export const ALWAYS_EXCLUDED_MODULES: readonly ActivityModule[] = ['eigen-regie'];

/** Default threshold: half of the scheduled length (docs/billing.md, "Qualifying activity"). */
export const DEFAULT_THRESHOLD: Threshold = { shareOfScheduled: 0.5 };

/** A financer: a municipality's four-digit CBS code (as iWmo uses it, e.g. `0363`) or `WLZ`. */
export const financerSchema = z.string().regex(/^(\d{4}|WLZ)$/, 'a four-digit municipality code (e.g. 0363) or WLZ');

const localDateSchema = z.iso.date();

export const thresholdSchema = z.union([
	z.object({ minutes: z.number().int().min(0).max(720) }).strict(),
	z.object({ shareOfScheduled: z.number().gt(0).max(1) }).strict(),
]);
export type Threshold = z.output<typeof thresholdSchema>;

export const roundingSchema = z
	.object({
		/** Round every activity's minutes, or the month's total per client and financer. */
		per: z.enum(['activity', 'month']).default('activity'),
		stepMinutes: z.number().int().min(1).max(60).default(15),
		direction: z.enum(['up', 'nearest', 'down']).default('nearest'),
	})
	.strict();
export type Rounding = z.output<typeof roundingSchema>;

const common = {
	financer: financerSchema,
	/** Product code of the declaration (the contract's productcode, e.g. `07A03`). */
	productCode: z.string().regex(/^[A-Za-z0-9]{1,10}$/, '1-10 letters or digits'),
	excludedModules: z.array(z.enum(activityModules)).default([]),
	threshold: thresholdSchema.default(DEFAULT_THRESHOLD),
};

export const contractSchema = z.discriminatedUnion('unit', [
	z
		.object({
			...common,
			unit: z.literal('dagdeel'),
			/** Price of one dagdeel, euro cents. */
			tariffCents: z.number().int().min(0).max(10_000_000),
			/** Two qualifying activities in one window make one dagdeel; windows never cross a calendar month. */
			pairing: z.enum(['iso-week', 'month']).default('iso-week'),
		})
		.strict(),
	z
		.object({
			...common,
			unit: z.literal('hour'),
			/** Price of one hour, euro cents. */
			tariffCents: z.number().int().min(0).max(10_000_000),
			rounding: roundingSchema.default({ per: 'activity', stepMinutes: 15, direction: 'nearest' }),
		})
		.strict(),
	z.object({ financer: financerSchema, unit: z.literal('none') }).strict(),
]);
export type Contract = z.output<typeof contractSchema>;

export const contractsFileSchema = z
	.object({ version: z.literal(1), contracts: z.array(contractSchema) })
	.strict()
	.superRefine((file, ctx) => {
		const seen = new Set<string>();
		file.contracts.forEach((c, i) => {
			if (seen.has(c.financer))
				ctx.addIssue({
					code: 'custom',
					message: `a second contract for financer ${c.financer}`,
					path: ['contracts', i, 'financer'],
				});
			seen.add(c.financer);
		});
	});
export type ContractsFile = z.output<typeof contractsFileSchema>;

export const indicationSchema = z
	.object({
		clientId: z.string().min(1).max(128),
		financer: financerSchema,
		/** First local date (Europe/Amsterdam) the indication is valid, inclusive. */
		validFrom: localDateSchema,
		/** Last valid local date, inclusive; null while open-ended. */
		validTo: localDateSchema.nullable().default(null),
		/** The care team the client belongs to (for the reports). */
		team: z.string().min(1).max(64).nullable().default(null),
	})
	.strict()
	.refine((i) => i.validTo === null || i.validTo >= i.validFrom, { message: 'validTo is before validFrom', path: ['validTo'] });
export type Indication = z.output<typeof indicationSchema>;

export const indicationsFileSchema = z.object({ version: z.literal(1), indications: z.array(indicationSchema) }).strict();
export type IndicationsFile = z.output<typeof indicationsFileSchema>;

/** Modules a contract does not pay for: its own list plus the always-excluded ones. */
export function excludedModules(contract: Contract): Set<ActivityModule> {
	return new Set([...ALWAYS_EXCLUDED_MODULES, ...(contract.unit === 'none' ? [] : contract.excludedModules)]);
}

/**
 * The indication that covers `clientId` on `date`. Overlapping indications (a move from WMO to
 * WLZ written with overlap) resolve to the one that started last, then the lowest financer code.
 */
export function indicationOn(indications: readonly Indication[], clientId: string, date: string): Indication | null {
	let best: Indication | null = null;
	for (const i of indications) {
		if (i.clientId !== clientId || i.validFrom > date || (i.validTo !== null && i.validTo < date)) continue;
		if (!best || i.validFrom > best.validFrom || (i.validFrom === best.validFrom && i.financer < best.financer)) best = i;
	}
	return best;
}
