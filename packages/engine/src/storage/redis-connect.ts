import { createClient } from 'redis';
import { EngineError } from '../errors.ts';

export type RedisClient = ReturnType<typeof createClient>;

export interface ConnectRedisOptions {
	/** How long the first connection may take before opening fails (default 10 s). */
	timeoutMs?: number;
	/** Fail commands at once while disconnected instead of queueing them. */
	disableOfflineQueue?: boolean;
}

/**
 * Connects a Redis client for a store. The client's own reconnecting is kept for later outages,
 * but the first connection has a deadline: a host started with a wrong `--redis-url` stops with
 * `unavailable` naming the address (never the password) instead of waiting for ever.
 */
export async function connectRedis(url: string, what: string, opts: ConnectRedisOptions = {}): Promise<RedisClient> {
	const timeoutMs = opts.timeoutMs ?? 10_000;
	const deadline = Date.now() + timeoutMs;
	let connected = false;
	let lastError: unknown;
	const client: RedisClient = createClient({
		url,
		...(opts.disableOfflineQueue ? { disableOfflineQueue: true } : {}),
		socket: {
			connectTimeout: Math.min(timeoutMs, 5_000),
			reconnectStrategy: (retries, cause) => {
				lastError = cause;
				if (!connected && Date.now() >= deadline) return new Error(`no answer within ${timeoutMs} ms`);
				return Math.min(50 * 2 ** retries, 2_000);
			},
		},
	});
	// Failures surface where commands fail; the client keeps reconnecting on its own.
	client.on('error', (err: unknown) => {
		lastError = err;
	});
	try {
		await client.connect();
		connected = true;
		return client;
	} catch (err) {
		// Giving up already closed it; destroy only what is still open.
		if (client.isOpen) client.destroy();
		throw new EngineError('unavailable', `${what}: Redis at ${addressOf(url)} did not answer (${String(lastError ?? err)})`, {
			cause: err,
		});
	}
}

/** host:port of a Redis URL, without credentials. */
function addressOf(url: string): string {
	try {
		const u = new URL(url);
		return `${u.hostname}:${u.port || '6379'}`;
	} catch {
		return '(unparsable URL)';
	}
}
