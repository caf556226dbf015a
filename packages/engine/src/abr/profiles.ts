import { z } from 'zod';

/**
 * A stimulus profile: how calm the picture of one receiver must be. Caps bound what is sent;
 * the switching policy bounds how often the picture visibly changes.
 */
export const stimulusProfileSchema = z
	.object({
		id: z.string().regex(/^[a-z0-9-]{1,40}$/),
		/**
		 * Highest spatial layer (0 = quarter, 1 = half, 2 = full resolution), counted from the top of
		 * the sender's ladder: on a camera with two layers, 2 is its top one (see ladder.ts).
		 */
		maxSpatialLayer: z.number().int().min(0).max(2),
		/** Highest temporal layer (0 = quarter, 1 = half, 2 = full frame rate). */
		maxTemporalLayer: z.number().int().min(0).max(2),
		/**
		 * Spatial layer to start on when nothing is known of the receiver's path yet: not the top,
		 * so the first minute is no climb and fall.
		 */
		startSpatialLayer: z.number().int().min(0).max(2),
		/**
		 * When the receiver's path is already known (a warm transport), start on the best layer
		 * that needs at most this share of its estimate instead.
		 */
		startHeadroom: z.number().min(0.2).max(1),
		/** The resolution follows what the path sustained over this window (0: the estimate now). */
		sustainWindowMs: z.number().int().min(0).max(600_000),
		/** Which low quantile of the window's per-slot minima counts as sustained (0-0.5). */
		sustainQuantile: z.number().min(0).max(0.5),
		/**
		 * With framerate-first, how long the lowest frame rate of the resolution may not fit before
		 * the resolution goes down (a shorter dip is ridden out).
		 */
		downGraceMs: z.number().int().min(0).max(10_000),
		/** Least time between two visible (spatial) switches, except to avoid a freeze. */
		minSwitchIntervalMs: z.number().int().min(0).max(600_000),
		/** How long a better estimate must hold before going up a spatial layer. */
		upHoldMs: z.number().int().min(0).max(600_000),
		/**
		 * After congestion forced the resolution down, how long the path must carry the old one
		 * again before returning to it (inside the switch interval: the pair is one disturbance).
		 */
		returnHoldMs: z.number().int().min(0).max(600_000),
		/**
		 * How long the estimate must carry a higher temporal layer before going up to it (frame
		 * rate changes are less visible than resolution changes; no headroom applies to them).
		 */
		temporalUpHoldMs: z.number().int().min(0).max(600_000),
		/** Go up in resolution only to a layer that needs at most this share of the estimate (0.5-1). */
		headroom: z.number().min(0.5).max(1),
		/** On congestion, give up frame rate first (keep the picture sharp) or resolution first. */
		congestion: z.enum(['framerate-first', 'resolution-first']),
		/**
		 * Forward the controller's layer even when mediasoup's own estimate dips below it: the
		 * receiver's transport keeps a minimum outgoing bitrate at the chosen layers' cost, and
		 * congestion is read from loss and the delivered rate instead. Without it mediasoup
		 * lowers the layer on every dip of its estimate, however short.
		 */
		holdLayers: z.boolean(),
	})
	.strict()
	.refine((p) => p.startSpatialLayer <= p.maxSpatialLayer, {
		message: 'startSpatialLayer above maxSpatialLayer',
		path: ['startSpatialLayer'],
	});

export type StimulusProfile = z.output<typeof stimulusProfileSchema>;

/** The built-in profiles. `greedy` is the plain behaviour, kept as the baseline to compare with. */
export const builtinProfiles = {
	calm: {
		id: 'calm',
		maxSpatialLayer: 2,
		maxTemporalLayer: 2,
		startSpatialLayer: 1,
		minSwitchIntervalMs: 20_000,
		upHoldMs: 10_000,
		returnHoldMs: 5_000,
		temporalUpHoldMs: 500,
		headroom: 0.9,
		startHeadroom: 0.5,
		sustainWindowMs: 40_000,
		sustainQuantile: 0.25,
		downGraceMs: 2_500,
		congestion: 'framerate-first',
		holdLayers: true,
	},
	standard: {
		id: 'standard',
		maxSpatialLayer: 2,
		maxTemporalLayer: 2,
		startSpatialLayer: 1,
		minSwitchIntervalMs: 10_000,
		upHoldMs: 6_000,
		returnHoldMs: 3_000,
		temporalUpHoldMs: 2_000,
		headroom: 0.9,
		startHeadroom: 0.7,
		sustainWindowMs: 10_000,
		sustainQuantile: 0.2,
		downGraceMs: 0,
		congestion: 'resolution-first',
		holdLayers: false,
	},
	greedy: {
		id: 'greedy',
		maxSpatialLayer: 2,
		maxTemporalLayer: 2,
		startSpatialLayer: 2,
		minSwitchIntervalMs: 0,
		upHoldMs: 0,
		returnHoldMs: 0,
		temporalUpHoldMs: 0,
		headroom: 1,
		startHeadroom: 1,
		sustainWindowMs: 0,
		sustainQuantile: 0,
		downGraceMs: 0,
		congestion: 'resolution-first',
		holdLayers: false,
	},
} as const satisfies Record<string, StimulusProfile>;

export type BuiltinProfileId = keyof typeof builtinProfiles;

export function builtinProfile(id: string): StimulusProfile | undefined {
	return Object.hasOwn(builtinProfiles, id) ? builtinProfiles[id as BuiltinProfileId] : undefined;
}
