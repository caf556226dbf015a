import fc from 'fast-check';
import { apiRoutes } from '@luwte/sdk/admin';
import { errorCodes, methods } from '@luwte/sdk/protocol';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHost, testOperatorKey, type TestHost } from '../helpers/host.ts';
import { waitFor } from '../helpers/wait.ts';
import { openSignal } from '../helpers/ws-client.ts';

// Generated abuse, seeded and reproducible (LUWTE_FUZZ_SEED picks another run): 10,000 signalling
// messages and 10,000 REST requests built by fast-check from the protocol's methods and the API's
// route table, with random params, bodies, paths, queries, headers and credentials. Every one gets
// a typed answer (never `internal`, never a 500), and afterwards the host still serves: health,
// a session planned, a token, a join.

const seed = Number(process.env.LUWTE_FUZZ_SEED ?? 20261130);
const known = new Set<string>(errorCodes);

/** A JSON-ish value as an attacker sends it: deep, odd keys, huge and odd numbers, long strings. */
const junk = fc.oneof(
	fc.jsonValue({ maxDepth: 4 }),
	fc.object({
		maxDepth: 3,
		key: fc.oneof(fc.string(), fc.constantFrom('__proto__', 'constructor', 'token', 'transportId', 'participantId')),
	}),
	fc.string({ maxLength: 300 }),
	fc.constantFrom(null, true, -1, 1e308, Number.MAX_SAFE_INTEGER, '', 'a'.repeat(5000)),
);

const signalMessage = fc.oneof(
	{
		weight: 6,
		arbitrary: fc
			.record(
				{ id: fc.oneof(fc.nat(), fc.string({ maxLength: 70 })), method: fc.constantFrom(...methods), params: junk },
				{ requiredKeys: ['id', 'method'] },
			)
			.map((m) => JSON.stringify(m)),
	},
	{ weight: 2, arbitrary: fc.record({ id: junk, method: fc.string({ maxLength: 80 }), params: junk }).map((m) => JSON.stringify(m)) },
	{ weight: 1, arbitrary: fc.string({ maxLength: 400 }) },
	{ weight: 1, arbitrary: junk.map((v) => JSON.stringify(v) ?? 'null') },
);

