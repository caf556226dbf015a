/** `@luwte/engine/session`: roles and routing rules, activity kinds, the `Session` and what it tells participants. */
export { routes, knowsOf, canPublish, roles, mediaSources, type Role, type MediaSource, type RoutingPolicy } from './roles.ts';
export {
	activityModules,
	moduleLabels,
	offerKinds,
	scheduleSchema,
	type ActivityModule,
	type OfferKind,
	type Schedule,
} from './activity.ts';
export { Session, type SessionInfo, type SessionOptions, type SessionState } from './session.ts';
export type { ProducerStats } from './producers.ts';
export type { ConsentRecord, RecordingStatus } from './recording-control.ts';
export { Participant, type TransportInfo, type TransportDirection, type PlainTransportInfo, type MediaTransport } from './participant.ts';
export type { ParticipantNotification } from './notifications.ts';
export { AUDIENCE_NOTICE_INTERVAL_MS } from './audience.ts';
export { START_LAYER_WAIT_MS } from './start-layer-gate.ts';
export {
	lifecycleSchema,
	defaultLifecycle,
	effectiveLifecycle,
	joinWindow,
	quotasSchema,
	defaultQuotas,
	effectiveQuotas,
	type Lifecycle,
	type LifecycleInput,
	type Quotas,
	type QuotasInput,
} from './lifecycle.ts';
export {
	Programme,
	createSessionSchema,
	updateSessionSchema,
	type CreateSessionOptions,
	type UpdateSessionOptions,
	type TenantPolicy,
	type PolicyOf,
} from './programme.ts';
export * from './store/index.ts';
