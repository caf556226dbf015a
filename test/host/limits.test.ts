import { request } from 'node:http';
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { hostOptionsSchema } from '@luwte/host-web';
import { addressKey } from '../../apps/host-web/src/limits/connection-gate.ts';
import { startTestHost, type TestHost } from '../helpers/host.ts';
import { waitFor } from '../helpers/wait.ts';

// On Linux all of 127.0.0.0/8 is loopback: a client socket bound to 127.0.0.3 is another address
// without a namespace. The host listens on 127.0.0.1 (the test's own API calls come from there).
const FLOODER = '127.0.0.3';
const OTHER = '127.0.0.2';
const RAW_FLOODER = '127.0.0.4';

type Opened = { ok: true; ws: WebSocket } | { ok: false; status?: number | undefined; retryAfter?: string | undefined; error?: string };

/** Opens a signalling WebSocket from `localAddress`; resolves with the socket, or how it was refused. */
function openFrom(baseUrl: string, localAddress: string): Promise<Opened> {
	return new Promise((resolve) => {
		const ws = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}/v1/signal`, { localAddress, handshakeTimeout: 30_000 });
		ws.once('open', () => resolve({ ok: true, ws }));
		ws.once('unexpected-response', (_req, res) => {
			resolve({ ok: false, status: res.statusCode, retryAfter: res.headers['retry-after'] as string | undefined });
			res.resume();
			ws.terminate();
		});
		ws.once('error', (err) => resolve({ ok: false, error: (err as NodeJS.ErrnoException).code ?? err.message }));
	});
}

/** Sends one request on a signalling socket and resolves with its response envelope. */
function ask(ws: WebSocket, id: number, method: string, params: unknown): Promise<any> {
	return new Promise((resolve) => {
		const onMessage = (data: WebSocket.RawData) => {
			const msg = JSON.parse(String(data));
			if (msg.id !== id) return;
			ws.off('message', onMessage);
			resolve(msg);
		};
		ws.on('message', onMessage);
		ws.send(JSON.stringify({ id, method, params }));
	});
}

/** A GET from `localAddress`: the status, or the network error that replaced it. */
function getFrom(
	url: string,
	localAddress: string,
): Promise<{ status?: number; retryAfter?: string | undefined; nosniff?: string | undefined; body?: any; error?: string }> {
	return new Promise((resolve) => {
		const req = request(url, { localAddress, agent: false, timeout: 30_000 }, (res) => {
			const parts: Buffer[] = [];
			res.on('data', (d: Buffer) => parts.push(d));
			res.on('end', () =>
				resolve({
					status: res.statusCode!,
					retryAfter: res.headers['retry-after'] as string | undefined,
					nosniff: res.headers['x-content-type-options'] as string | undefined,
					body: JSON.parse(Buffer.concat(parts).toString() || 'null'),
				}),
			);
		});
		req.on('timeout', () => req.destroy(new Error('timeout')));
		req.on('error', (err) => resolve({ error: (err as NodeJS.ErrnoException).code ?? err.message }));
		req.end();
	});
}

describe('limit options', () => {
	it('has the defaults docs/operations.md states, and refuses bad values', () => {
		expect(hostOptionsSchema.parse({}).limits).toEqual({
			maxConnectionsPerIp: 256,
			trustedAddresses: [],
			joinDeadlineMs: 15_000,
			idleTimeoutMs: 30_000,
			headersTimeoutMs: 15_000,
			requestTimeoutMs: 120_000,
			keepAliveTimeoutMs: 5_000,
			apiRatePerSecond: 50,
			apiBurst: 500,
		});
		const ok = hostOptionsSchema.parse({ limits: { trustedAddresses: ['10.0.0.0/8', '192.0.2.7', 'fd00::/8', '::1'] } });
		expect(ok.limits.trustedAddresses).toHaveLength(4);
		for (const bad of [
			{ trustedAddresses: ['not-an-address'] },
			{ trustedAddresses: ['10.0.0.0/33'] },
			{ maxConnectionsPerIp: 0 },
			{ headersTimeoutMs: 60_000, requestTimeoutMs: 30_000 },
			{ unknownLimit: 1 },
		]) {
			expect(hostOptionsSchema.safeParse({ limits: bad }).success, JSON.stringify(bad)).toBe(false);
		}
	});
});

describe('whom a connection counts against', () => {
	it('an IPv4 address itself, an IPv6 address by its /64 (one subscriber picks any address in it)', () => {
		expect(addressKey('192.0.2.7')).toBe('192.0.2.7');
		expect(addressKey('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
		expect(addressKey('2001:db8:1:2:ffff:ffff:ffff:ffff')).toBe('2001:db8:1:2::/64');
		expect(addressKey('2001:0db8:0001:0002:0:0:0:1')).toBe('2001:db8:1:2::/64');
		expect(addressKey('2001:db8::1')).toBe('2001:db8:0:0::/64');
		expect(addressKey('::1')).toBe('0:0:0:0::/64');
		expect(addressKey('fe80::1:2:3:4')).toBe('fe80:0:0:0::/64');
		expect(addressKey('2001:db8:1:2:3:4::')).toBe('2001:db8:1:2::/64');
	});
});

describe('connections per address', () => {
	const perIp = 20;
	let t: TestHost;
	const open: WebSocket[] = [];
	beforeAll(async () => {
		// A long join deadline: the flood's sockets must stay for this test's length.
		t = await startTestHost({ limits: { maxConnectionsPerIp: perIp, joinDeadlineMs: 300_000 } });
	});
	afterAll(async () => {
		for (const ws of open) ws.terminate();
		await t?.close();
	});

	it('refuses one address beyond its limit while /healthz and a client from another address get in', async () => {
		const a = t.tenants[0]!;
		const sessionId = await t.createSession(a);
		const token = await t.token(a, sessionId, 'participant', 'client-other-address');
		// The flood: the first `perIp` sockets are kept…
		for (let i = 0; i < perIp; i++) {
			const r = await openFrom(t.host.url, FLOODER);
			expect(r.ok, `socket ${i} of the first ${perIp}`).toBe(true);
			if (r.ok) open.push(r.ws);
		}
		expect(t.host.connections.stats.open).toBeGreaterThanOrEqual(perIp);
		// …every further one is refused: 429 with Retry-After before the upgrade, or closed at accept.
		const more = await Promise.all(Array.from({ length: 40 }, () => openFrom(t.host.url, FLOODER)));
		for (const r of more) if (r.ok) open.push(r.ws);
		expect(more.filter((r) => r.ok)).toHaveLength(0);
		const with429 = more.filter((r): r is Extract<Opened, { ok: false }> => !r.ok && r.status === 429);
		expect(with429.length).toBeGreaterThan(0);
		expect(Number(with429[0]!.retryAfter)).toBeGreaterThan(0);
		// Plain HTTP from the flooding address is refused too, with the typed body.
		const refused = await getFrom(`${t.host.url}/healthz`, FLOODER);
		if (refused.status !== undefined) {
			expect(refused.status).toBe(429);
			expect(refused.body.error.code).toBe('rate_limited');
			expect(Number(refused.retryAfter)).toBeGreaterThan(0);
			expect(refused.nosniff).toBe('nosniff');
		} else expect(refused.error).toBeDefined();

		// Another address: health, the admin API and a real join all get in.
		expect((await getFrom(`${t.host.url}/healthz`, OTHER)).status).toBe(200);
		expect((await t.api(a, 'GET', `/v1/sessions/${sessionId}`)).status).toBe(200);
		const legit = await openFrom(t.host.url, OTHER);
		expect(legit.ok).toBe(true);
		if (!legit.ok) return;
		const joined = await ask(legit.ws, 1, 'join', { token });
		expect(joined.ok).toBe(true);
		legit.ws.close();
		console.log(
			`flood: ${perIp} kept, ${with429.length} of ${more.length} answered 429, ${more.length - with429.length} closed at accept; ` +
				`stats ${JSON.stringify(t.host.connections.stats)}`,
		);

		// The flood ends: the address gets in again.
		for (const ws of open.splice(0)) ws.terminate();
		await waitFor(async () => (await getFrom(`${t.host.url}/healthz`, FLOODER)).status === 200, 30_000, 'the flooder back in');
	});

	it('a raw TCP flood that sends nothing holds a bounded number of descriptors', async () => {
		const sockets: Socket[] = [];
		const flood = 300;
		const refusedBefore = t.host.connections.stats.refusedPerIp;
		try {
			await Promise.all(
				Array.from(
					{ length: flood },
					() =>
						new Promise<void>((resolve) => {
							const s = connect({ host: '127.0.0.1', port: t.host.port, localAddress: RAW_FLOODER });
							sockets.push(s);
							s.once('connect', () => resolve());
							s.once('error', () => resolve());
							s.once('close', () => resolve());
						}),
				),
			);
			// Every one of them accepted and decided by the host (connected is not yet accepted).
			await waitFor(
				() => t.host.connections.stats.refusedPerIp - refusedBefore >= flood - perIp,
				30_000,
				'the host to have seen the whole flood',
			);
			// The host keeps at most its per-address limit plus the few refusals waiting for their 429.
			const held = t.host.connections.stats.open;
			expect(held).toBeLessThanOrEqual(perIp + 16 + 5);
			expect((await getFrom(`${t.host.url}/healthz`, OTHER)).status).toBe(200);
			console.log(`raw flood of ${flood}: the host holds ${held} connections in all`);
		} finally {
			for (const s of sockets) s.destroy();
		}
	});
});

describe('connections in all', () => {
	const max = 12;
	const TRUSTED = '127.0.0.5';
	let t: TestHost;
	const open: WebSocket[] = [];
	beforeAll(async () => {
		t = await startTestHost({
			limits: { maxConnections: max, maxConnectionsPerIp: 100, trustedAddresses: [TRUSTED], joinDeadlineMs: 300_000 },
		});
	});
	afterAll(async () => {
		for (const ws of open) ws.terminate();
		await t?.close();
	});

	it('closes new connections at accept once the host is full, except from localhost and trusted addresses', async () => {
		const a = t.tenants[0]!;
		const sessionId = await t.createSession(a);
		const token = await t.token(a, sessionId, 'participant', 'client-trusted');
		// Fill the host from one address (bounded: the cap is 12).
		let refusedAt: number | undefined;
		for (let i = 0; i < 3 * max && refusedAt === undefined; i++) {
			const r = await openFrom(t.host.url, FLOODER);
			if (r.ok) open.push(r.ws);
			else refusedAt = i;
		}
		expect(refusedAt, 'the flood is refused once the host is full').toBeDefined();
		expect(open.length).toBeLessThanOrEqual(max);
		expect(t.host.connections.stats.open).toBeGreaterThanOrEqual(max);
		// Anyone else is closed at accept: no answer at all.
		const other = await getFrom(`${t.host.url}/healthz`, OTHER);
		expect(other.status).toBeUndefined();
		expect(t.host.connections.stats.refusedTotal).toBeGreaterThan(0);
		// The reserve: localhost's health check and a trusted address (health, and a real join) get in.
		expect((await getFrom(`${t.host.url}/healthz`, '127.0.0.1')).status).toBe(200);
		expect((await getFrom(`${t.host.url}/healthz`, TRUSTED)).status).toBe(200);
		const admin = await openFrom(t.host.url, TRUSTED);
		expect(admin.ok).toBe(true);
		if (!admin.ok) return;
		expect((await ask(admin.ws, 1, 'join', { token })).ok).toBe(true);
		admin.ws.close();
		console.log(`total cap ${max}: the flood got ${open.length} sockets; stats ${JSON.stringify(t.host.connections.stats)}`);
		// Room again once the flood ends.
		for (const ws of open.splice(0)) ws.terminate();
		await waitFor(async () => (await getFrom(`${t.host.url}/healthz`, OTHER)).status === 200, 30_000, 'others back in');
	});
});

describe('deadlines and timeouts', () => {
	let t: TestHost;
	beforeAll(async () => {
		t = await startTestHost({
			limits: {
				joinDeadlineMs: 1_000,
				idleTimeoutMs: 1_000,
				headersTimeoutMs: 2_000,
				requestTimeoutMs: 10_000,
				apiRatePerSecond: 1,
				apiBurst: 10,
			},
		});
	});
	afterAll(() => t?.close());

	it('closes a signalling socket that never joins after the deadline, and keeps one that joined', async () => {
		const a = t.tenants[0]!;
		const sessionId = await t.createSession(a);
		const token = await t.token(a, sessionId, 'participant', 'client-in-time');
		const member = await openFrom(t.host.url, OTHER);
		expect(member.ok).toBe(true);
		if (!member.ok) return;
		expect((await ask(member.ws, 1, 'join', { token })).ok).toBe(true);
		const idle = await openFrom(t.host.url, OTHER);
		expect(idle.ok).toBe(true);
		if (!idle.ok) return;
		const t0 = Date.now();
		const closed = await new Promise<{ code: number; reason: string }>((resolve, reject) => {
			const ceiling = setTimeout(() => reject(new Error('not closed within 30 s')), 30_000);
			idle.ws.once('close', (code, reason) => {
				clearTimeout(ceiling);
				resolve({ code, reason: String(reason) });
			});
		});
		expect(closed).toEqual({ code: 4408, reason: 'join deadline' });
		expect(Date.now() - t0).toBeGreaterThanOrEqual(900);
		// The joined one was opened first and is still there.
		expect(member.ws.readyState).toBe(WebSocket.OPEN);
		member.ws.close();
	});

	it('closes a TCP connection that never sends a request after the idle timeout', async () => {
		const t0 = Date.now();
		const s = connect({ host: '127.0.0.1', port: t.host.port });
		const closedAfter = await new Promise<number>((resolve, reject) => {
			const ceiling = setTimeout(() => reject(new Error('still open after 30 s')), 30_000);
			s.once('close', () => {
				clearTimeout(ceiling);
				resolve(Date.now() - t0);
			});
			s.on('error', () => {});
		});
		expect(closedAfter).toBeGreaterThanOrEqual(900);
		console.log(`silent connection closed after ${closedAfter} ms (idle timeout 1000 ms)`);
	});

	it('answers a request head trickled in slower than the headers timeout with 408 and closes', async () => {
		const s = connect({ host: '127.0.0.1', port: t.host.port });
		let answer = '';
		s.on('data', (d: Buffer) => {
			answer += d.toString();
		});
		s.on('error', () => {});
		const closed = new Promise<void>((resolve) => s.once('close', () => resolve()));
		s.write('GET /healthz HTTP/1.1\r\nHost: x\r\n');
		// One header line every 300 ms (never idle for the 1 s idle timeout), bounded to 100 lines.
		let lines = 0;
		const drip = setInterval(() => {
			if (s.destroyed || ++lines > 100) return clearInterval(drip);
			s.write(`X-Slow-${lines}: y\r\n`);
		}, 300);
		await Promise.race([closed, new Promise((_, reject) => setTimeout(() => reject(new Error('not closed within 30 s')), 30_000))]);
		clearInterval(drip);
		expect(lines).toBeLessThan(100);
		expect(answer).toMatch(/^HTTP\/1\.1 408/);
	});

	it('limits the admin API per tenant: 429 rate_limited with Retry-After, other tenants unaffected', async () => {
		const [a, b] = t.tenants as [(typeof t.tenants)[0], (typeof t.tenants)[0]];
		const answers = [];
		// Burst 10 at 1 per second: a quick run of 30 must see refusals.
		for (let i = 0; i < 30; i++) {
			answers.push(await fetch(`${t.host.url}/v1/sessions`, { headers: { authorization: `Bearer ${b!.apiKey}` } }));
		}
		const limited = answers.filter((r) => r.status === 429);
		expect(limited.length).toBeGreaterThan(0);
		expect(answers.filter((r) => r.status === 200).length).toBeGreaterThanOrEqual(10);
		expect(Number(limited[0]!.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
		expect(((await limited[0]!.json()) as any).error.code).toBe('rate_limited');
		// Another tenant's budget is its own; health is not limited.
		expect((await t.api(a!, 'GET', '/v1/sessions')).status).toBe(200);
		expect((await fetch(`${t.host.url}/healthz`)).status).toBe(200);
		// After Retry-After the tenant gets in again.
		await waitFor(
			async () => (await fetch(`${t.host.url}/v1/sessions`, { headers: { authorization: `Bearer ${b!.apiKey}` } })).status === 200,
			30_000,
			'the limited tenant back in',
		);
	});
});
