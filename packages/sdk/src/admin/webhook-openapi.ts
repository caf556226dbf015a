import type { z } from 'zod';
import { nameSchema, type Components } from './openapi-components.ts';
import {
	webhookDeliveryListSchema,
	webhookDeliveryQuerySchema,
	webhookDeliverySchema,
	webhookDeliveryStateSchema,
	webhookEndpointCreateSchema,
	webhookEndpointListSchema,
	webhookEndpointSchema,
	webhookEndpointUpdateSchema,
	webhookEventDataSchemas,
	webhookEventSchemas,
	webhookEventSummaries,
	webhookEventTypeSchema,
	webhookEventTypes,
	webhookSecretRotateSchema,
	webhookScheduleSchema,
	webhookSecretSchema,
} from './webhook-schemas.ts';

// The webhook schemas' names in the OpenAPI document (components), and its `webhooks` section
// (OpenAPI 3.1): one operation per event type, the request Luwte sends to a receiver.

/** `session.started` → `SessionStarted`. */
const pascal = (type: string) =>
	type
		.split('.')
		.map((p) => p[0]!.toUpperCase() + p.slice(1))
		.join('');

const names: [z.ZodType, string][] = [
	[webhookEventTypeSchema, 'WebhookEventType'],
	[webhookScheduleSchema, 'WebhookSchedule'],
	[webhookEndpointSchema, 'WebhookEndpoint'],
	[webhookEndpointListSchema, 'WebhookEndpointList'],
	[webhookEndpointCreateSchema, 'WebhookEndpointCreate'],
	[webhookEndpointUpdateSchema, 'WebhookEndpointUpdate'],
	[webhookSecretSchema, 'WebhookSecret'],
	[webhookSecretRotateSchema, 'WebhookSecretRotate'],
	[webhookDeliveryStateSchema, 'WebhookDeliveryState'],
	[webhookDeliverySchema, 'WebhookDelivery'],
	[webhookDeliveryListSchema, 'WebhookDeliveryList'],
	[webhookDeliveryQuerySchema, 'WebhookDeliveryQuery'],
	...webhookEventTypes.flatMap((t): [z.ZodType, string][] => [
		[webhookEventDataSchemas[t], `${pascal(t)}Data`],
		[webhookEventSchemas[t], `${pascal(t)}Event`],
	]),
];
for (const [schema, id] of names) nameSchema(schema, id);

const signatureHeaders = {
	'Luwte-Signature': {
		required: true,
		description:
			't=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>" keyed with the endpoint secret> (one v1 per valid secret during a rotation grace period); refuse t older than 5 minutes',
		schema: { type: 'string' },
	},
	'Luwte-Event-Id': { required: true, description: 'The event ID: de-duplicate by it', schema: { type: 'string' } },
	'Luwte-Event-Type': { required: true, schema: { type: 'string' } },
	'Luwte-Delivery-Id': { required: true, description: 'The same on every attempt', schema: { type: 'string' } },
	'Luwte-Delivery-Attempt': { required: true, description: '1 on the first attempt', schema: { type: 'string' } },
};

/** The `webhooks` section: what a receiver registered for `type` gets (docs/webhooks.md). */
export function webhooksSection(components: Pick<Components, 'output'>): Record<string, unknown> {
	return Object.fromEntries(
		webhookEventTypes.map((type) => [
			type,
			{
				post: {
					operationId: `webhook.${type}`,
					summary: webhookEventSummaries[type],
					description:
						'Sent as a POST with this JSON body and the headers below, until the receiver answers 2xx (retries with backoff for about a day; in order per session).',
					parameters: Object.entries(signatureHeaders).map(([name, h]) => ({ name, in: 'header', ...h })),
					requestBody: {
						required: true,
						content: { 'application/json': { schema: components.output(webhookEventSchemas[type]) } },
					},
					responses: {
						'2XX': { description: 'Received (any 2xx); the body is not read' },
						default: { description: 'Anything else, or no answer within 10 s: tried again later' },
					},
				},
			},
		]),
	);
}
