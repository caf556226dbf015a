import { z } from 'zod';

/** The five modules of the day-activity offer. IDs are stable slugs; labels are Dutch. */
export const activityModules = ['communicatie', 'eigen-regie', 'fit-en-vitaal', 'vaardig-en-creatief', 'talent-en-ambitie'] as const;
export type ActivityModule = (typeof activityModules)[number];

export const moduleLabels: Record<ActivityModule, string> = {
	communicatie: 'Communicatie',
	'eigen-regie': 'Eigen regie',
	'fit-en-vitaal': 'Fit en Vitaal',
	'vaardig-en-creatief': 'Vaardig en creatief',
	'talent-en-ambitie': 'Talent en ambitie',
};

/**
 * How an activity is offered: `blended` (a group at a location, some clients from home),
 * `online` (led live by a central team), `individual` (recordings on demand, no live leader),
 * `broadcast` (one stage to a large audience of viewers; docs/scaling.md).
 */
export const offerKinds = ['blended', 'online', 'individual', 'broadcast'] as const;
export type OfferKind = (typeof offerKinds)[number];

/** Longest planned activity; longer ones are almost certainly a typing error. */
const MAX_ACTIVITY_MS = 12 * 3600 * 1000;

export const scheduleSchema = z
	.object({
		startsAt: z.iso.datetime({ offset: true }),
		endsAt: z.iso.datetime({ offset: true }),
	})
	.strict()
	.refine((s) => Date.parse(s.endsAt) > Date.parse(s.startsAt), { message: 'endsAt must be after startsAt', path: ['endsAt'] })
	.refine((s) => Date.parse(s.endsAt) - Date.parse(s.startsAt) <= MAX_ACTIVITY_MS, {
		message: 'an activity lasts at most 12 hours',
		path: ['endsAt'],
	});

export interface Schedule {
	startsAt: number;
	endsAt: number;
}
