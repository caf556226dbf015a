import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TypedEmitter, type EngineEvents } from '@luwte/engine';
import {
	DueQueue,
	FileWebhookEndpointStore,
	givesUp,
	newWebhookSecret,
	retryDelay,
	retryPolicySchema,
	signatureHeader,
	WebhookDispatcher,
	WebhookOutbox,
	webhookEventTypes,
	webhookSources,
	eventId,
	type WebhookEvent,
} from '@luwte/engine/webhooks';
import { verifyWebhook } from '@luwte/sdk/admin';
import { describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/wait.ts';

describe('retry timing', () => {
	const p = retryPolicySchema.parse({ minMs: 1000, maxMs: 8000, maxAttempts: 10, maxAgeMs: 60_000 });
	it('doubles from minMs up to maxMs, each wait between half and all of it', () => {
		expect([1, 2, 3, 4, 5, 9].map((n) => retryDelay(n, p, () => 1))).toEqual([1000, 2000, 4000, 8000, 8000, 8000]);
		expect([1, 2, 3, 4, 5].map((n) => retryDelay(n, p, () => 0))).toEqual([500, 1000, 2000, 4000, 4000]);
		for (let n = 1; n < 50; n++) {
			const d = retryDelay(n, p);
			expect(d).toBeGreaterThanOrEqual(Math.min(8000, 1000 * 2 ** (n - 1)) / 2);
			expect(d).toBeLessThanOrEqual(8000);
		}
	});
	it('gives up after maxAttempts or maxAgeMs', () => {
		expect(givesUp(9, 0, 59_999, p)).toBe(false);
		expect(givesUp(10, 0, 1, p)).toBe(true);
		expect(givesUp(1, 0, 60_000, p)).toBe(true);
	});
	it('with the defaults keeps trying for about a day', () => {
		const d = retryPolicySchema.parse({});
		let total = 0;
		let n = 0;
		while (!givesUp(++n, 0, total, d)) total += retryDelay(n, d, () => 1);
		expect(total).toBeGreaterThanOrEqual(86_400_000);
		expect(n).toBeLessThanOrEqual(d.maxAttempts);
	});
});

describe('the due queue', () => {
	it('pops entries earliest first', () => {
		const q = new DueQueue();
		const dues = Array.from({ length: 500 }, (_, i) => (i * 7919) % 1000);
		for (const [i, due] of dues.entries()) q.push(due, `k${i}`);
		const out: number[] = [];
		for (let e = q.pop(); e; e = q.pop()) out.push(e.due);
		expect(out).toEqual([...dues].sort((a, b) => a - b));
		expect(q.peek()).toBe(Number.POSITIVE_INFINITY);
	});
});

describe('signatures', () => {
	const secret = newWebhookSecret();
	const body = JSON.stringify({ id: 'evt_1', type: 'session.started', createdAt: '2026-11-30T10:00:00.000Z', tenantId: 't', data: {} });
	const now = 1_780_000_000_000;
	const t = Math.floor(now / 1000);
	const opts = { now: () => now };

	it('verifies what the host signs, with either secret during a rotation', async () => {
		const headers = { 'luwte-signature': signatureHeader([secret], t, body) };
		expect((await verifyWebhook(secret, headers, body, opts)).id).toBe('evt_1');
		expect((await verifyWebhook(secret, new Headers(headers), new TextEncoder().encode(body), opts)).id).toBe('evt_1');
		const old = newWebhookSecret();
		const both = { 'Luwte-Signature': signatureHeader([secret, old], t, body) };
		expect((await verifyWebhook(old, both, body, opts)).id).toBe('evt_1');
	});

	it('refuses a changed body, another secret, an old or missing signature', async () => {
		const header = signatureHeader([secret], t, body);
		await expect(verifyWebhook(secret, { 'luwte-signature': header }, `${body} `, opts)).rejects.toMatchObject({
			code: 'bad_signature',
		});
		await expect(verifyWebhook(newWebhookSecret(), { 'luwte-signature': header }, body, opts)).rejects.toMatchObject({
			code: 'bad_signature',
		});
		await expect(verifyWebhook(secret, { 'luwte-signature': header }, body, { now: () => now + 301_000 })).rejects.toMatchObject({
			code: 'timestamp_out_of_range',
		});
		await expect(verifyWebhook(secret, {}, body, opts)).rejects.toMatchObject({ code: 'missing_signature' });
		await expect(verifyWebhook(secret, { 'luwte-signature': `t=${t}` }, body, opts)).rejects.toMatchObject({
			code: 'malformed_signature',
		});
	});
});

describe('the catalogue', () => {
	const base = { at: 0, tenantId: 't', sessionId: 's' };
	it('leaves out what is not an event for the backend', () => {
		expect(webhookSources['session.ended']({ ...base, reason: 'engine-closed' })).toBeUndefined();
		expect(
			webhookSources['participant.left']({
				...base,
				participantId: 'p-1',
				role: 'participant',
				connectionId: 'c',
				reason: 'replaced',
			}),
		).toBeUndefined();
		expect(webhookSources['session.ended']({ ...base, reason: 'cancelled' })?.type).toBe('session.cancelled');
		const processed = { ...base, recordingId: 'r', itemId: 'li_1', durationSeconds: 60, error: undefined };
		expect(webhookSources['recording.processed']({ ...processed, outcome: 'flagged', flashWindows: 2 })).toMatchObject({
			type: 'recording.flagged',
			data: { recordingId: 'r', itemId: 'li_1', flashWindows: 2 },
		});
		expect(webhookSources['recording.processed']({ ...processed, outcome: 'ready', flashWindows: 0 })?.type).toBe('recording.ready');
	});

	it("gives a session's start and end one ID wherever they are seen (every host of a cluster ends its copy)", () => {
		const onA = webhookSources['session.ended']({ ...base, at: 1, reason: 'ended' })!;
		const onB = webhookSources['session.ended']({ ...base, at: 2, reason: 'ended' })!;
		expect(eventId(onA)).toBe(eventId(onB));
		expect(eventId(onA)).toMatch(/^evt_[0-9a-f]{24}$/);
		const started = webhookSources['session.started']({ ...base, module: undefined });
		expect(eventId(started)).toBe(eventId(webhookSources['session.started']({ ...base, at: 5, module: undefined })));
		expect(eventId(started)).not.toBe(eventId(onA));
		expect(eventId(webhookSources['session.ended']({ ...base, sessionId: 's2', reason: 'ended' })!)).not.toBe(eventId(onA));
		expect(eventId(webhookSources['session.ended']({ ...base, tenantId: 't2', reason: 'ended' })!)).not.toBe(eventId(onA));
		// One host's own events stay apart: two joins of one person are two events.
		const join = { ...base, participantId: 'p-1', role: 'participant' as const, connectionId: 'c' };
		expect(eventId(webhookSources['participant.joined'](join)!)).not.toBe(eventId(webhookSources['participant.joined'](join)!));
	});
});

describe('the dispatcher', () => {
	/** A receiver as a fetch: fails while `down` holds for the event, records what it got. */
	function fakeReceiver(down: (e: WebhookEvent) => boolean) {
		const got: WebhookEvent[] = [];
		const fetch = (async (_url: string, init: RequestInit) => {
			const e = JSON.parse(String(init.body)) as WebhookEvent;
			if (down(e)) throw Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED', message: 'refused' } });
			got.push(e);
			return new Response(null, { status: 204 });
		}) as typeof globalThis.fetch;
		return { got, fetch };
	}

	async function setup(dataDir: string, fetch: typeof globalThis.fetch) {
		const endpoints = await FileWebhookEndpointStore.open(dataDir);
		const outbox = await WebhookOutbox.open(join(dataDir, 'webhooks', 'outbox.jsonl'));
		const quiet = { debug() {}, info() {}, warn() {}, error() {} };
		const dispatcher = new WebhookDispatcher({ outbox, endpoints, fetch, retry: { minMs: 20, maxMs: 40 }, logger: quiet });
		const events = new TypedEmitter<EngineEvents>();
		dispatcher.attach(events);
		return { endpoints, dispatcher, events };
	}

	const joined = (sessionId: string, participantId: string) => ({
		at: Date.now(),
		tenantId: 't',
		sessionId,
		participantId,
		role: 'participant' as const,
		connectionId: 'c',
	});

	it('keeps a session in order behind a failing event while other sessions go on, and resumes from the journal', async () => {
		const dataDir = mkdtempSync(join(tmpdir(), 'luwte-wh-'));
		let failures = 0;
		const r = fakeReceiver((e) => (e.data as { participantId?: string }).participantId === 'a-1' && failures++ < 3);
		const { endpoints, dispatcher, events } = await setup(dataDir, r.fetch);
		const now = Date.now();
		const ep = await endpoints.add({
			id: 'whk_0123456789abcdef',
			tenantId: 't',
			url: 'https://receiver.example/hook',
			events: [...webhookEventTypes],
			enabled: true,
			secret: newWebhookSecret(),
			createdAt: now,
			updatedAt: now,
		});
		events.emit('participant.joined', joined('s-a', 'a-1'));
		events.emit('participant.joined', joined('s-a', 'a-2'));
		events.emit('participant.joined', joined('s-b', 'b-1'));
		// Other tenants' events never reach this endpoint.
		events.emit('participant.joined', { ...joined('s-c', 'c-1'), tenantId: 'other' });
		await waitFor(() => r.got.length === 3, 10_000, 'three deliveries');
		const order = r.got.map((e) => (e.data as { participantId: string }).participantId);
		// b-1 did not wait for session a; a-2 came only after a-1 (which failed three times).
		expect(order).toEqual(['b-1', 'a-1', 'a-2']);
		const log = dispatcher.deliveries('t', ep.id);
		expect(log.every((d) => d.state === 'delivered')).toBe(true);
		expect(log.find((d) => d.event.data.participantId === 'a-1')).toMatchObject({ attempts: 4, lastStatus: 204, lastError: null });

		// Receiver down: pending deliveries survive closing, and only they are sent after reopening.
		let down = true;
		const r2 = fakeReceiver(() => down);
		await dispatcher.close();
		const second = await setup(dataDir, r2.fetch);
		second.events.emit('participant.joined', joined('s-a', 'a-3'));
		await waitFor(() => (second.dispatcher.deliveries('t', ep.id, { state: 'pending' })[0]?.attempts ?? 0) >= 2, 10_000, 'retries');
		await second.dispatcher.close();
		const third = await setup(dataDir, r2.fetch);
		expect(third.dispatcher.stats.pending).toBe(1);
		down = false;
		await waitFor(() => r2.got.length === 1, 10_000, 'the pending one after reopening');
		expect((r2.got[0]!.data as { participantId: string }).participantId).toBe('a-3');
		// The log survived both restarts, newest first.
		expect(third.dispatcher.deliveries('t', ep.id).map((d) => d.state)).toEqual(['delivered', 'delivered', 'delivered', 'delivered']);
		await third.dispatcher.close();
	});
});
