import { z } from 'zod';
import { Journal } from '../storage/journal.ts';
import { webhookEventTypes, type WebhookEvent } from './catalogue.ts';
import { DueQueue } from './due-queue.ts';

export type DeliveryState = 'pending' | 'delivered' | 'failed';

/** One event for one endpoint: what is sent, and how sending it went. */
export interface Delivery {
	/** Stable across retries and redeliveries. */
	id: string;
	endpointId: string;
	tenantId: string;
	/** Deliveries with the same endpoint and key go one after another (the session's ID). */
	orderKey: string;
	event: WebhookEvent;
	/** Position in the outbox (increasing): the order within a key. */
	seq: number;
	createdAt: number;
	/** When the current run of attempts began (creation, or the manual redelivery): its age bound counts from here. */
	queuedAt: number;
	state: DeliveryState;
	/** Attempts in the current run. */
	attempts: number;
	lastStatus: number | null;
	lastError: string | null;
	lastAttemptAt: number | null;
	/** When it is tried next (pending only). */
	nextAttemptAt: number | null;
	deliveredAt: number | null;
}

const deliverySchema = z.object({
	id: z.string(),
	endpointId: z.string(),
	tenantId: z.string(),
	orderKey: z.string(),
	event: z.object({
		id: z.string(),
		type: z.enum(webhookEventTypes),
		createdAt: z.string(),
		tenantId: z.string(),
		data: z.record(z.string(), z.unknown()),
	}),
	seq: z.number().int(),
	createdAt: z.number(),
	queuedAt: z.number(),
	state: z.enum(['pending', 'delivered', 'failed']),
	attempts: z.number().int(),
	lastStatus: z.number().int().nullable(),
	lastError: z.string().nullable(),
	lastAttemptAt: z.number().nullable(),
	nextAttemptAt: z.number().nullable(),
	deliveredAt: z.number().nullable(),
});

const lineSchema = z.discriminatedUnion('k', [
	z.object({ k: z.literal('put'), d: deliverySchema }),
	z.object({ k: z.literal('drop'), endpointId: z.string() }),
]);

export interface WebhookOutboxLimits {
	/** Pending deliveries in all; beyond it new events are dropped (counted, logged). */
	maxPending: number;
	/** Pending deliveries per endpoint: one receiver that is down cannot take the whole outbox. */
	maxPendingPerEndpoint: number;
	/** Finished deliveries (delivered or given up) kept per endpoint for the delivery log. */
	logPerEndpoint: number;
}

export const defaultOutboxLimits: WebhookOutboxLimits = { maxPending: 100_000, maxPendingPerEndpoint: 10_000, logPerEndpoint: 200 };

/**
 * The durable state of every delivery: a journal (`<dataDir>/webhooks/outbox.jsonl`, write +
 * fdatasync, group commit; storage/journal.ts) of whole delivery records, the last line of a
 * delivery winning. At open it is read back: pending deliveries are sent again after a crash or
 * restart (at least once: one delivered just before a crash, whose line did not reach the disk,
 * goes out again with the same event ID). Compacted by rewriting what is kept once the journal
 * holds many superseded lines.
 *
 * In memory: the pending deliveries in chains (endpoint + order key, in `seq` order; the
 * dispatcher sends only each chain's head) and the last `logPerEndpoint` finished ones per
 * endpoint. Bounded by the limits.
 */
export class WebhookOutbox {
	readonly #journal: Journal;
	readonly #limits: WebhookOutboxLimits;
	readonly #all = new Map<string, Delivery>();
	readonly #chains = new Map<string, Delivery[]>();
	/** Chain keys by when their head is due (stale entries are skipped by `takeDue`). */
	readonly #due = new DueQueue();
	readonly #pendingPerEndpoint = new Map<string, number>();
	/** Finished delivery IDs per endpoint, oldest first. */
	readonly #finished = new Map<string, string[]>();
	/** New deliveries whose first line is not durable yet: not sent before it is. */
	readonly #unsynced = new Set<string>();
	#pending = 0;
	#seq = 0;
	#journalLines: number;
	#compacting: Promise<void> | undefined;
	#onError: (err: unknown) => void;

