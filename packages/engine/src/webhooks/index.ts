/** `@luwte/engine/webhooks`: events for a care organisation's backend, signed, from a durable outbox (docs/webhooks.md). */
export {
	webhookEventTypes,
	isWebhookEventType,
	webhookSources,
	itemPublished,
	webhookEvent,
	type WebhookEventType,
	type WebhookEvent,
	type WebhookEventDraft,
} from './catalogue.ts';
export { signatureHeader, newWebhookSecret, webhookHeaders } from './signing.ts';
export { retryDelay, givesUp, retryPolicySchema, type RetryPolicy, type RetryPolicyInput } from './retry.ts';
export {
	webhookEndpointSchema,
	webhookUrlSchema,
	newEndpointId,
	parseEndpoint,
	signingSecrets,
	type WebhookEndpoint,
	type WebhookEndpointPatch,
} from './endpoints.ts';
export { FileWebhookEndpointStore, MAX_ENDPOINTS_PER_TENANT, type WebhookEndpointStore } from './endpoint-store.ts';
export { RedisWebhookEndpointStore, type RedisWebhookEndpointStoreOptions } from './endpoint-redis-store.ts';
export { WebhookOutbox, defaultOutboxLimits, type Delivery, type DeliveryState, type WebhookOutboxLimits } from './outbox.ts';
export { DueQueue } from './due-queue.ts';
export { eventId, WebhookDispatcher, type WebhookDispatcherOptions, type WebhookStats } from './dispatcher.ts';
