import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHost, testOperatorKey, type TestHost } from '../helpers/host.ts';
import { waitFor } from '../helpers/wait.ts';
import { openSignal } from '../helpers/ws-client.ts';
import { parse, type Sample, value } from '../helpers/prometheus.ts';

describe('/metrics (real host)', () => {
	let t: TestHost;

	const scrape = async (): Promise<{ text: string; samples: Sample[] }> => {
		const res = await fetch(`${t.host.url}/metrics`, { headers: { authorization: `Bearer ${testOperatorKey}` } });
		expect(res.status).toBe(200);
		expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
		const text = await res.text();
		return { text, samples: parse(text) };
	};

	beforeAll(async () => {
		t = await startTestHost();
	});
	afterAll(() => t?.close());

	it('refuses a scrape without the operator key, or with a tenant key, with 401', async () => {
		const none = await fetch(`${t.host.url}/metrics`);
		expect(none.status).toBe(401);
		expect((await none.json()).error.code).toBe('unauthorized');
		const tenant = await fetch(`${t.host.url}/metrics`, { headers: { authorization: `Bearer ${t.tenants[0]!.apiKey}` } });
		expect(tenant.status).toBe(401);
		expect(await tenant.text()).not.toContain('luwte_');
	});

	it('shows a live session, its participant by role, the requests by route pattern and the join, without any ID', async () => {
		const sessionId = await t.createSession(t.tenants[0]!, { title: 'Muziek luisteren' });
		const token = await t.token(t.tenants[0]!, sessionId, 'participant', 'p_metrics_1');
		const before = await scrape();
		expect(value(before.samples, 'luwte_sessions', { state: 'scheduled' })).toBe(1);
		expect(value(before.samples, 'luwte_sessions', { state: 'live' })).toBe(0);

		const s = await openSignal(t.host.url);
		expect((await s.request('join', { token })).ok).toBe(true);
		expect((await s.request('createTransport', { direction: 'recv' })).ok).toBe(true);
		const { text, samples } = await scrape();

		expect(value(samples, 'luwte_sessions', { state: 'live' })).toBe(1);
		expect(value(samples, 'luwte_sessions', { state: 'scheduled' })).toBe(0);
		expect(value(samples, 'luwte_participants', { role: 'participant' })).toBe(1);
		expect(value(samples, 'luwte_participants', { role: 'host' })).toBe(0);
		expect(value(samples, 'luwte_participant_joins_total', { role: 'participant' })).toBe(1);
		// HTTP by route pattern: the session's ID is in the path, not in the label.
		expect(value(samples, 'luwte_http_requests_total', { method: 'POST', route: '/v1/sessions', status: '201' })).toBe(1);
		expect(
			value(samples, 'luwte_http_requests_total', { method: 'POST', route: '/v1/sessions/:sessionId/tokens', status: '201' }),
		).toBe(1);
		expect(value(samples, 'luwte_http_request_duration_seconds_count', { method: 'POST', route: '/v1/sessions' })).toBe(1);
		// Signalling by method and outcome.
		expect(value(samples, 'luwte_signal_requests_total', { method: 'join', outcome: 'ok' })).toBe(1);
		expect(value(samples, 'luwte_signal_requests_total', { method: 'createTransport', outcome: 'ok' })).toBe(1);
		expect(value(samples, 'luwte_signal_request_duration_seconds_count', { method: 'join' })).toBe(1);
		expect(value(samples, 'luwte_signal_connections')).toBe(1);
		// The media worker: running, carrying the session's router and transport, its CPU read.
		expect(value(samples, 'luwte_media_workers')).toBe(1);
		expect(value(samples, 'luwte_worker_load', { worker: '0' })).toBeGreaterThanOrEqual(2);
		expect(value(samples, 'luwte_worker_transports', { worker: '0' })).toBe(1);
		expect(value(samples, 'luwte_worker_consumers', { worker: '0' })).toBe(0);
		expect(value(samples, 'luwte_worker_transports_sampled', { worker: '0' })).toBe(1);
		expect(value(samples, 'luwte_worker_cpu_seconds_total', { worker: '0', mode: 'user' })).toBeGreaterThan(0);
		expect(value(samples, 'luwte_recordings', { state: 'recording' })).toBe(0);
		expect(value(samples, 'luwte_recording_queue_length')).toBe(0);
		// Ledger: the invitation, the session's start and the join are appended and acknowledged (fsync'd) soon after.
		await waitFor(
			async () => (value((await scrape()).samples, 'luwte_ledger_append_duration_seconds_count', { outcome: 'ok' }) ?? 0) >= 3,
			30_000,
			'three ledger appends acknowledged',
		);
		// Node's own process series.
		expect(value(samples, 'process_resident_memory_bytes')).toBeGreaterThan(0);
		expect(value(samples, 'process_open_fds')).toBeGreaterThan(0);
		expect(value(samples, 'nodejs_eventloop_lag_seconds')).toBeGreaterThanOrEqual(0);
		// No participant, session or tenant-chosen ID anywhere in a label.
		expect(text).not.toContain(sessionId);
		expect(text).not.toContain('p_metrics_1');

		s.close();
		await waitFor(
			async () => value((await scrape()).samples, 'luwte_participants', { role: 'participant' }) === 0,
			30_000,
			'the participant to be gone from the metrics',
		);
		const after = (await scrape()).samples;
		expect(value(after, 'luwte_signal_connections')).toBe(0);
		expect(value(after, 'luwte_participant_leaves_total', { reason: 'disconnected' })).toBe(1);
	});

	it('counts an unknown route as unmatched and a flood as refusals at the signalling door', async () => {
		expect((await fetch(`${t.host.url}/v1/nothing/here-123`)).status).toBe(404);
		const s = await openSignal(t.host.url);
		// More than the burst of 60 at once: the rest is refused with rate_limited.
		const answers = await Promise.all(Array.from({ length: 100 }, () => s.request('leave')));
		const limited = answers.filter((a) => a.error?.code === 'rate_limited').length;
		expect(limited).toBeGreaterThan(0);
		s.close();
		const { text, samples } = await scrape();
		expect(value(samples, 'luwte_http_requests_total', { method: 'GET', route: 'unmatched', status: '404' })).toBe(1);
		expect(text).not.toContain('here-123');
		expect(value(samples, 'luwte_refused_total', { door: 'signal_messages' })).toBe(limited);
		expect(value(samples, 'luwte_signal_requests_total', { method: 'leave', outcome: 'not_joined' })).toBe(100 - limited);
	});
});