	private constructor(journal: Journal, lines: string[], limits: WebhookOutboxLimits, onError: (err: unknown) => void) {
		this.#journal = journal;
		this.#limits = limits;
		this.#onError = onError;
		this.#journalLines = lines.length;
		const records = new Map<string, Delivery>();
		for (const raw of lines) {
			const line = parseLine(raw);
			if (line?.k === 'put') {
				records.delete(line.d.id);
				records.set(line.d.id, line.d as Delivery);
			} else if (line?.k === 'drop') {
				for (const [id, d] of records) if (d.endpointId === line.endpointId) records.delete(id);
			}
		}
		for (const d of [...records.values()].sort((a, b) => a.seq - b.seq)) {
			this.#seq = Math.max(this.#seq, d.seq);
			this.#place(d);
		}
	}

	/** `onError`: a journal write that failed (the host logs it; the delivery goes on in memory). */
	static async open(path: string, limits: Partial<WebhookOutboxLimits> = {}, onError: (err: unknown) => void = () => undefined) {
		const { journal, lines } = await Journal.open(path);
		return new WebhookOutbox(journal, lines, { ...defaultOutboxLimits, ...limits }, onError);
	}

	get pendingCount(): number {
		return this.#pending;
	}

	/** Whether a new delivery for this endpoint fits the limits. */
	hasRoom(endpointId: string): boolean {
		return (
			this.#pending < this.#limits.maxPending && (this.#pendingPerEndpoint.get(endpointId) ?? 0) < this.#limits.maxPendingPerEndpoint
		);
	}

	/** Deliveries waiting for this endpoint. */
	pendingFor(endpointId: string): number {
		return this.#pendingPerEndpoint.get(endpointId) ?? 0;
	}

	nextSeq(): number {
		return ++this.#seq;
	}

	/** Adds new deliveries; resolves once they are durable (they are sent only then). */
	async add(deliveries: readonly Delivery[]): Promise<void> {
		for (const d of deliveries) {
			this.#unsynced.add(d.id);
			this.#place(d);
		}
		try {
			await this.#write(deliveries);
		} finally {
			for (const d of deliveries) this.#unsynced.delete(d.id);
		}
	}

	/** Records a changed delivery (an attempt's result, a redelivery) and files it where its state says. */
	put(d: Delivery): void {
		this.#unplace(d.id);
		this.#place(d);
		void this.#write([d]).catch(() => undefined);
		this.#maybeCompact();
	}

	get(id: string): Delivery | undefined {
		return this.#all.get(id);
	}

	/** Whether a delivery's record is on disk (a new one is sent only then). */
	durable(id: string): boolean {
		return !this.#unsynced.has(id);
	}

	/** The chains of pending deliveries: key → deliveries in order (the first is sent next). */
	chains(): IterableIterator<[string, readonly Delivery[]]> {
		return this.#chains.entries();
	}

