import type { createClient } from 'redis';
import { z } from 'zod';
import { EngineError, invalidInput } from '../errors.ts';
import { connectRedis } from '../storage/redis-connect.ts';
import { assertRedisDurable } from '../storage/redis-durability.ts';
import {
	forgetAction,
	matchesFilter,
	parseBefore,
	parseForget,
	parseReplayFilter,
	parseStoredEvent,
	toEvents,
	type AppendResult,
	type AttendanceEvent,
	type AttendanceEventInput,
	type LedgerStore,
	type ReplayFilter,
} from './store.ts';

/**
 * The ledger in Redis Streams, for hosts on several nodes: one stream per tenant
 * (`<prefix>:<tenant>`), one entry per event with `id`, `type`, `at`, `participantId` and the
 * whole event as JSON in `event`. A Lua script adds a batch atomically: the event ID goes into one
 * set (`<prefix>:_ids`, `SADD` tells whether it is new) and only a new event is added to its
 * stream. Entry IDs are `0-<n>` from one counter (`<prefix>:_seq`), so replay can merge the
 * tenants' streams back into append order.
 *
 * "Durable" means what Redis's persistence makes it: with `appendonly yes` and
 * `appendfsync always` Redis fsyncs its AOF before it replies, so a resolved append survives a
 * crash of Redis or of the machine. With `everysec` up to a second of acknowledged events can be
 * lost; without AOF, everything since the last snapshot. `open` checks the setting (unless told
 * not to, e.g. on a managed Redis that hides CONFIG).
 */