describe('generated abuse', () => {
	let t: TestHost;
	let sessionId: string;
	beforeAll(async () => {
		t = await startTestHost();
		sessionId = await t.createSession(t.tenants[0]!, { title: 'Fuzz' });
	});
	afterAll(() => t?.close());

	/** The storm may have spent the tenant's API budget (429 rate_limited): a call is tried until its bucket refills. */
	async function once<T>(call: () => Promise<T>, what: string): Promise<T> {
		let result: { value: T } | undefined;
		await waitFor(
			async () => {
				try {
					result = { value: await call() };
				} catch (err) {
					if (!String(err).includes('429')) throw err;
				}
				return result !== undefined;
			},
			30_000,
			what,
		);
		return result!.value;
	}

	async function stillServes() {
		expect((await fetch(`${t.host.url}/healthz`)).status).toBe(200);
		const fresh = await once(() => t.createSession(t.tenants[0]!, { title: 'Na de storm' }), 'a session after the storm');
		const token = await once(() => t.token(t.tenants[0]!, fresh, 'participant', 'client-ok'), 'a token after the storm');
		const s = await openSignal(t.host.url);
		expect((await s.request('join', { token })).ok).toBe(true);
		s.close();
	}

	it('answers 10,000 generated signalling messages with typed errors and keeps serving', async () => {
		const messages = fc.sample(signalMessage, { seed, numRuns: 10_000 });
		const connections = 100;
		const perConnection = messages.length / connections;
		const codes = new Map<string, number>();
		let answered = 0;
		// Paced under the per-connection message rate (20/s), so every message is parsed, not refused unread.
		const runOne = async (i: number) => {
			const s = await openSignal(t.host.url);
			// Half the connections joined first (as a participant: the methods after join get exercised too).
			if (i % 2 === 0) {
				const joined = await s.request('join', { token: await t.token(t.tenants[0]!, sessionId, 'participant', `fuzz-${i}`) });
				expect(joined.ok).toBe(true);
			}
			const mine = messages.slice(i * perConnection, (i + 1) * perConnection);
			for (const [k, m] of mine.entries()) {
				if (s.ws.readyState !== WebSocket.OPEN) break;
				const reply = await Promise.race([s.sendRaw(m), new Promise((r) => setTimeout(() => r('timeout'), 30_000))]);
				expect(reply, `message ${i * perConnection + k}: ${m.slice(0, 200)}`).not.toBe('timeout');
				answered++;
				const r = reply as { ok: boolean; error?: { code: string } };
				if (!r.ok) {
					expect(known.has(r.error!.code), `code ${r.error!.code}`).toBe(true);
					expect(r.error!.code, `message ${i * perConnection + k}: ${m.slice(0, 200)}`).not.toBe('internal');
					codes.set(r.error!.code, (codes.get(r.error!.code) ?? 0) + 1);
				}
				if (k % 15 === 14) await new Promise((r) => setTimeout(r, 800));
			}
			s.close();
		};
		await Promise.all(Array.from({ length: connections }, (_, i) => runOne(i)));
		console.log(`[fuzz] signalling: ${answered} answered; codes ${JSON.stringify(Object.fromEntries(codes))} (seed ${seed})`);
		expect(answered).toBeGreaterThanOrEqual(9_500);
		await stillServes();
	}, 300_000);

	it('answers 10,000 generated REST requests without a 500 and keeps serving', async () => {
		const routes = Object.values(apiRoutes);
		const credential = fc.constantFrom('tenant', 'tenant', 'tenant', 'operator', 'none', 'garbage');
		const segment = fc.oneof(
			fc.string({ maxLength: 40 }),
			fc.constantFrom('..', '%2e%2e', sessionId, 's_', 'x'.repeat(300), '%00', '😀'),
		);
		const request = fc.record({
			route: fc.constantFrom(...routes),
			method: fc.oneof(
				{ weight: 8, arbitrary: fc.constant(undefined) },
				{ weight: 1, arbitrary: fc.constantFrom('GET', 'POST', 'PATCH', 'DELETE', 'PUT') },
			),
			params: fc.array(segment, { minLength: 3, maxLength: 3 }),
			query: fc.dictionary(
				fc.constantFrom('from', 'to', 'limit', 'cursor', 'state', 'module', 'format', 'date', 'x'),
				fc.string({ maxLength: 30 }),
				{ maxKeys: 3 },
			),
			body: fc.option(junk, { nil: undefined }),
			contentType: fc.constantFrom(
				'application/json',
				'application/json',
				'text/plain',
				'application/x-www-form-urlencoded',
				undefined,
			),
			credential,
		});
		const samples = fc.sample(request, { seed: seed + 1, numRuns: 10_000 });
		const statuses = new Map<number, number>();
		let next = 0;
		const worker = async () => {
			for (;;) {
				const i = next++;
				if (i >= samples.length) return;
				const r = samples[i]!;
				let k = 0;
				const path = r.route.path.replace(/\{[^}]+\}/g, () => encodeURIComponent(r.params[k++ % 3]!));
				const qs = new URLSearchParams(r.query).toString();
				const headers: Record<string, string> = {};
				if (r.credential === 'tenant') headers.authorization = `Bearer ${t.tenants[i % 2]!.apiKey}`;
				if (r.credential === 'operator') headers.authorization = `Bearer ${testOperatorKey}`;
				if (r.credential === 'garbage') headers.authorization = 'Bearer lwk_not-a-key';
				if (r.contentType) headers['content-type'] = r.contentType;
				const method = r.method ?? r.route.method.toUpperCase();
				const res = await fetch(`${t.host.url}${path}${qs ? `?${qs}` : ''}`, {
					method,
					headers,
					...(r.body !== undefined && method !== 'GET' ? { body: JSON.stringify(r.body) ?? 'null' } : {}),
				});
				const text = await res.text();
				statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
				expect(res.status, `${method} ${path}?${qs} ${JSON.stringify(r.body)?.slice(0, 200)} → ${text.slice(0, 300)}`).toBeLessThan(
					500,
				);
				if (res.status >= 400 && (res.headers.get('content-type') ?? '').includes('json')) {
					const code = JSON.parse(text)?.error?.code;
					expect(known.has(code) || code === 'not_found', `code ${code}`).toBe(true);
				}
			}
		};
		await Promise.all(Array.from({ length: 16 }, () => worker()));
		console.log(
			`[fuzz] REST: statuses ${JSON.stringify(Object.fromEntries([...statuses].sort((a, b) => a[0] - b[0])))} (seed ${seed + 1})`,
		);
		await stillServes();
	}, 300_000);
});
