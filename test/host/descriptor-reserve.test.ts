import { request } from 'node:http';
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { hostProcess, type HostProcess } from '../helpers/host-process.ts';
import { waitFor } from '../helpers/wait.ts';

/** A GET from `localAddress`: the status, or the network error that came instead. */
function getFrom(url: string, localAddress: string): Promise<{ status?: number; error?: string }> {
	return new Promise((resolve) => {
		const req = request(url, { localAddress, agent: false, timeout: 30_000 }, (res) => {
			res.resume();
			res.on('end', () => resolve({ status: res.statusCode! }));
		});
		req.on('timeout', () => req.destroy(new Error('timeout')));
		req.on('error', (err) => resolve({ error: (err as NodeJS.ErrnoException).code ?? err.message }));
		req.end();
	});
}

// The outside tester's finding: a flood hit the process's descriptor limit and /healthz stopped
// answering. Here a real `luwte serve` runs under `ulimit -n 512` and is flooded from many
// addresses (each below the per-address limit) with more connections than it has descriptors.
describe('the descriptor reserve (luwte serve under ulimit -n 512)', () => {
	const limit = 512;
	// The default total cap: 80 % of the limit.
	const cap = Math.floor(limit * 0.8);
	let h: HostProcess;
	const flood: Socket[] = [];
	beforeAll(async () => {
		h = await hostProcess({ descriptorLimit: limit });
	}, 90_000);
	afterAll(async () => {
		for (const s of flood) s.destroy();
		await h?.stop('SIGKILL');
	});

	it('warns at start that the limit is low', () => {
		expect(h.output()).toContain('limits.descriptor_limit_low');
	});

	it('keeps /healthz, the admin API and a join from localhost while more connections than descriptors arrive', async () => {
		const sessionId = (await h.api('POST', '/v1/sessions', { title: 'Reserve' })).json.id as string;
		const token = (await h.api('POST', `/v1/sessions/${sessionId}/tokens`, { role: 'participant', participantId: 'client-local' })).json
			.token as string;
		const port = Number(new URL(h.url).port);
		// 20 addresses × 30 silent connections: each address below its limit, all together beyond the descriptors.
		const addresses = Array.from({ length: 20 }, (_, i) => `127.0.1.${10 + i}`);
		let closed = 0;
		await Promise.all(
			addresses.flatMap((localAddress) =>
				Array.from(
					{ length: 30 },
					() =>
						new Promise<void>((resolve) => {
							const s = connect({ host: '127.0.0.1', port, localAddress });
							flood.push(s);
							s.once('connect', () => resolve());
							s.once('error', () => resolve());
							s.once('close', () => {
								closed++;
								resolve();
							});
						}),
				),
			),
		);
		const total = flood.length;
		// Those beyond the cap are closed at accept (the test's own few connections hold some of it).
		await waitFor(() => closed >= total - cap, 30_000, `the host to close ${total - cap} connections beyond its cap at accept`);
		const held = total - closed;
		expect(held).toBeLessThanOrEqual(cap);
		// The reserve: localhost gets in (health, the API, a join); another address does not.
		expect((await getFrom(`${h.url}/healthz`, '127.0.0.1')).status).toBe(200);
		expect((await h.api('GET', `/v1/sessions/${sessionId}`)).status).toBe(200);
		const ws = new WebSocket(`${h.url.replace(/^http/, 'ws')}/v1/signal`, { localAddress: '127.0.0.1' });
		await new Promise<void>((resolve, reject) => {
			ws.once('open', () => resolve());
			ws.once('error', reject);
		});
		const joined = await new Promise<any>((resolve) => {
			ws.once('message', (d) => resolve(JSON.parse(String(d))));
			ws.send(JSON.stringify({ id: 1, method: 'join', params: { token } }));
		});
		expect(joined.ok).toBe(true);
		ws.close();
		expect((await getFrom(`${h.url}/healthz`, '127.0.2.1')).status).toBeUndefined();
		console.log(`ulimit -n ${limit}: ${total} connections arrived, the host kept ${held} (cap ${cap}), localhost got in`);
		// The flood ends: everyone gets in again, and the process never ran out of descriptors.
		for (const s of flood.splice(0)) s.destroy();
		await waitFor(async () => (await getFrom(`${h.url}/healthz`, '127.0.2.1')).status === 200, 30_000, 'others back in');
		expect(h.output()).not.toMatch(/EMFILE/);
	});
});