describe('/metrics: refusals at the doors of the limits (real host, short limits)', () => {
	let t: TestHost;
	const scrape = async (): Promise<Sample[]> => {
		const res = await fetch(`${t.host.url}/metrics`, { headers: { authorization: `Bearer ${testOperatorKey}` } });
		expect(res.status).toBe(200);
		return parse(await res.text());
	};

	beforeAll(async () => {
		t = await startTestHost({ limits: { joinDeadlineMs: 300, apiRatePerSecond: 0.01, apiBurst: 3, maxConnectionsPerIp: 20 } });
	});
	afterAll(() => t?.close());

	it('counts API requests beyond the tenant rate, sockets closed at the join deadline and connections beyond the per-address limit', async () => {
		const tenant = t.tenants[1]!;
		const statuses: number[] = [];
		for (let i = 0; i < 5; i++) statuses.push((await t.api(tenant, 'GET', '/v1/sessions')).status);
		expect(statuses.filter((s) => s === 429)).toHaveLength(2);

		const silent = await openSignal(t.host.url);
		expect(await silent.closed).toBe(4408);

		// Idle keep-alive sockets held open from loopback: the ones beyond 20 get 429 before any route.
		const held = await Promise.all(
			Array.from({ length: 25 }, () =>
				openSignal(t.host.url).then(
					(s) => ({ ok: true as const, s }),
					() => ({ ok: false as const }),
				),
			),
		);
		const refusedSockets = held.filter((h) => !h.ok).length;
		expect(refusedSockets).toBeGreaterThan(0);
		for (const h of held) if (h.ok) h.s.close();

		await waitFor(async () => value(await scrape(), 'luwte_connections_open')! < 5, 30_000, 'the held sockets to close');
		const samples = await scrape();
		expect(value(samples, 'luwte_refused_total', { door: 'api_rate' })).toBe(2);
		expect(value(samples, 'luwte_http_requests_total', { method: 'GET', route: '/v1/sessions', status: '429' })).toBe(2);
		expect(value(samples, 'luwte_refused_total', { door: 'signal_join_deadline' })).toBeGreaterThanOrEqual(1);
		expect(value(samples, 'luwte_refused_total', { door: 'connections_per_ip' })).toBe(refusedSockets);
		expect(value(samples, 'luwte_connections_max')).toBeGreaterThan(0);
	});
});

describe('/metrics on a separate admin address', () => {
	let t: TestHost;
	beforeAll(async () => {
		t = await startTestHost({ metricsAddress: '127.0.0.1:0' });
	});
	afterAll(() => t?.close());

	it('serves the series there without a key, nothing else, while the main port still asks for the operator key', async () => {
		const url = t.host.metricsUrl!;
		expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
		const res = await fetch(url);
		expect(res.status).toBe(200);
		expect(value(parse(await res.text()), 'luwte_media_workers')).toBe(1);
		expect((await fetch(url.replace(/\/metrics$/, '/v1/sessions'))).status).toBe(404);
		expect((await fetch(url, { method: 'POST' })).status).toBe(404);
		expect((await fetch(`${t.host.url}/metrics`)).status).toBe(401);
	});
});
