import type { RedisClient } from '../storage/redis-connect.ts';

/** How long a session's origin entry lives without a claim (a session is never longer than a day). */
const ORIGIN_TTL_MS = 24 * 3_600_000;

// KEYS[1] the session's origin key; ARGV: me, the host-key prefix, ttl, force ('1': take it
// unless the holder is me). Takes the entry when it is free, held by a host whose lease ran out,
// or when forced; answers the holder after the call.
const CLAIM = `
local cur = redis.call('GET', KEYS[1])
if cur == ARGV[1] then
	redis.call('PEXPIRE', KEYS[1], ARGV[3])
	return cur
end
if (not cur) or ARGV[4] == '1' or redis.call('EXISTS', ARGV[2] .. cur) == 0 then
	redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[3])
	return ARGV[1]
end
return cur
`;

/**
 * Which host is a session's origin: where its stage (the begeleider) publishes and where it is
 * recorded. One Redis key per session, claimed atomically: the first host to hold the session
 * takes it, a begeleider joining through another host moves it there (unless the origin holds a
 * begeleider of its own), and a host whose lease ran out loses it to the next claim.
 */
export class SessionDirectory {
	readonly #redis: RedisClient;
	readonly #prefix: string;
	readonly #hostId: string;

	constructor(redis: RedisClient, prefix: string, hostId: string) {
		this.#redis = redis;
		this.#prefix = prefix;
		this.#hostId = hostId;
	}

	/** Claims the origin of a session for this host; resolves with the host holding it afterwards. */
	async claim(sessionId: string, force = false): Promise<string> {
		const holder = await this.#redis.eval(CLAIM, {
			keys: [this.#key(sessionId)],
			arguments: [this.#hostId, `${this.#prefix}host:`, String(ORIGIN_TTL_MS), force ? '1' : '0'],
		});
		return String(holder);
	}

	/** The origin host of a session (undefined: nobody holds it). */
	async origin(sessionId: string): Promise<string | undefined> {
		return (await this.#redis.get(this.#key(sessionId))) ?? undefined;
	}

	/** The session ended: nobody is its origin any more (only the holder removes it). */
	async release(sessionId: string): Promise<void> {
		const key = this.#key(sessionId);
		await this.#redis.eval(`if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`, {
			keys: [key],
			arguments: [this.#hostId],
		});
	}

	#key(sessionId: string): string {
		return `${this.#prefix}origin:${sessionId}`;
	}
}
