import { createHash, randomBytes } from 'node:crypto';
import { messageOf } from '@luwte/errors';
import { EngineError } from '../errors.ts';
import type { EngineEvents, TypedEmitter } from '../events.ts';
import { defaultLogger, type Logger } from '../log/logger.ts';
import { itemPublished, webhookEvent, webhookSources, type WebhookEventDraft, type WebhookSourceName } from './catalogue.ts';
import type { WebhookEndpointStore } from './endpoint-store.ts';
import { signingSecrets, type WebhookEndpoint } from './endpoints.ts';
import { chainKey, type Delivery, type DeliveryState, type WebhookOutbox } from './outbox.ts';
import { givesUp, retryDelay, retryPolicySchema, type RetryPolicy, type RetryPolicyInput } from './retry.ts';
import { signatureHeader, webhookHeaders } from './signing.ts';

export interface WebhookDispatcherOptions {
	outbox: WebhookOutbox;
	endpoints: WebhookEndpointStore;
	retry?: RetryPolicyInput;
	/** One attempt may take this long (connect, send, answer headers) before it counts as failed. Default 10 s. */
	timeoutMs?: number;
	/** Attempts in flight at once, over all endpoints. Default 8. */
	concurrency?: number;
	/** Attempts in flight at once per endpoint (different sessions; one session's go one by one). Default 4. */
	perEndpointConcurrency?: number;
	logger?: Logger;
	fetch?: typeof fetch;
	now?: () => number;
	random?: () => number;
}

export interface WebhookStats {
	pending: number;
	inFlight: number;
	delivered: number;
	failedAttempts: number;
	gaveUp: number;
	/** Deliveries not queued because the outbox was full. */
	dropped: number;
}

/**
 * Turns engine events into deliveries and sends them.
 *
 * `publish` is synchronous and cheap (it runs inside the engine's event emission, on the media
 * path's event loop): it looks the tenant's endpoints up in memory, puts a delivery per endpoint
 * into the outbox and returns; the journal write and every HTTP request happen later. A delivery
 * is sent once its record is durable. Per endpoint and order key (the session) only the oldest
 * pending delivery is attempted, so a session's events arrive in order; other sessions and
 * endpoints go on meanwhile, within `concurrency` and `perEndpointConcurrency`. A failed attempt
 * (no 2xx answer within `timeoutMs`) is tried again after `retry`'s backoff, until it gives up.
 */
export class WebhookDispatcher {
	readonly #outbox: WebhookOutbox;
	readonly #endpoints: WebhookEndpointStore;
	readonly #retry: RetryPolicy;
	readonly #timeoutMs: number;
	readonly #concurrency: number;
	readonly #perEndpoint: number;
	readonly #log: Logger;
	readonly #fetch: typeof fetch;
	readonly #now: () => number;
	readonly #random: () => number;
	/** Chains with an attempt in flight. */
	readonly #busy = new Set<string>();
	readonly #inFlightPerEndpoint = new Map<string, number>();
	/** Chains due but set aside while their endpoint had no room, by endpoint. */
	readonly #parked = new Map<string, Set<string>>();
	readonly #attempts = new Set<Promise<void>>();
	readonly #closing = new AbortController();
	#timer: NodeJS.Timeout | undefined;
	#timerAt = Number.POSITIVE_INFINITY;
	#pumpQueued = false;
	readonly #stats = { delivered: 0, failedAttempts: 0, gaveUp: 0, dropped: 0 };

	constructor(opts: WebhookDispatcherOptions) {
		this.#outbox = opts.outbox;
		this.#endpoints = opts.endpoints;
		this.#retry = retryPolicySchema.parse(opts.retry ?? {});
		this.#timeoutMs = opts.timeoutMs ?? 10_000;
		this.#concurrency = opts.concurrency ?? 8;
		this.#perEndpoint = opts.perEndpointConcurrency ?? 4;
		this.#log = opts.logger ?? defaultLogger();
		this.#fetch = opts.fetch ?? fetch;
		this.#now = opts.now ?? Date.now;
		this.#random = opts.random ?? Math.random;
		// Deliveries left pending by an earlier run.
		this.#schedule(0);
	}

