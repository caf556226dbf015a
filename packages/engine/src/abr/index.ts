/** `@luwte/engine/abr`: the calm controller, stimulus profiles, its driver on mediasoup and the offline simulator. */
export { decide, initialState, type AbrState, type Decision, type DecisionReason, type Layer, type Observation } from './controller.ts';
export { builtinProfile, builtinProfiles, stimulusProfileSchema, type BuiltinProfileId, type StimulusProfile } from './profiles.ts';
export { defaultModel, simulate, type SimulationModel, type SimulationResult, type TimelinePoint } from './simulator.ts';
export { bandwidthAt, parseTrace, type TracePoint } from './trace.ts';
export { fitProfileToLadder, ladderLayer, PROFILE_LAYERS, spatialLayerCount } from './ladder.ts';
export { AbrDriver, type AbrConsumerStatus, type ObservedLayerChange } from './driver.ts';
export {
	climbCapKbps,
	HOLD_EXTRA_KBPS,
	HOLD_MARGIN,
	HOLD_QUEUE_BACKOFF,
	HOLD_QUEUE_MS,
	heldShareKbps,
	holdFloorKbps,
	nextHoldFloor,
	queueDelayMs,
	recordRtt,
	RTT_WINDOW_MS,
	type HeldConsumer,
	type RttSample,
} from './hold-floor.ts';
export { seededRandom } from './seeded-random.ts';
export {
	customProfileBases,
	customProfileListSchema,
	customProfileSchema,
	expandCustomProfile,
	resolveStimulusProfile,
	stimulusProfileId,
	stimulusProfileRefSchema,
	type CustomProfile,
	type CustomProfileInput,
	type StimulusProfileRef,
} from './custom-profiles.ts';
