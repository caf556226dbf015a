import type { Server, ServerOptions } from 'node:http';
import { isIP, type BlockList, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Logger } from '../log.ts';
import { defaultMaxConnections, descriptorLimit } from './descriptors.ts';
import { trustedList, type Limits } from './options.ts';

/** A refused connection may still send its request and read the 429 for this long; then it is closed. */
const REFUSAL_GRACE_MS = 2_000;
/** Refused connections from one address waiting for their 429; beyond these the next are closed at accept. */
const MAX_REFUSED_PER_IP = 16;
/** Seconds a refused client is told to wait (connections free up as others close). */
const RETRY_AFTER_SECONDS = 5;
/** Below this many descriptors a production host fills up with a few thousand clients: the operator is told. */
const LOW_DESCRIPTOR_LIMIT = 4096;
/** Refusals are logged at most this often (a flood must not flood the log). */
const LOG_EVERY_MS = 10_000;

/** The security headers every answer of the host carries (docs/operations.md), on these answers given before the app. */
const SECURITY_HEADERS: Record<string, string> = {
	'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
	'x-content-type-options': 'nosniff',
	'referrer-policy': 'no-referrer',
	'x-frame-options': 'DENY',
};

const refusalBody = (): string =>
	JSON.stringify({
		error: {
			code: 'rate_limited',
			message: 'too many connections from this address',
			details: { retryAfterSeconds: RETRY_AFTER_SECONDS },
		},
	});

/** `::ffff:1.2.3.4` (an IPv4 client on a dual-stack socket) is the address `1.2.3.4`. */
function normalize(address: string | undefined): string | undefined {
	if (!address) return undefined;
	return address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
}

/**
 * Whom a connection is counted against: an IPv4 address, or an IPv6 address's /64. One subscriber
 * (one home, one institution) is given a whole /64 and can pick any address in it, so counting
 * single IPv6 addresses would be no limit at all.
 */