	/**
	 * The heads due by `now`, earliest first, for which `accept` returns true (it starts them);
	 * stops once `accept` returns 'stop'. A head refused with false (its endpoint is busy) is
	 * looked at again on the next call; one refused with 'drop' (endpoint disabled) only after
	 * `requeueAll`. Returns when the next head is due (Infinity: none).
	 */
	takeDue(now: number, accept: (key: string, head: Delivery) => boolean | 'stop' | 'drop'): number {
		const again: { due: number; key: string }[] = [];
		while (this.#due.peek() <= now) {
			const entry = this.#due.pop()!;
			const head = this.#chains.get(entry.key)?.[0];
			// Stale: the chain is gone, or its head changed or was rescheduled (a newer entry exists).
			if (!head || (head.nextAttemptAt ?? 0) !== entry.due) continue;
			const r = accept(entry.key, head);
			if (r === 'stop') {
				again.push(entry);
				break;
			}
			if (r === false) again.push(entry);
		}
		for (const e of again) this.#due.push(e.due, e.key);
		// Stale entries pile up while heads are rescheduled: rebuilt when they outnumber the chains.
		if (this.#due.size > 4 * this.#chains.size + 1_000) this.requeueAll();
		return this.#due.peek();
	}

	/** A chain's head queued again (its attempt ended, its record became durable, its endpoint has room). */
	requeueChain(key: string): void {
		const head = this.#chains.get(key)?.[0];
		if (head) this.#due.push(head.nextAttemptAt ?? 0, key);
	}

	/** Every chain's head queued again (after an endpoint was enabled, or to drop stale entries). */
	requeueAll(): void {
		this.#due.clear();
		for (const [key, chain] of this.#chains) this.#due.push(chain[0]!.nextAttemptAt ?? 0, key);
	}

	/** An endpoint's deliveries, newest first: pending ones and its delivery log. */
	ofEndpoint(endpointId: string): Delivery[] {
		return [...this.#all.values()].filter((d) => d.endpointId === endpointId).sort((a, b) => b.seq - a.seq);
	}

	/** Forgets an endpoint's deliveries (it was deleted). */
	dropEndpoint(endpointId: string): void {
		for (const d of [...this.#all.values()]) if (d.endpointId === endpointId) this.#unplace(d.id);
		this.#finished.delete(endpointId);
		this.#journalLines++;
		void this.#journal.append([JSON.stringify({ k: 'drop', endpointId })]).catch((err: unknown) => this.#onError(err));
	}

	async close(): Promise<void> {
		await this.#compacting;
		await this.#journal.close();
	}

	#write(deliveries: readonly Delivery[]): Promise<void> {
		this.#journalLines += deliveries.length;
		return this.#journal.append(deliveries.map((d) => JSON.stringify({ k: 'put', d }))).catch((err: unknown) => {
			this.#onError(err);
			throw err;
		});
	}

	#place(d: Delivery): void {
		this.#all.set(d.id, d);
		if (d.state === 'pending') {
			const key = chainKey(d);
			const chain = this.#chains.get(key);
			if (!chain) {
				this.#chains.set(key, [d]);
				this.#due.push(d.nextAttemptAt ?? 0, key);
			} else {
				// Almost always at the end (a new event, a redelivery with a new seq).
				let i = chain.length;
				while (i > 0 && chain[i - 1]!.seq > d.seq) i--;
				chain.splice(i, 0, d);
				if (i === 0) this.#due.push(d.nextAttemptAt ?? 0, key);
			}
			this.#pending++;
			this.#pendingPerEndpoint.set(d.endpointId, (this.#pendingPerEndpoint.get(d.endpointId) ?? 0) + 1);
			return;
		}
		const log = this.#finished.get(d.endpointId) ?? [];
		log.push(d.id);
		this.#finished.set(d.endpointId, log);
		while (log.length > this.#limits.logPerEndpoint) this.#all.delete(log.shift()!);
	}

	#unplace(id: string): void {
		const d = this.#all.get(id);
		if (!d) return;
		this.#all.delete(id);
		if (d.state === 'pending') {
			const key = chainKey(d);
			const chain = this.#chains.get(key);
			const i = chain?.indexOf(d) ?? -1;
			if (chain && i >= 0) {
				chain.splice(i, 1);
				if (chain.length === 0) this.#chains.delete(key);
				else if (i === 0) this.#due.push(chain[0]!.nextAttemptAt ?? 0, key);
				this.#pending--;
				const n = (this.#pendingPerEndpoint.get(d.endpointId) ?? 1) - 1;
				if (n > 0) this.#pendingPerEndpoint.set(d.endpointId, n);
				else this.#pendingPerEndpoint.delete(d.endpointId);
			}
		} else {
			const log = this.#finished.get(d.endpointId);
			const i = log?.indexOf(id) ?? -1;
			if (log && i >= 0) log.splice(i, 1);
		}
	}

	/** Rewrites the journal to what is kept once superseded lines outnumber kept ones (and a floor). */
	#maybeCompact(): void {
		if (this.#compacting || this.#journalLines < 2 * this.#all.size + COMPACT_FLOOR) return;
		this.#compacting = (async () => {
			try {
				// Appends made while the rewrite runs wait for it and land in the new file.
				const keep = [...this.#all.values()].sort((a, b) => a.seq - b.seq).map((d) => JSON.stringify({ k: 'put', d }));
				await this.#journal.rewrite(keep);
				this.#journalLines = keep.length;
			} catch (err) {
				// The old journal is whole (rewrite is atomic): the next compaction tries again.
				this.#onError(err);
			} finally {
				this.#compacting = undefined;
			}
		})();
	}
}

/** Superseded journal lines tolerated before a compaction, beyond twice the records kept. */
const COMPACT_FLOOR = 1_000;

export function chainKey(d: Pick<Delivery, 'endpointId' | 'orderKey'>): string {
	return `${d.endpointId}\u0000${d.orderKey}`;
}

function parseLine(raw: string): z.output<typeof lineSchema> | undefined {
	try {
		const r = lineSchema.safeParse(JSON.parse(raw));
		return r.success ? r.data : undefined;
	} catch {
		return undefined;
	}
}
