import { request } from 'node:http';
import { apiRoutes, type ApiRoute } from '@luwte/sdk/admin';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHost, testOperatorKey, type TestHost } from '../helpers/host.ts';

interface Answer {
	status: number;
	json: any;
	/** Bytes of the body written when the answer came. */
	sent: number;
}

/**
 * POSTs a body with `Transfer-Encoding: chunked` and no Content-Length, in 64 KiB chunks up to
 * `total` bytes, and never ends it before the answer comes. A server that read the whole body
 * before deciding could not answer at all: its end never arrives (the test then times out).
 */
function postChunked(url: string, authorization: string, chunks: Buffer[] | { total: number }, method = 'POST'): Promise<Answer> {
	return new Promise((resolve, reject) => {
		// Generous for a busy machine; a server that waits for the end of the body never answers.
		const ceiling = setTimeout(() => {
			req.destroy();
			reject(new Error(`no answer after ${sent} bytes while the body was still open`));
		}, 30_000);
		const req = request(url, {
			method,
			headers: { authorization, 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
		});
		let sent = 0;
		let answered = false;
		req.on('response', (res) => {
			answered = true;
			clearTimeout(ceiling);
			const at = sent;
			const parts: Buffer[] = [];
			res.on('data', (d: Buffer) => parts.push(d));
			res.on('end', () =>
				resolve({ status: res.statusCode!, json: JSON.parse(Buffer.concat(parts).toString() || 'null'), sent: at }),
			);
			res.on('error', reject);
		});
		// Once it has answered, the server may close the connection under a body still being sent.
		req.on('error', (err) => {
			if (!answered) reject(err);
		});
		if (Array.isArray(chunks)) {
			for (const c of chunks) req.write(c);
			req.end();
			return;
		}
		// Spaces are JSON whitespace: only the size of this body is wrong.
		const piece = Buffer.alloc(64 * 1024, 0x20);
		const pump = (): void => {
			while (!answered && sent < chunks.total) {
				sent += piece.length;
				if (!req.write(piece)) {
					req.once('drain', pump);
					return;
				}
			}
		};
		pump();
	});
}

describe('request body limit', () => {
	let t: TestHost;
	beforeAll(async () => {
		t = await startTestHost();
	});
	afterAll(() => t?.close());

	const total = 5 * 1024 * 1024;

	it('refuses a chunked body over the limit with 413 before the body ends (tenant route)', async () => {
		const a = t.tenants[0]!;
		const r = await postChunked(`${t.host.url}/v1/sessions`, `Bearer ${a.apiKey}`, { total });
		expect(r.status).toBe(413);
		expect(r.json.error.code).toBe('message_too_large');
		console.log(`tenant route: 413 after ${r.sent} of ${total} bytes written`);
		// The host serves on: the same route takes a small chunked body.
		const ok = await postChunked(`${t.host.url}/v1/sessions`, `Bearer ${a.apiKey}`, [
			Buffer.from('{"title":'),
			Buffer.from('"In stukjes"}'),
		]);
		expect(ok.status).toBe(201);
		expect(ok.json.title).toBe('In stukjes');
	});

	it('refuses a chunked body over the limit with 413 before the body ends (viewer route)', async () => {
		const a = t.tenants[0]!;
		const token = (await t.api(a, 'POST', '/v1/library/tokens', { participantId: 'client-413' })).json.token as string;
		const r = await postChunked(`${t.host.url}/v1/library/viewer/items/any-item/watch`, `Bearer ${token}`, { total });
		expect(r.status).toBe(413);
		expect(r.json.error.code).toBe('message_too_large');
		console.log(`viewer route: 413 after ${r.sent} of ${total} bytes written`);
	});

	it('checks the credential before reading the body', async () => {
		const r = await postChunked(`${t.host.url}/v1/sessions`, 'Bearer lwk_wrong', { total });
		expect(r.status).toBe(401);
		expect(r.json.error.code).toBe('unauthorized');
	});

	it("takes indications for 100,000 clients (the schema's maximum) in one upload", async () => {
		const a = t.tenants[0]!;
		const indications = Array.from({ length: 100_000 }, (_, i) => ({
			clientId: `client-${String(i).padStart(6, '0')}`,
			financer: i % 7 === 0 ? 'WLZ' : '0363',
			validFrom: '2026-01-01',
			validTo: i % 3 === 0 ? '2026-12-31' : null,
			team: `team-${i % 40}`,
		}));
		const body = JSON.stringify({ version: 1, indications });
		const t0 = Date.now();
		const r = await t.api(a, 'POST', '/v1/billing/indications', JSON.parse(body));
		expect(r.status, JSON.stringify(r.json).slice(0, 300)).toBe(200);
		expect(r.json.saved).toBe(100_000);
		console.log(`indications: 100,000 clients, ${(body.length / 1024 / 1024).toFixed(1)} MiB, saved in ${Date.now() - t0} ms`);
		const back = await t.api(a, 'GET', '/v1/billing/indications');
		expect(back.json.indications).toHaveLength(100_000);
		expect(back.json.indications[99_999].clientId).toBe('client-099999');
	});

	it('refuses a 100 MB chunked body early on every route, and the host stays within 128 MiB more memory', async () => {
		const a = t.tenants[0]!;
		const viewerToken = (await t.api(a, 'POST', '/v1/library/tokens', { participantId: 'client-100mb' })).json.token as string;
		const credential = { tenant: a.apiKey, operator: testOperatorKey, viewer: viewerToken, none: 'none' } as const;
		const hundredMb = 100 * 1024 * 1024;
		// The memory of this process, which runs the host (media workers are other processes).
		const baseline = process.memoryUsage().rss;
		let peak = baseline;
		const sampler = setInterval(() => {
			peak = Math.max(peak, process.memoryUsage().rss);
		}, 10);
		try {
			const lines: string[] = [];
			const withBody = Object.entries(apiRoutes as Record<string, ApiRoute>).filter(([, route]) => route.body);
			expect(withBody.length).toBeGreaterThan(5);
			for (const [id, route] of withBody) {
				const path = route.path.replace(/\{\w+\}/g, 'any');
				const r = await postChunked(
					`${t.host.url}${path}`,
					`Bearer ${credential[route.auth]}`,
					{ total: hundredMb },
					route.method.toUpperCase(),
				);
				expect(r.status, id).toBe(413);
				expect(r.json.error.code).toBe('message_too_large');
				const limit = route.maxBodyBytes ?? 16 * 1024;
				// Refused near its own limit: what was written beyond it sat in socket buffers, never in the host.
				expect(r.sent, id).toBeLessThan(limit + 16 * 1024 * 1024);
				lines.push(`${id} ${(r.sent / 1024 / 1024).toFixed(1)} MiB`);
			}
			// Four at once to the route with the largest limit, and one to a route that takes no body at all.
			const largest = await Promise.all(
				Array.from({ length: 4 }, () =>
					postChunked(`${t.host.url}/v1/billing/indications`, `Bearer ${a.apiKey}`, { total: hundredMb }),
				),
			);
			for (const r of largest) expect(r.status).toBe(413);
			const noBody = await postChunked(`${t.host.url}/v1/sessions/any/end`, `Bearer ${a.apiKey}`, { total: hundredMb });
			expect(noBody.sent).toBeLessThan(hundredMb);
			console.log(
				`100 MB bodies refused after: ${lines.join(', ')}; host RSS +${((peak - baseline) / 1024 / 1024).toFixed(0)} MiB at most`,
			);
		} finally {
			clearInterval(sampler);
		}
		expect(peak - baseline).toBeLessThan(128 * 1024 * 1024);
		// And it serves on.
		expect((await fetch(`${t.host.url}/healthz`)).status).toBe(200);
	});
});
