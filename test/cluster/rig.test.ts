import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { clusterRigUnavailable, HOST_IDS, startClusterRig, type ClusterRig } from '../helpers/cluster-rig.ts';
import { waitFor } from '../helpers/wait.ts';

// The multi-host rig itself (issue 14): three `luwte serve` processes in three namespaces, one
// Redis, HAProxy in front. The cluster's own tests build on it; this checks only the rig.

const unavailable = clusterRigUnavailable();

/** A GET through the load balancer: its status and the host HAProxy chose (its test-only header). */
async function viaLb(rig: ClusterRig, path: string): Promise<{ status: number; server: string | null }> {
	const res = await fetch(`${rig.lbUrl}${path}`, { signal: AbortSignal.timeout(15_000) });
	await res.arrayBuffer();
	return { status: res.status, server: res.headers.get('x-rig-server') };
}

describe.skipIf(unavailable !== undefined)(`the multi-host rig${unavailable ? ` (skipped: ${unavailable})` : ''}`, () => {
	let rig: ClusterRig | undefined;
	const timings: Record<string, number> = {};
	beforeAll(async () => {
		const t0 = Date.now();
		rig = await startClusterRig();
		timings.startMs = Date.now() - t0;
	}, 180_000);
	afterAll(async () => {
		const t0 = Date.now();
		await rig?.close();
		timings.closeMs = Date.now() - t0;
		console.log(`cluster rig timings (ms): ${JSON.stringify(timings)}`);
	}, 120_000);

	it('balances over three hosts, pins to one on request, and skips a host killed with SIGKILL', async () => {
		const r = rig!;
		// Every host answers through the load balancer, and the tenant works on each one directly.
		expect(await viaLb(r, '/healthz')).toMatchObject({ status: 200 });
		const seen = new Set<string | null>();
		for (let i = 0; i < 9; i++) seen.add((await viaLb(r, '/healthz')).server);
		expect([...seen].sort()).toEqual([...HOST_IDS]);
		for (const h of r.hosts) expect((await h.api('GET', '/v1/sessions')).status).toBe(200);
		// Hosts reach each other over the bridge (the pipes between hosts need it).
		expect(() => r.host('a').inNamespace('bash', '-c', `exec 3<>/dev/tcp/${r.host('c').ip}/${r.host('c').port}`)).not.toThrow();

		for (let i = 0; i < 4; i++) expect(await viaLb(r, '/healthz?pin=b')).toEqual({ status: 200, server: 'b' });

		// Signalling's WebSocket goes through HAProxy (upgrade, then a tunnel) to the pinned host.
		const ws = new WebSocket(`${r.lbUrl.replace(/^http/, 'ws')}/v1/signal?pin=b`);
		const wsClosed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
		const upgradedBy = await new Promise<string | undefined>((resolve, reject) => {
			ws.once('upgrade', (res) => resolve(String(res.headers['x-rig-server'])));
			ws.once('error', reject);
		});
		expect(upgradedBy).toBe('b');
		await new Promise<void>((resolve) => (ws.readyState === WebSocket.OPEN ? resolve() : ws.once('open', () => resolve())));
		const answer = new Promise<unknown>((resolve) => ws.once('message', (d) => resolve(JSON.parse(String(d)))));
		ws.send(JSON.stringify({ id: 1, method: 'no.such.method' }));
		expect(await answer).toMatchObject({ id: 1, error: expect.anything() });

		// A crash: requests pinned to b go elsewhere at once (refused, retried, redispatched), and
		// HAProxy's checks take b out within a few intervals.
		const b = r.host('b');
		const killedAt = Date.now();
		expect(await b.stop('SIGKILL')).toBeNull();
		// Its clients see their connection end (and reconnect through the load balancer).
		await Promise.race([
			wsClosed,
			new Promise((_, reject) => setTimeout(() => reject(new Error('the WebSocket to host b stayed open')), 30_000).unref()),
		]);
		timings.wsClosedMs = Date.now() - killedAt;
		for (let i = 0; i < 4; i++) {
			const res = await viaLb(r, '/healthz?pin=b');
			expect(res.status).toBe(200);
			expect(['a', 'c']).toContain(res.server);
		}
		await r.waitServerState('b', 'DOWN', 30_000);
		timings.markedDownMs = Date.now() - killedAt;
		const served = new Set<string | null>();
		for (let i = 0; i < 6; i++) {
			const res = await viaLb(r, '/healthz');
			expect(res.status).toBe(200);
			served.add(res.server);
		}
		expect([...served].sort()).toEqual(['a', 'c']);

		// Started again on the same namespace, ports and data: back in HAProxy, and pinned requests reach it.
		const restartAt = Date.now();
		await b.start();
		await r.waitServerState('b', 'UP', 30_000);
		timings.backUpMs = Date.now() - restartAt;
		await waitFor(async () => (await viaLb(r, '/healthz?pin=b')).server === 'b', 30_000, 'a pinned request on host b again');
		expect((await r.serverStates()).b).toBe('UP');
	}, 120_000);
});
