import { join } from 'node:path';
import type { EngineEvents, TypedEmitter } from '@luwte/engine';
import {
	FileWebhookEndpointStore,
	RedisWebhookEndpointStore,
	retryPolicySchema,
	WebhookDispatcher,
	WebhookOutbox,
	type WebhookEndpointStore,
} from '@luwte/engine/webhooks';
import { z } from 'zod';
import type { Logger } from '../log.ts';

/** `startHost({ webhooks })`: delivery timing (short in tests). */
export const webhookOptionsSchema = z
	.object({
		retry: retryPolicySchema.partial().optional(),
		/** One attempt's deadline (ms, default 10 000). */
		timeoutMs: z.number().int().min(100).max(120_000).optional(),
		/** Attempts in flight at once, over all endpoints (default 8). */
		concurrency: z.number().int().min(1).max(256).optional(),
	})
	.strict();
export type WebhookOptions = z.input<typeof webhookOptionsSchema>;

/** The host's webhooks: the endpoints and the dispatcher that delivers to them. */
export interface Webhooks {
	readonly endpoints: WebhookEndpointStore;
	readonly dispatcher: WebhookDispatcher;
	close(): Promise<void>;
}

/**
 * Opens `<dataDir>/webhooks/`: `endpoints.json` (or, with `redisUrl`, the endpoints in Redis that
 * every host of the cluster shares) and this host's delivery outbox `outbox.jsonl`. Deliveries
 * left pending by the last run are sent again.
 */
export async function openWebhooks(
	dataDir: string,
	opts: WebhookOptions,
	log: Logger,
	sources: { events: TypedEmitter<EngineEvents>; library?: Parameters<WebhookDispatcher['attach']>[1] },
	redisUrl?: string,
): Promise<Webhooks> {
	const o = webhookOptionsSchema.parse(opts);
	const endpoints = redisUrl
		? await RedisWebhookEndpointStore.open({
				url: redisUrl,
				onError: (err) => log.warn('webhooks.endpoints_refresh_failed', { error: String(err) }),
			})
		: await FileWebhookEndpointStore.open(dataDir);
	const outbox = await WebhookOutbox.open(join(dataDir, 'webhooks', 'outbox.jsonl'), {}, (err) =>
		log.error('webhooks.journal_write_failed', { error: String(err) }),
	);
	if (outbox.pendingCount > 0) log.info('webhooks.resumed', { pending: outbox.pendingCount });
	const dispatcher = new WebhookDispatcher({
		outbox,
		endpoints,
		logger: log,
		...(o.retry ? { retry: o.retry } : {}),
		...(o.timeoutMs !== undefined ? { timeoutMs: o.timeoutMs } : {}),
		...(o.concurrency !== undefined ? { concurrency: o.concurrency } : {}),
	});
	const detach = dispatcher.attach(sources.events, sources.library);
	return {
		endpoints,
		dispatcher,
		async close() {
			detach();
			await dispatcher.close();
			await endpoints.close();
		},
	};
}
