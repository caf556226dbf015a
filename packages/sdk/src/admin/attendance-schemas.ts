import { z } from 'zod';
import { activityModuleSchema } from './schemas.ts';

const month = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'a month as YYYY-MM');
// A real calendar date (2024-02-30 and 2023-02-29 are refused), not only its shape.
const day = z.iso.date({ error: 'a date as YYYY-MM-DD that exists' });

/**
 * Contracts and indications as the billing department keeps them (formats in docs/billing.md).
 * The host checks every field with the engine's own schema; here only the envelope.
 */
export const contractsFileBodySchema = z
	.object({ version: z.literal(1), contracts: z.array(z.record(z.string(), z.unknown())).max(1000) })
	.strict()
	.describe('Contracts per financer (docs/billing.md): unit dagdeel/hour/none, threshold, rounding, tariff, product code');
export const indicationsFileBodySchema = z
	.object({ version: z.literal(1), indications: z.array(z.record(z.string(), z.unknown())).max(100_000) })
	.strict()
	.describe('Indications per client (docs/billing.md): financer, valid from/to, team');
export const savedSchema = z.object({ saved: z.number().int().describe('How many contracts or indications are stored now') });

export const billingQuerySchema = z
	.object({
		from: month.describe('First month, inclusive'),
		to: month.describe('Last month, inclusive'),
		format: z.enum(['json', 'csv']).default('json').describe('csv: text/csv for the billing department'),
	})
	.strict();

export const billingLineSchema = z.object({
	clientId: z.string(),
	financer: z.string(),
	month,
	productCode: z.string(),
	unitCode: z.enum(['01', '04', '16']).describe('iWmo unit: 01 minute, 04 hour, 16 dagdeel'),
	volume: z.number().int(),
	amountCents: z.number().int(),
	activities: z.number().int(),
});
export const billingExceptionSchema = z.object({
	clientId: z.string(),
	sessionId: z.string().nullable(),
	itemId: z.string().nullable(),
	financer: z.string().nullable(),
	month,
	at: z.iso.datetime().describe('When the activity happened (the export writes ISO 8601 times)'),
	reason: z.string(),
	detail: z.string(),
});
export const billingSchema = z.object({
	from: month,
	to: month,
	lines: z.array(billingLineSchema),
	exceptions: z.array(billingExceptionSchema),
});

export const activeAccountsQuerySchema = z.object({ date: day.describe('Report date (default today)').optional() }).strict();
const activeRow = z.object({
	team: z.string().nullable(),
	clients: z.number().int(),
	active: z.number().int(),
	percent: z.string(),
	targetMet: z.boolean(),
});
export const activeAccountsSchema = z.object({
	date: day,
	since: day,
	targetPercent: z.string(),
	overall: activeRow,
	teams: z.array(activeRow),
});

export const periodQuerySchema = z
	.object({ from: month.describe('First month, inclusive'), to: month.describe('Last month, inclusive') })
	.strict();
export const noShowsSchema = z.object({
	sessions: z.array(
		z.object({
			sessionId: z.string(),
			startsAt: z.number().int(),
			module: activityModuleSchema.nullable(),
			invited: z.number().int(),
			noShows: z.array(z.string()),
		}),
	),
});
export const moduleAttendanceSchema = z.object({
	modules: z.array(
		z.object({
			module: activityModuleSchema.nullable(),
			sessions: z.number().int(),
			attendances: z.number().int(),
			minutes: z.number().int(),
		}),
	),
});
export const forgottenSchema = z.object({ clientId: z.string(), removedEvents: z.number().int() });
