import type { ApiRoute } from './route-types.ts';
import {
	webhookDeliveryListSchema,
	webhookDeliveryQuerySchema,
	webhookDeliverySchema,
	webhookEndpointCreateSchema,
	webhookEndpointListSchema,
	webhookEndpointSchema,
	webhookEndpointUpdateSchema,
	webhookSecretRotateSchema,
	webhookSecretSchema,
} from './webhook-schemas.ts';

/** A tenant's webhook endpoints, their delivery log and manual redelivery (docs/webhooks.md). */
export const webhookRoutes = {
	createWebhook: {
		method: 'post',
		path: '/v1/webhooks',
		auth: 'tenant',
		summary: 'Register a webhook endpoint for some event types; its signing secret is answered once',
		body: webhookEndpointCreateSchema,
		response: webhookSecretSchema,
		status: 201,
	},
	listWebhooks: {
		method: 'get',
		path: '/v1/webhooks',
		auth: 'tenant',
		summary: "The tenant's webhook endpoints",
		response: webhookEndpointListSchema,
		status: 200,
	},
	getWebhook: {
		method: 'get',
		path: '/v1/webhooks/{endpointId}',
		auth: 'tenant',
		summary: 'One webhook endpoint',
		response: webhookEndpointSchema,
		status: 200,
	},
	updateWebhook: {
		method: 'patch',
		path: '/v1/webhooks/{endpointId}',
		auth: 'tenant',
		summary: "Change an endpoint's URL, event types or note, or disable and enable it",
		body: webhookEndpointUpdateSchema,
		response: webhookEndpointSchema,
		status: 200,
	},
	deleteWebhook: {
		method: 'delete',
		path: '/v1/webhooks/{endpointId}',
		auth: 'tenant',
		summary: 'Delete an endpoint with its waiting deliveries and delivery log',
		response: webhookEndpointSchema,
		status: 200,
	},
	rotateWebhookSecret: {
		method: 'post',
		path: '/v1/webhooks/{endpointId}/secret',
		auth: 'tenant',
		summary: 'A new signing secret (answered once); the old one signs too for `graceSeconds`',
		body: webhookSecretRotateSchema,
		response: webhookSecretSchema,
		status: 201,
	},
	listWebhookDeliveries: {
		method: 'get',
		path: '/v1/webhooks/{endpointId}/deliveries',
		auth: 'tenant',
		summary: "The endpoint's delivery log: waiting deliveries and the last finished ones, newest first",
		query: webhookDeliveryQuerySchema,
		response: webhookDeliveryListSchema,
		status: 200,
	},
	redeliverWebhook: {
		method: 'post',
		path: '/v1/webhooks/{endpointId}/deliveries/{deliveryId}/redeliver',
		auth: 'tenant',
		summary: 'Send one delivery again now (same delivery and event ID), with a new run of retries',
		response: webhookDeliverySchema,
		status: 200,
	},
} as const satisfies Record<string, ApiRoute>;

export type WebhookRouteId = keyof typeof webhookRoutes;