export function addressKey(ip: string): string {
	if (isIP(ip) !== 6) return ip;
	const [head = '', tail] = ip.split('::') as [string, string | undefined];
	const left = head === '' ? [] : head.split(':');
	const right = tail === undefined || tail === '' ? [] : tail.split(':');
	// An embedded IPv4 tail (`::1.2.3.4`) is two groups; it only ever sits in the low half.
	const groups = tail === undefined ? left : [...left, ...Array(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right];
	return `${groups
		.slice(0, 4)
		.map((g) => Number.parseInt(g, 16).toString(16))
		.join(':')}::/64`;
}

/**
 * The machine itself, as a health check or local agent reaches it: `localhost`'s two addresses.
 * Not all of 127.0.0.0/8: those other addresses are as good as any for counting, and tests use
 * them as distinct clients.
 */
function isLocalhost(ip: string): boolean {
	return ip === '127.0.0.1' || ip === '::1';
}

/** What the gate has counted (for logs and metrics). */
export interface GateStats {
	/** Connections open now (refused ones still being answered included). */
	open: number;
	/** Refused because their address had too many open (answered 429, or closed at accept). */
	refusedPerIp: number;
	/** Closed at accept because the host had `maxConnections` open. */
	refusedTotal: number;
}

/**
 * Counts the TCP connections of the HTTP server (HTTP and WebSocket share them) per address and in
 * all, and refuses the ones beyond the limits as early as it can:
 * - beyond `maxConnectionsPerIp`: the connection is marked and its first request or upgrade is
 *   answered 429 `rate_limited` with `Retry-After` before any route runs (a real client learns
 *   why); a flood that keeps such connections open is closed at accept;
 * - beyond `maxConnections`: closed at accept, unless from localhost or a trusted address. That
 *   reserve, below the descriptor limit, is what keeps `/healthz` and the operator reachable.
 * Trusted addresses are not counted per address (a reverse proxy speaks for many clients).
 */
export class ConnectionGate {
	readonly #limits: Limits;
	readonly #max: number;
	readonly #trusted: BlockList;
	readonly #log: Logger;
	readonly #perIp = new Map<string, number>();
	readonly #refusedPending = new Map<string, number>();
	readonly #refused = new WeakSet<object>();
	readonly #stats: GateStats = { open: 0, refusedPerIp: 0, refusedTotal: 0 };
	#lastLog = 0;

	constructor(limits: Limits, log: Logger) {
		this.#limits = limits;
		const descriptors = descriptorLimit();
		this.#max = limits.maxConnections ?? defaultMaxConnections(descriptors);
		this.#trusted = trustedList(limits.trustedAddresses);
		this.#log = log;
		// Said once at start, where the operator looks: the fix is outside the process (docs/operations.md).
		if (descriptors !== undefined && descriptors < LOW_DESCRIPTOR_LIMIT) {
			log.warn('limits.descriptor_limit_low', { limit: descriptors, maxConnections: this.#max, fix: 'ulimit -n / LimitNOFILE' });
		}
		if (descriptors !== undefined && this.#max > descriptors) {
			log.warn('limits.max_connections_above_descriptors', { limit: descriptors, maxConnections: this.#max });
		}
	}

	/** The connection cap in force (configured, or from the descriptor limit). */
	get maxConnections(): number {
		return this.#max;
	}

	get stats(): Readonly<GateStats> {
		return { ...this.#stats };
	}

	/** Node's own request timeouts; `connectionsCheckingInterval` is how often node enforces them. */
	serverOptions(): ServerOptions {
		return {
			headersTimeout: this.#limits.headersTimeoutMs,
			requestTimeout: this.#limits.requestTimeoutMs,
			keepAliveTimeout: this.#limits.keepAliveTimeoutMs,
			connectionsCheckingInterval: Math.min(1_000, this.#limits.headersTimeoutMs),
		};
	}

	/** Starts counting the server's connections; call before it accepts any. */
	attach(server: Server): void {
		// Before node's HTTP parser sees the socket, so a refused one is decided first.
		server.prependListener('connection', (socket: Socket) => this.#onConnection(socket));
		// No bytes either way for this long: closed (node destroys the socket when nobody handles its timeout).
		server.setTimeout(this.#limits.idleTimeoutMs);
	}

	/** Wraps the app's fetch: a request on a refused connection gets the 429 and no route runs. */
	fetch<E extends { incoming: { socket: object } }>(inner: (req: Request, env: E) => unknown): (req: Request, env: E) => unknown {
		return (req, env) => {
			if (!this.#refused.has(env.incoming.socket)) return inner(req, env);
			return new Response(refusalBody(), {
				status: 429,
				headers: {
					'content-type': 'application/json',
					'retry-after': String(RETRY_AFTER_SECONDS),
					connection: 'close',
					...SECURITY_HEADERS,
				},
			});
		};
	}

	/** For a WebSocket upgrade: answers 429 before upgrading when the connection was refused. */
	refuseUpgrade(socket: Duplex): boolean {
		if (!this.#refused.has(socket)) return false;
		const body = refusalBody();
		const headers = Object.entries(SECURITY_HEADERS)
			.map(([name, value]) => `${name}: ${value}\r\n`)
			.join('');
		socket.end(
			`HTTP/1.1 429 Too Many Requests\r\nRetry-After: ${RETRY_AFTER_SECONDS}\r\nContent-Type: application/json\r\n${headers}Connection: close\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
		);
		return true;
	}

	#onConnection(socket: Socket): void {
		const ip = normalize(socket.remoteAddress);
		if (!ip) {
			socket.destroy();
			return;
		}
		const trusted = this.#trusted.check(ip, isIP(ip) === 4 ? 'ipv4' : 'ipv6');
		if (this.#stats.open >= this.#max && !trusted && !isLocalhost(ip)) {
			this.#stats.refusedTotal++;
			this.#logRefusal('limits.connections_full', { open: this.#stats.open, max: this.#max });
			socket.destroy();
			return;
		}
		this.#stats.open++;
		socket.once('close', () => this.#stats.open--);
		if (trusted) return;
		const key = addressKey(ip);
		const n = this.#perIp.get(key) ?? 0;
		if (n < this.#limits.maxConnectionsPerIp) {
			this.#perIp.set(key, n + 1);
			socket.once('close', () => this.#decrement(this.#perIp, key));
			return;
		}
		this.#stats.refusedPerIp++;
		this.#logRefusal('limits.connections_per_ip', { open: n, max: this.#limits.maxConnectionsPerIp });
		const pending = this.#refusedPending.get(key) ?? 0;
		if (pending >= MAX_REFUSED_PER_IP) {
			socket.destroy();
			return;
		}
		this.#refusedPending.set(key, pending + 1);
		this.#refused.add(socket);
		const grace = setTimeout(() => socket.destroy(), REFUSAL_GRACE_MS);
		grace.unref();
		socket.once('close', () => {
			clearTimeout(grace);
			this.#decrement(this.#refusedPending, key);
		});
	}

	#decrement(map: Map<string, number>, ip: string): void {
		const n = (map.get(ip) ?? 1) - 1;
		if (n <= 0) map.delete(ip);
		else map.set(ip, n);
	}

	/** Addresses are not logged: they identify people; the counts tell the operator enough. */
	#logRefusal(what: string, data: Record<string, unknown>): void {
		const now = Date.now();
		if (now - this.#lastLog < LOG_EVERY_MS) return;
		this.#lastLog = now;
		this.#log.warn(what, { ...data, refusedPerIp: this.#stats.refusedPerIp, refusedTotal: this.#stats.refusedTotal });
	}
}