	/** Listens to the engine (and the library): returns a function that stops listening. */
	attach(
		events: TypedEmitter<EngineEvents>,
		library?: { onPublished(l: (item: Parameters<typeof itemPublished>[0]) => void): () => void },
	) {
		const offs = (Object.keys(webhookSources) as WebhookSourceName[]).map((name) =>
			events.on(name, (e: unknown) => {
				const d = (webhookSources[name] as (e: unknown) => WebhookEventDraft | undefined)(e);
				if (d) this.publish(d);
			}),
		);
		if (library) offs.push(library.onPublished((item) => this.publish(itemPublished(item))));
		return () => {
			for (const off of offs) off();
		};
	}

	/** Queues the event for every enabled endpoint of its tenant that wants its type. Synchronous. */
	publish(draft: WebhookEventDraft): void {
		if (this.#closing.signal.aborted) return;
		const targets = this.#endpoints.list(draft.tenantId).filter((e) => e.enabled && e.events.includes(draft.type));
		if (targets.length === 0) return;
		const event = webhookEvent(eventId(draft), draft);
		const now = this.#now();
		const deliveries: Delivery[] = [];
		for (const ep of targets) {
			if (!this.#outbox.hasRoom(ep.id)) {
				if (this.#stats.dropped++ % 1000 === 0)
					this.#log.warn('webhooks.outbox_full', { endpoint: ep.id, type: draft.type, dropped: this.#stats.dropped });
				continue;
			}
			deliveries.push({
				id: `dlv_${randomBytes(12).toString('hex')}`,
				endpointId: ep.id,
				tenantId: draft.tenantId,
				orderKey: draft.orderKey,
				event,
				seq: this.#outbox.nextSeq(),
				createdAt: now,
				queuedAt: now,
				state: 'pending',
				attempts: 0,
				lastStatus: null,
				lastError: null,
				lastAttemptAt: null,
				nextAttemptAt: now,
				deliveredAt: null,
			});
		}
		if (deliveries.length === 0) return;
		this.#outbox.add(deliveries).then(
			() => {
				// Durable now: their chains may be sent (a head set aside while it was not is queued again).
				for (const d of deliveries) this.#outbox.requeueChain(chainKey(d));
				this.#schedule(0);
			},
			(err: unknown) => {
				this.#log.error('webhooks.outbox_write_failed', { type: draft.type, error: messageOf(err) });
				// Not durable, but still sent while this process runs.
				for (const d of deliveries) this.#outbox.requeueChain(chainKey(d));
				this.#schedule(0);
			},
		);
	}

	/** The endpoint's deliveries, newest first (pending ones and the delivery log). */
	deliveries(tenantId: string, endpointId: string, filter: { state?: DeliveryState; limit?: number } = {}): Delivery[] {
		this.#endpoints.get(tenantId, endpointId);
		return this.#outbox
			.ofEndpoint(endpointId)
			.filter((d) => filter.state === undefined || d.state === filter.state)
			.slice(0, filter.limit ?? 100);
	}

	/**
	 * Sends a delivery again (same delivery and event ID), now: a finished one is queued again at
	 * the end of its session's chain with a new run of attempts; a pending one is tried at once.
	 */
	redeliver(tenantId: string, endpointId: string, deliveryId: string): Delivery {
		const ep = this.#endpoints.get(tenantId, endpointId);
		const d = this.#outbox.get(deliveryId);
		if (!d || d.endpointId !== ep.id) throw new EngineError('not_found', `delivery ${deliveryId} not found`);
		const now = this.#now();
		if (d.state === 'pending') {
			this.#outbox.put({ ...d, nextAttemptAt: now });
		} else {
			this.#outbox.put({
				...d,
				seq: this.#outbox.nextSeq(),
				state: 'pending',
				attempts: 0,
				queuedAt: now,
				nextAttemptAt: now,
				deliveredAt: null,
			});
		}
		this.#schedule(0);
		return this.#outbox.get(deliveryId)!;
	}

	/** Deliveries waiting for this endpoint. */
	pendingFor(endpointId: string): number {
		return this.#outbox.pendingFor(endpointId);
	}

	/** An endpoint was deleted: its deliveries go (an attempt in flight ends on its own). */
	forgetEndpoint(endpointId: string): void {
		this.#outbox.dropEndpoint(endpointId);
	}

	/** An endpoint changed (enabled again): its waiting deliveries are looked at now. */
	endpointChanged(): void {
		this.#outbox.requeueAll();
		this.#schedule(0);
	}

	get stats(): WebhookStats {
		return { pending: this.#outbox.pendingCount, inFlight: this.#attempts.size, ...this.#stats };
	}

	/** Stops sending: attempts in flight are abandoned (they stay pending, sent after the next start). */
	async close(): Promise<void> {
		this.#closing.abort();
		clearTimeout(this.#timer);
		await Promise.allSettled([...this.#attempts]);
		await this.#outbox.close();
	}

	/** Runs the pump after `ms` (or sooner if already due sooner). */
	#schedule(ms: number): void {
		if (this.#closing.signal.aborted) return;
		if (ms <= 0) {
			if (this.#pumpQueued) return;
			this.#pumpQueued = true;
			setImmediate(() => {
				this.#pumpQueued = false;
				this.#pump();
			});
			return;
		}
		const at = this.#now() + ms;
		if (at >= this.#timerAt) return;
		clearTimeout(this.#timer);
		this.#timerAt = at;
		this.#timer = setTimeout(() => {
			this.#timerAt = Number.POSITIVE_INFINITY;
			this.#pump();
		}, ms);
		this.#timer.unref();
	}

	/**
	 * Starts every attempt that is due and allowed, taking due chains from the outbox's queue (not
	 * scanning every chain); sets the timer for the next one due. A chain set aside here is queued
	 * again by what it waits for: its attempt's end, its record's fsync, room at its endpoint, or
	 * the endpoint being enabled.
	 */
	#pump(): void {
		if (this.#closing.signal.aborted) return;
		const now = this.#now();
		let full = false;
		const next = this.#outbox.takeDue(now, (key, head) => {
			if (this.#attempts.size >= this.#concurrency) {
				full = true;
				return 'stop';
			}
			if (this.#busy.has(key) || !this.#outbox.durable(head.id)) return 'drop';
			const ep = this.#endpoints.find(head.endpointId);
			// Deleted (on another host, when endpoints are shared): its deliveries go.
			if (!ep) {
				this.#outbox.dropEndpoint(head.endpointId);
				return 'drop';
			}
			if (!ep.enabled) return 'drop';
			if ((this.#inFlightPerEndpoint.get(ep.id) ?? 0) >= this.#perEndpoint) {
				const parked = this.#parked.get(ep.id) ?? new Set<string>();
				parked.add(key);
				this.#parked.set(ep.id, parked);
				return 'drop';
			}
			this.#start(key, head, ep);
			return true;
		});
		// With every slot taken, the next attempt to end runs the pump again.
		if (!full && next !== Number.POSITIVE_INFINITY) this.#schedule(Math.max(1, next - now));
	}

	#start(key: string, d: Delivery, ep: WebhookEndpoint): void {
		this.#busy.add(key);
		this.#inFlightPerEndpoint.set(ep.id, (this.#inFlightPerEndpoint.get(ep.id) ?? 0) + 1);
		const attempt = this.#attempt(d, ep).finally(() => {
			this.#busy.delete(key);
			const n = (this.#inFlightPerEndpoint.get(ep.id) ?? 1) - 1;
			if (n > 0) this.#inFlightPerEndpoint.set(ep.id, n);
			else this.#inFlightPerEndpoint.delete(ep.id);
			// This chain's next (or rescheduled) head, and the chain that waited longest for room at this
			// endpoint (one slot freed: one chain, not all of them, or each end would re-sort every waiting chain).
			this.#outbox.requeueChain(key);
			const parked = this.#parked.get(ep.id);
			const first = parked?.values().next().value;
			if (parked && first !== undefined) {
				parked.delete(first);
				if (parked.size === 0) this.#parked.delete(ep.id);
				this.#outbox.requeueChain(first);
			}
			this.#attempts.delete(attempt);
			this.#schedule(0);
		});
		this.#attempts.add(attempt);
	}

	async #attempt(d: Delivery, ep: WebhookEndpoint): Promise<void> {
		const n = d.attempts + 1;
		const startedAt = this.#now();
		const body = JSON.stringify(d.event);
		let status: number | null = null;
		let error: string | null = null;
		try {
			const res = await this.#fetch(ep.url, {
				method: 'POST',
				headers: {
					'content-type': 'application/json',
					'user-agent': 'Luwte-Webhooks/1',
					[webhookHeaders.signature]: signatureHeader(signingSecrets(ep, startedAt), Math.floor(startedAt / 1000), body),
					[webhookHeaders.eventId]: d.event.id,
					[webhookHeaders.eventType]: d.event.type,
					[webhookHeaders.deliveryId]: d.id,
					[webhookHeaders.attempt]: String(n),
				},
				body,
				// A redirect is not followed: the body would go somewhere the tenant did not register.
				redirect: 'manual',
				signal: AbortSignal.any([AbortSignal.timeout(this.#timeoutMs), this.#closing.signal]),
			});
			status = res.status;
			// The answer's body is not read: only the status counts.
			await res.body?.cancel().catch(() => undefined);
			if (status < 200 || status > 299) error = `HTTP ${status}`;
		} catch (err) {
			error = reasonOf(err, this.#timeoutMs);
		}
		// Closing: the attempt is abandoned, not counted; the delivery stays pending for the next start.
		if (this.#closing.signal.aborted) return;
		const current = this.#outbox.get(d.id);
		// Deleted meanwhile (its endpoint went), or redelivered (a newer record): that one counts.
		if (current !== d) return;
		const now = this.#now();
		const result = { attempts: n, lastStatus: status, lastError: error, lastAttemptAt: startedAt };
		if (error === null) {
			this.#stats.delivered++;
			this.#outbox.put({ ...d, ...result, state: 'delivered', nextAttemptAt: null, deliveredAt: now });
			return;
		}
		this.#stats.failedAttempts++;
		if (givesUp(n, d.queuedAt, now, this.#retry)) {
			this.#stats.gaveUp++;
			this.#log.warn('webhooks.gave_up', { endpoint: ep.id, delivery: d.id, type: d.event.type, attempts: n, error });
			this.#outbox.put({ ...d, ...result, state: 'failed', nextAttemptAt: null });
			return;
		}
		if (n === 1 || n % 10 === 0) this.#log.info('webhooks.retrying', { endpoint: ep.id, delivery: d.id, attempts: n, error });
		this.#outbox.put({ ...d, ...result, nextAttemptAt: now + retryDelay(n, this.#retry, this.#random) });
	}
}

/** Why an attempt failed, briefly (the delivery log shows it): the network error's code where there is one. */
function reasonOf(err: unknown, timeoutMs: number): string {
	if (err instanceof DOMException && err.name === 'TimeoutError') return `no answer within ${timeoutMs} ms`;
	const cause = (err as { cause?: { code?: unknown; message?: unknown } }).cause;
	if (cause && typeof cause.code === 'string')
		return `${cause.code}${typeof cause.message === 'string' ? `: ${cause.message}` : ''}`.slice(0, 300);
	// undici's own refusals (e.g. a "bad port" of the Fetch standard) carry only a message.
	if (cause && typeof cause.message === 'string') return `${messageOf(err)}: ${cause.message}`.slice(0, 300);
	return messageOf(err).slice(0, 300);
}

/** Random, or derived from the draft's key (the same event seen by several hosts of a cluster gets one ID). */
export function eventId(draft: WebhookEventDraft): string {
	if (draft.key === undefined) return `evt_${randomBytes(12).toString('hex')}`;
	return `evt_${createHash('sha256').update(`${draft.tenantId}\u0000${draft.key}`).digest('hex').slice(0, 24)}`;
}
