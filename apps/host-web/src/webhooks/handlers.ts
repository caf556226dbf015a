import { newEndpointId, newWebhookSecret, type Delivery, type WebhookEndpoint } from '@luwte/engine/webhooks';
import type { WebhookDeliveryResource, WebhookEndpointResource, WebhookRouteId } from '@luwte/sdk/admin';
import { HostError } from '../errors.ts';
import type { Handlers } from '../http/handlers.ts';
import type { Webhooks } from './service.ts';

/** `/v1/webhooks`: a tenant's endpoints (durable before answered), the delivery log and redelivery. */
export function webhookHandlers(webhooks: Webhooks | undefined): Handlers<WebhookRouteId> {
	const w = (): Webhooks => {
		if (!webhooks) throw new HostError('unavailable', 'webhooks are not enabled on this host');
		return webhooks;
	};
	const view = (e: WebhookEndpoint) => endpointResource(e, w().dispatcher.pendingFor(e.id));
	return {
		createWebhook: async ({ tenant, body }) => {
			const now = Date.now();
			const secret = newWebhookSecret();
			const e = await w().endpoints.add({
				id: newEndpointId(),
				tenantId: tenant.id,
				url: body.url,
				events: body.events,
				enabled: body.enabled,
				...(body.description !== undefined ? { description: body.description } : {}),
				secret,
				createdAt: now,
				updatedAt: now,
			});
			return { endpoint: view(e), secret };
		},
		listWebhooks: ({ tenant }) => ({ endpoints: w().endpoints.list(tenant.id).map(view) }),
		getWebhook: ({ tenant, params }) => view(w().endpoints.get(tenant.id, params.endpointId)),
		updateWebhook: async ({ tenant, params, body }) => {
			const e = await w().endpoints.update(tenant.id, params.endpointId, () => ({
				...(body.url !== undefined ? { url: body.url } : {}),
				...(body.events !== undefined ? { events: body.events } : {}),
				...(body.enabled !== undefined ? { enabled: body.enabled } : {}),
				...(body.description !== undefined ? { description: body.description } : {}),
			}));
			w().dispatcher.endpointChanged();
			return view(e);
		},
		deleteWebhook: async ({ tenant, params }) => {
			const e = await w().endpoints.remove(tenant.id, params.endpointId);
			w().dispatcher.forgetEndpoint(e.id);
			return endpointResource(e, 0);
		},
		rotateWebhookSecret: async ({ tenant, params, body }) => {
			const secret = newWebhookSecret();
			const now = Date.now();
			const e = await w().endpoints.update(tenant.id, params.endpointId, (current) =>
				body.graceSeconds > 0
					? { secret, previousSecret: current.secret, previousSecretUntil: now + body.graceSeconds * 1000 }
					: { secret, previousSecret: undefined, previousSecretUntil: undefined },
			);
			return { endpoint: view(e), secret };
		},
		listWebhookDeliveries: ({ tenant, params, query }) => ({
			deliveries: w()
				.dispatcher.deliveries(tenant.id, params.endpointId, {
					...(query.state !== undefined ? { state: query.state } : {}),
					limit: query.limit,
				})
				.map(deliveryResource),
		}),
		redeliverWebhook: ({ tenant, params }) =>
			deliveryResource(w().dispatcher.redeliver(tenant.id, params.endpointId, params.deliveryId)),
	};
}

function endpointResource(e: WebhookEndpoint, pending: number): WebhookEndpointResource {
	return {
		id: e.id,
		url: e.url,
		events: e.events,
		enabled: e.enabled,
		description: e.description ?? null,
		createdAt: iso(e.createdAt)!,
		updatedAt: iso(e.updatedAt)!,
		previousSecretUntil:
			e.previousSecret !== undefined && (e.previousSecretUntil ?? 0) > Date.now() ? iso(e.previousSecretUntil) : null,
		pending,
	};
}

function deliveryResource(d: Delivery): WebhookDeliveryResource {
	const sessionId = d.event.data.sessionId;
	return {
		id: d.id,
		eventId: d.event.id,
		type: d.event.type,
		sessionId: typeof sessionId === 'string' ? sessionId : null,
		state: d.state,
		attempts: d.attempts,
		createdAt: iso(d.createdAt)!,
		lastAttemptAt: iso(d.lastAttemptAt),
		lastStatus: d.lastStatus,
		lastError: d.lastError,
		nextAttemptAt: d.state === 'pending' ? iso(d.nextAttemptAt) : null,
		deliveredAt: iso(d.deliveredAt),
	};
}

function iso(ms: number | null | undefined): string | null {
	return ms === null || ms === undefined ? null : new Date(ms).toISOString();
}
