import type { createClient } from 'redis';
import { z } from 'zod';
import { EngineError, invalidInput } from '../../errors.ts';
import { connectRedis } from '../../storage/redis-connect.ts';
import { assertRedisDurable } from '../../storage/redis-durability.ts';
import {
	encodeCursor,
	isActive,
	isAfter,
	matchesQuery,
	parseListQuery,
	sessionRecordSchema,
	sortKeyOf,
	type Cursor,
	type ListQuery,
	type SessionPage,
	type SessionRecord,
} from './record.ts';
import type { SessionStore } from './session-store.ts';

/**
 * Sessions in Redis, for several hosts sharing one programme. Per session a hash
 * `<prefix>:rec:<id>` (`rev`, `json`); per tenant a sorted set `<prefix>:at:<tenant>` in listing
 * order (score: when it takes place; Redis orders equal scores by member, the session ID, as the
 * listing does) and `<prefix>:created:<tenant>` (score: creation, for the daily quota); one set
 * `<prefix>:active` of scheduled and live sessions. A Lua script writes all of them at once and
 * keeps the newest revision. Durable as Redis's AOF makes it: `open` checks for `appendonly yes`
 * and `appendfsync always`, like the ledger's Redis store.
 */

export const redisSessionStoreOptionsSchema = z
	.object({
		url: z.string().regex(/^rediss?:\/\//, 'a redis:// or rediss:// URL'),
		prefix: z
			.string()
			.regex(/^[A-Za-z0-9:_.{}-]{1,64}$/)
			.default('luwte:sessions'),
		checkPersistence: z.boolean().default(true),
	})
	.strict();
export type RedisSessionStoreOptions = z.input<typeof redisSessionStoreOptionsSchema>;

type Client = ReturnType<typeof createClient>;

const PUT_SCRIPT = `
local old = redis.call('HGET', KEYS[1], 'rev')
if old and tonumber(old) > tonumber(ARGV[2]) then return 0 end
redis.call('HSET', KEYS[1], 'rev', ARGV[2], 'json', ARGV[3])
redis.call('ZADD', KEYS[2], ARGV[4], ARGV[1])
redis.call('ZADD', KEYS[3], ARGV[5], ARGV[1])
if ARGV[6] == '1' then redis.call('SADD', KEYS[4], ARGV[1]) else redis.call('SREM', KEYS[4], ARGV[1]) end
return 1
`;

/** Index entries read per round trip while listing, and at most per page (a page may come back short, with a cursor). */
const SCAN_CHUNK = 500;
const SCAN_MAX = 20_000;

export class RedisSessionStore implements SessionStore {
	readonly #client: Client;
	readonly #prefix: string;

	private constructor(client: Client, prefix: string) {
		this.#client = client;
		this.#prefix = prefix;
	}

	static async open(input: RedisSessionStoreOptions): Promise<RedisSessionStore> {
		const parsed = redisSessionStoreOptionsSchema.safeParse(input);
		if (!parsed.success) throw invalidInput('invalid_config', 'Redis session store option', parsed.error.issues);
		const client = await connectRedis(parsed.data.url, 'session store');
		try {
			if (parsed.data.checkPersistence) await assertRedisDurable(client, 'session store');
		} catch (err) {
			client.destroy();
			if (err instanceof EngineError) throw err;
			throw new EngineError('unavailable', `Redis session store: ${String(err)}`, { cause: err });
		}
		return new RedisSessionStore(client, parsed.data.prefix);
	}

	readonly durable = true;

	async put(record: SessionRecord): Promise<void> {
		const r = sessionRecordSchema.parse(record);
		await this.#call(() =>
			this.#client.eval(PUT_SCRIPT, {
				keys: [this.#rec(r.id), this.#at(r.tenantId), this.#created(r.tenantId), `${this.#prefix}:active`],
				arguments: [
					r.id,
					String(r.revision),
					JSON.stringify(r),
					String(sortKeyOf(r)),
					String(r.createdAt),
					isActive(r) ? '1' : '0',
				],
			}),
		);
	}

	async get(tenantId: string, sessionId: string): Promise<SessionRecord | undefined> {
		const [r] = await this.#load([sessionId]);
		return r && r.tenantId === tenantId ? r : undefined;
	}

	async list(tenantId: string, query: ListQuery = {}): Promise<SessionPage> {
		const q = parseListQuery(query);
		const min = Math.max(q.from ?? 0, q.after?.at ?? 0);
		const max = q.to === undefined ? '+inf' : `(${q.to}`;
		const sessions: SessionRecord[] = [];
		let scanned = 0;
		let last: Cursor | undefined;
		for (let offset = 0; sessions.length < q.limit && scanned < SCAN_MAX; offset += SCAN_CHUNK) {
			const entries = await this.#call(() =>
				this.#client.zRangeWithScores(this.#at(tenantId), min, max, { BY: 'SCORE', LIMIT: { offset, count: SCAN_CHUNK } }),
			);
			if (entries.length === 0) return { sessions, nextCursor: undefined };
			scanned += entries.length;
			const ids = entries.filter((e) => isAfter(e.score, e.value, q.after));
			const records = await this.#load(ids.map((e) => e.value));
			for (const [i, r] of records.entries()) {
				last = { at: ids[i]!.score, id: ids[i]!.value };
				if (r && matchesQuery(r, q)) sessions.push(r);
				if (sessions.length === q.limit) break;
			}
			if (entries.length < SCAN_CHUNK && sessions.length < q.limit) return { sessions, nextCursor: undefined };
		}
		// Full page (or the scan limit): there may be more; an empty next page is possible and fine.
		return { sessions, nextCursor: last ? encodeCursor(last) : undefined };
	}

	async active(): Promise<SessionRecord[]> {
		const ids = await this.#call(() => this.#client.sMembers(`${this.#prefix}:active`));
		return (await this.#load(ids)).filter((r): r is SessionRecord => r !== undefined && isActive(r));
	}

	async countCreatedSince(tenantId: string, sinceMs: number): Promise<number> {
		return this.#call(() => this.#client.zCount(this.#created(tenantId), sinceMs, '+inf'));
	}

	async close(): Promise<void> {
		if (this.#client.isOpen) await this.#client.close();
	}

	async #load(ids: readonly string[]): Promise<(SessionRecord | undefined)[]> {
		if (ids.length === 0) return [];
		const multi = this.#client.multi();
		for (const id of ids) multi.hGet(this.#rec(id), 'json');
		const replies = (await this.#call(() => multi.exec())) as unknown as (string | null)[];
		return replies.map((json) => {
			if (typeof json !== 'string') return undefined;
			const r = sessionRecordSchema.safeParse(JSON.parse(json));
			return r.success ? r.data : undefined;
		});
	}

	async #call<T>(fn: () => Promise<T>): Promise<T> {
		try {
			return await fn();
		} catch (err) {
			throw new EngineError('unavailable', `Redis session store: ${String(err)}`, { cause: err });
		}
	}

	#rec(id: string): string {
		return `${this.#prefix}:rec:${id}`;
	}
	#at(tenantId: string): string {
		return `${this.#prefix}:at:${tenantId}`;
	}
	#created(tenantId: string): string {
		return `${this.#prefix}:created:${tenantId}`;
	}
}