export const redisLedgerStoreOptionsSchema = z
	.object({
		url: z.string().regex(/^rediss?:\/\//, 'a redis:// or rediss:// URL'),
		prefix: z
			.string()
			.regex(/^[A-Za-z0-9:_.{}-]{1,64}$/)
			.default('luwte:ledger'),
		/** Refuse to open unless Redis fsyncs its AOF before replying (appendonly yes, appendfsync always). */
		checkPersistence: z.boolean().default(true),
		/**
		 * While disconnected, fail commands at once instead of queueing them until Redis is back: the
		 * host's outbox then retries on its own schedule and reads answer `unavailable` instead of waiting.
		 */
		failWhileDisconnected: z.boolean().default(false),
	})
	.strict();
export type RedisLedgerStoreOptions = z.input<typeof redisLedgerStoreOptionsSchema> & { now?: () => number };

type Client = ReturnType<typeof createClient>;

/** Events per script call: keeps one call from blocking Redis for long. */
const MAX_BATCH = 500;
const PAGE = 1000;

// KEYS: ids set, counter, tenants set, then one stream per event. ARGV: six per event.
// Returns 1 (stored) or 0 (ID seen before) per event.
const APPEND_SCRIPT = `
local out = {}
local n = #ARGV / 6
for i = 1, n do
	local b = (i - 1) * 6
	if redis.call('SADD', KEYS[1], ARGV[b + 1]) == 1 then
		local seq = redis.call('INCR', KEYS[2])
		redis.call('XADD', KEYS[3 + i], '0-' .. seq, 'id', ARGV[b + 1], 'type', ARGV[b + 2], 'at', ARGV[b + 3], 'participantId', ARGV[b + 4], 'event', ARGV[b + 5])
		redis.call('SADD', KEYS[3], ARGV[b + 6])
		out[i] = 1
	else
		out[i] = 0
	end
end
return out
`;

// KEYS: ids set, stream. ARGV: entry IDs then event IDs (half each). Deletes both together.
const DELETE_SCRIPT = `
local n = #ARGV / 2
for i = 1, n do
	redis.call('XDEL', KEYS[2], ARGV[i])
	redis.call('SREM', KEYS[1], ARGV[n + i])
end
return n
`;

interface Pending {
	event: AttendanceEvent;
	resolve: (r: AppendResult) => void;
	reject: (err: unknown) => void;
}

export class RedisLedgerStore implements LedgerStore {
	readonly #client: Client;
	readonly #prefix: string;
	readonly #now: () => number;
	#queue: Pending[] = [];
	#flushing: Promise<void> | undefined;
	#closed = false;

	private constructor(client: Client, prefix: string, now: () => number) {
		this.#client = client;
		this.#prefix = prefix;
		this.#now = now;
	}

	/** Connects; rejects with `invalid_config` when Redis would acknowledge before fsync. */
	static async open(input: RedisLedgerStoreOptions): Promise<RedisLedgerStore> {
		const { now, ...rest } = input;
		const parsed = redisLedgerStoreOptionsSchema.safeParse(rest);
		if (!parsed.success) throw invalidInput('invalid_config', 'Redis ledger option', parsed.error.issues);
		const client: Client = await connectRedis(parsed.data.url, 'attendance store', {
			disableOfflineQueue: parsed.data.failWhileDisconnected,
		});
		try {
			if (parsed.data.checkPersistence) await assertRedisDurable(client, 'attendance store');
		} catch (err) {
			client.destroy();
			if (err instanceof EngineError) throw err;
			throw new EngineError('unavailable', `Redis ledger store: ${String(err)}`, { cause: err });
		}
		return new RedisLedgerStore(client, parsed.data.prefix, now ?? Date.now);
	}

	append(input: AttendanceEventInput): Promise<AppendResult>;
	append(inputs: readonly AttendanceEventInput[]): Promise<AppendResult[]>;
	append(input: AttendanceEventInput | readonly AttendanceEventInput[]): Promise<AppendResult | AppendResult[]> {
		if (this.#closed) return Promise.reject(new EngineError('unavailable', 'the attendance store is closed'));
		const many = Array.isArray(input);
		let events: AttendanceEvent[];
		try {
			events = toEvents(many ? input : [input], this.#now);
		} catch (err) {
			return Promise.reject(err);
		}
		const results = events.map(
			(event) =>
				new Promise<AppendResult>((resolve, reject) => {
					this.#queue.push({ event, resolve, reject });
				}),
		);
		this.#flushing ??= this.#flushLoop();
		return many ? Promise.all(results) : results[0]!;
	}

	async *replay(filter: ReplayFilter = {}): AsyncGenerator<AttendanceEvent> {
		const f = parseReplayFilter(filter);
		const tenants = f.tenantId !== undefined ? [f.tenantId] : (await this.#client.sMembers(this.#key('_tenants'))).sort();
		// One cursor per tenant stream, merged by entry number: the order events were appended.
		const cursors = tenants.map((t) => ({
			key: this.#key(t),
			buf: [] as { seq: number; event: AttendanceEvent }[],
			next: '-',
			done: false,
		}));
		for (;;) {
			let best: (typeof cursors)[number] | undefined;
			for (const c of cursors) {
				if (c.buf.length === 0 && !c.done) {
					const page = await this.#client.xRange(c.key, c.next, '+', { COUNT: PAGE });
					if (page.length < PAGE) c.done = true;
					const last = page.at(-1);
					if (last) c.next = `(${last.id}`;
					for (const entry of page) {
						const event = parseEntry(entry.message);
						if (event) c.buf.push({ seq: Number(entry.id.split('-')[1]), event });
					}
				}
				if (c.buf.length > 0 && (!best || c.buf[0]!.seq < best.buf[0]!.seq)) best = c;
			}
			if (!best) return;
			const { event } = best.buf.shift()!;
			if (matchesFilter(event, f)) yield event;
		}
	}

	async forget(tenantId: string, participantId: string): Promise<{ removed: number }> {
		const who = parseForget(tenantId, participantId);
		await this.#drain();
		const key = this.#key(who.tenantId);
		let removed = 0;
		const rewritten: AttendanceEvent[] = [];
		for await (const page of this.#pages(key)) {
			const drop: { entry: string; id: string }[] = [];
			for (const { entry, event } of page) {
				const a = forgetAction(event, who.tenantId, who.participantId);
				if (a === 'keep') continue;
				drop.push({ entry, id: event.id });
				if (a === 'drop') removed++;
				else rewritten.push(a);
			}
			await this.#delete(key, drop);
		}
		// A stream entry cannot change: an event that listed the client is added again without it
		// (same event ID, so readers see one event; it moves to the end of the append order).
		if (rewritten.length > 0) await this.append(rewritten);
		return { removed };
	}

	async purgeBefore(beforeMs: number): Promise<{ removed: number }> {
		const before = parseBefore(beforeMs);
		await this.#drain();
		let removed = 0;
		for (const tenant of await this.#client.sMembers(this.#key('_tenants'))) {
			const key = this.#key(tenant);
			for await (const page of this.#pages(key)) {
				const drop = page.filter((p) => p.event.at < before).map((p) => ({ entry: p.entry, id: p.event.id }));
				await this.#delete(key, drop);
				removed += drop.length;
			}
		}
		return { removed };
	}

	async close(): Promise<void> {
		if (this.#closed) return;
		this.#closed = true;
		await this.#drain();
		await this.#client.close();
	}

	/** Waits until every append made so far is answered. */
	async #drain(): Promise<void> {
		while (this.#flushing !== undefined) await this.#flushing;
	}

	#key(tenantOrMeta: string): string {
		return `${this.#prefix}:${tenantOrMeta}`;
	}

	async *#pages(key: string): AsyncGenerator<{ entry: string; event: AttendanceEvent }[]> {
		let next = '-';
		for (;;) {
			const page = await this.#client.xRange(key, next, '+', { COUNT: PAGE });
			const out: { entry: string; event: AttendanceEvent }[] = [];
			for (const e of page) {
				const event = parseEntry(e.message);
				if (event) out.push({ entry: e.id, event });
			}
			yield out;
			if (page.length < PAGE) return;
			next = `(${page.at(-1)!.id}`;
		}
	}

	async #delete(key: string, drop: { entry: string; id: string }[]): Promise<void> {
		for (let i = 0; i < drop.length; i += MAX_BATCH) {
			const part = drop.slice(i, i + MAX_BATCH);
			await this.#client.eval(DELETE_SCRIPT, {
				keys: [this.#key('_ids'), key],
				arguments: [...part.map((d) => d.entry), ...part.map((d) => d.id)],
			});
		}
	}

	/** Sends queued events in batches, one script call each (Redis fsyncs once per call at most). */
	async #flushLoop(): Promise<void> {
		await new Promise<void>((resolve) => setImmediate(resolve));
		while (this.#queue.length > 0) {
			const batch = this.#queue.splice(0, MAX_BATCH);
			const keys = [this.#key('_ids'), this.#key('_seq'), this.#key('_tenants')];
			const args: string[] = [];
			for (const { event } of batch) {
				keys.push(this.#key(event.tenantId));
				const pid = typeof event.participantId === 'string' ? event.participantId : '';
				args.push(event.id, event.type, String(event.at), pid, JSON.stringify(event), event.tenantId);
			}
			try {
				const reply = (await this.#client.eval(APPEND_SCRIPT, { keys, arguments: args })) as number[];
				for (const [i, p] of batch.entries()) p.resolve({ event: p.event, stored: reply[i] === 1 });
			} catch (err) {
				// Not acknowledged: the caller may retry with the same IDs (a stored one is then ignored).
				for (const p of batch)
					p.reject(new EngineError('unavailable', `the attendance store could not be written: ${String(err)}`, { cause: err }));
			}
		}
		this.#flushing = undefined;
	}
}

function parseEntry(message: Record<string, string>): AttendanceEvent | undefined {
	try {
		return parseStoredEvent(JSON.parse(message.event ?? ''));
	} catch {
		return undefined;
	}
}
