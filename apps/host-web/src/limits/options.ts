import { BlockList, isIP } from 'node:net';
import { z } from 'zod';

/** An IPv4/IPv6 address or a CIDR range (`10.0.0.0/8`, `fd00::/8`). */
const addressOrRange = z.string().refine(
	(s) => {
		const [ip, bits, ...more] = s.split('/');
		if (more.length > 0 || !ip || isIP(ip) === 0) return false;
		if (bits === undefined) return true;
		const n = Number(bits);
		return Number.isInteger(n) && n >= 0 && n <= (isIP(ip) === 4 ? 32 : 128);
	},
	{ message: 'an IP address or a CIDR range such as 10.0.0.0/8' },
);

/**
 * The host's limits at every door (docs/operations.md, "Limits"). Defaults are sized for a care
 * organisation behind one NAT address (a few dozen clients, each one WebSocket and a few HTTP
 * connections) and for a tenant's backend doing bulk work; they only stop floods.
 */
export const limitsSchema = z
	.object({
		/** Open TCP connections (HTTP and WebSocket together) from one address; more are refused with 429. */
		maxConnectionsPerIp: z.number().int().min(1).max(1_000_000).default(256),
		/**
		 * Open TCP connections in all; beyond it new ones are closed at accept, except from loopback and
		 * trusted addresses (the reserve that keeps `/healthz` and admins in). Default: 80 % of the
		 * process's descriptor limit (`ulimit -n`), the rest left for files, media workers, Redis and that reserve.
		 */
		maxConnections: z.number().int().min(1).max(10_000_000).optional(),
		/** Addresses or CIDR ranges not counted against either cap (a reverse proxy, the operator's network). */
		trustedAddresses: z.array(addressOrRange).max(1000).default([]),
		/** A signalling socket that has not joined within this is closed (4408 `join deadline`). */
		joinDeadlineMs: z.number().int().min(100).max(600_000).default(15_000),
		/** A TCP connection with nothing sent or received for this long is closed (also one that never sends a request). */
		idleTimeoutMs: z.number().int().min(100).max(3_600_000).default(30_000),
		/** The whole request head must arrive within this (node's `headersTimeout`; 408). */
		headersTimeoutMs: z.number().int().min(100).max(600_000).default(15_000),
		/** The whole request, body included, must arrive within this (node's `requestTimeout`; 408). */
		requestTimeoutMs: z.number().int().min(100).max(3_600_000).default(120_000),
		/** An idle keep-alive connection is closed after this (node's `keepAliveTimeout`). */
		keepAliveTimeoutMs: z.number().int().min(100).max(600_000).default(5_000),
		/** Admin API requests per second per tenant key (and for the operator key), on average… */
		apiRatePerSecond: z.number().min(0.01).max(1_000_000).default(50),
		/** …and the burst allowed above that average. */
		apiBurst: z.number().int().min(1).max(10_000_000).default(500),
	})
	.strict()
	.refine((l) => l.headersTimeoutMs <= l.requestTimeoutMs, {
		message: 'headersTimeoutMs must not exceed requestTimeoutMs',
		path: ['headersTimeoutMs'],
	});

export type Limits = z.output<typeof limitsSchema>;
export type LimitsInput = z.input<typeof limitsSchema>;

/** The trusted addresses as a `BlockList` (node's own address and range matcher). */
export function trustedList(entries: readonly string[]): BlockList {
	const list = new BlockList();
	for (const e of entries) {
		const [ip, bits] = e.split('/') as [string, string | undefined];
		const type = isIP(ip) === 4 ? 'ipv4' : 'ipv6';
		if (bits === undefined) list.addAddress(ip, type);
		else list.addSubnet(ip, Number(bits), type);
	}
	return list;
}
