import { AdminClient, webhookEventTypes, type WebhookEvent } from '@luwte/sdk/admin';
import { afterAll, describe, expect, it } from 'vitest';
import { hostProcess, type HostProcess } from '../helpers/host-process.ts';
import { waitFor } from '../helpers/wait.ts';
import { openSignal } from '../helpers/ws-client.ts';
import { TestReceiver } from './receiver.ts';

// Issue 15 acceptance: a receiver on loopback gets every webhook of a scripted session exactly
// once after de-duplication by event ID, verifies each signature, and gets the ones it missed
// while it was down, with the host killed and started again in between. Backoff is short through
// the host's own options (--webhook-retry-min-ms/max-ms), not sleeps.

/** Joins, then leaves, one participant over the signalling WebSocket (no media: presence only). */
async function joinAndLeave(url: string, token: string): Promise<void> {
	const s = await openSignal(url);
	try {
		expect((await s.request('join', { token })).ok).toBe(true);
		expect((await s.request('leave', {})).ok).toBe(true);
	} finally {
		s.close();
	}
}

/** A session's events as (type, participant) in the order received. */
function shape(events: WebhookEvent[]): string[] {
	return events.map((e) => {
		const d = e.data as { participantId?: string; role?: string };
		return d.participantId ? `${e.type} ${d.role}:${d.participantId}` : e.type;
	});
}

describe('webhooks from a real host', () => {
	let h: HostProcess | undefined;
	const receiver = new TestReceiver();
	afterAll(async () => {
		await receiver.stop();
		await h?.stop('SIGKILL');
	});

	it('delivers every event of a scripted session once (after de-duplication), signed, and the missed ones after a host crash', {
		timeout: 240_000,
	}, async () => {
		await receiver.start();
		h = await hostProcess({ extraArgs: ['--webhook-retry-min-ms', '100', '--webhook-retry-max-ms', '400'] });
		const host = h;
		const admin = new AdminClient({ server: host.url, apiKey: host.tenant.apiKey });
		const made = await admin.createWebhook({ url: receiver.url, events: [...webhookEventTypes], description: 'zorg-a backend' });
		expect(made.secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
		expect(made.endpoint).toMatchObject({ url: receiver.url, enabled: true, pending: 0 });
		receiver.secret = made.secret;
		// The secret is answered once: lists never show it.
		expect(JSON.stringify(await admin.listWebhooks())).not.toContain(made.secret);

		// ── A scripted session: planned, two people join and leave, ended; and one cancelled.
		const session = await admin.createSession({ title: 'Samen bewegen', module: 'fit-en-vitaal' });
		const hostToken = await admin.createToken(session.id, { role: 'host', participantId: 'begeleider-7' });
		const clientToken = await admin.createToken(session.id, { role: 'participant', participantId: 'client-31' });
		await joinAndLeave(host.url, hostToken.token);
		await joinAndLeave(host.url, clientToken.token);
		await admin.endSession(session.id);
		const day = new Date(Date.now() + 2 * 86_400_000).toISOString().slice(0, 10);
		const cancelled = await admin.createSession({
			title: 'Uitje',
			schedule: { startsAt: `${day}T13:00:00Z`, endsAt: `${day}T14:00:00Z` },
		});
		await admin.cancelSession(cancelled.id);

		const first = [
			'session.scheduled',
			'session.started',
			'participant.joined host:begeleider-7',
			'participant.left host:begeleider-7',
			'participant.joined participant:client-31',
			'participant.left participant:client-31',
			'session.ended',
		];
		await waitFor(
			() => receiver.ofSession(session.id).length >= first.length && receiver.ofSession(cancelled.id).length >= 2,
			60_000,
			'the first session’s webhooks',
		);
		// In order per session, each exactly once after de-duplication.
		expect(shape(receiver.ofSession(session.id))).toEqual(first);
		expect(shape(receiver.ofSession(cancelled.id))).toEqual(['session.scheduled', 'session.cancelled']);
		const ended = receiver.ofSession(session.id).at(-1)!;
		expect(ended.data).toEqual({ sessionId: session.id, reason: 'ended' });
		expect(ended.tenantId).toBe(host.tenant.id);
		// Pseudonymous IDs and roles only.
		expect(Object.keys(receiver.ofSession(session.id)[2]!.data).sort()).toEqual(['participantId', 'role', 'sessionId']);
		expect(receiver.all.every((r) => r.verified)).toBe(true);
		expect(receiver.all[0]!.headers['luwte-event-id']).toBe(receiver.all[0]!.event!.id);

		// ── The receiver goes down; a second session happens meanwhile.
		await receiver.stop();
		const missed = await admin.createSession({ title: 'Koken', module: 'eigen-regie' });
		const t2 = await admin.createToken(missed.id, { role: 'participant', participantId: 'client-32' });
		await joinAndLeave(host.url, t2.token);
		await admin.endSession(missed.id);
		// Tried and retried (short backoff), each failure in the delivery log.
		await waitFor(
			async () => {
				const log = await admin.listWebhookDeliveries(made.endpoint.id, { state: 'pending' });
				return log.deliveries.length >= 5 && log.deliveries.some((d) => d.attempts >= 2);
			},
			30_000,
			'failed attempts in the delivery log',
		);
		const pending = (await admin.listWebhookDeliveries(made.endpoint.id, { state: 'pending' })).deliveries;
		expect(pending.every((d) => d.sessionId === missed.id && d.lastStatus === null)).toBe(true);
		// Only the session's oldest is tried; the others wait behind it (order per session).
		const tried = pending.filter((d) => d.attempts > 0);
		expect(tried.map((d) => d.type)).toEqual(['session.scheduled']);
		expect(tried[0]!.lastError).toMatch(/ECONNREFUSED/);
		expect(tried[0]!.nextAttemptAt).not.toBeNull();

		// ── The host crashes (SIGKILL) and starts again; then the receiver comes back.
		expect(await host.stop('SIGKILL')).toBe(null);
		await host.start();
		await receiver.start();
		const second = [
			'session.scheduled',
			'session.started',
			'participant.joined participant:client-32',
			'participant.left participant:client-32',
			'session.ended',
		];
		await waitFor(() => receiver.ofSession(missed.id).length >= second.length, 60_000, 'the missed webhooks after the restart').catch(
			(err) => {
				throw new Error(`${String(err)}: got ${shape(receiver.ofSession(missed.id)).join(', ')}\n${host.output()}`);
			},
		);
		expect(shape(receiver.ofSession(missed.id))).toEqual(second);
		expect(receiver.all.every((r) => r.verified)).toBe(true);
		// Exactly once after de-duplication: 7 + 2 + 5 distinct events, nothing else.
		expect(receiver.events.size).toBe(first.length + 2 + second.length);
		const log = (await admin.listWebhookDeliveries(made.endpoint.id)).deliveries;
		expect(log.filter((d) => d.state === 'delivered')).toHaveLength(receiver.events.size);
		const retried = log.filter((d) => d.sessionId === missed.id);
		expect(retried.every((d) => d.attempts >= 1 && d.deliveredAt !== null)).toBe(true);

		// ── Manual redelivery: the same event (same IDs) again; the receiver's de-duplication absorbs it.
		const again = log.find((d) => d.type === 'session.ended' && d.sessionId === missed.id)!;
		const copiesBefore = receiver.copies.get(again.eventId) ?? 0;
		const redelivered = await admin.redeliverWebhook(made.endpoint.id, again.id);
		expect(redelivered).toMatchObject({ id: again.id, eventId: again.eventId, state: 'pending' });
		await waitFor(() => (receiver.copies.get(again.eventId) ?? 0) > copiesBefore, 30_000, 'the redelivery');
		expect(receiver.events.size).toBe(first.length + 2 + second.length);
		const duplicates = [...receiver.copies.values()].reduce((n, c) => n + c - 1, 0);
		console.log(
			`webhooks: ${receiver.all.length} POSTs, ${receiver.events.size} distinct events, ${duplicates} duplicate copies (1 redelivery)`,
		);

		// ── Endpoint management: disable, rotate with grace (both signatures), delete.
		expect((await admin.updateWebhook(made.endpoint.id, { enabled: false })).enabled).toBe(false);
		const rotated = await admin.rotateWebhookSecret(made.endpoint.id, { graceSeconds: 60 });
		expect(rotated.secret).not.toBe(made.secret);
		expect(rotated.endpoint.previousSecretUntil).not.toBeNull();
		expect((await admin.getWebhook(made.endpoint.id)).enabled).toBe(false);
		expect((await admin.deleteWebhook(made.endpoint.id)).id).toBe(made.endpoint.id);
		await expect(admin.getWebhook(made.endpoint.id)).rejects.toMatchObject({ status: 404 });
		// Plain http:// only to this machine.
		await expect(admin.createWebhook({ url: 'http://example.org/hook', events: ['session.started'] })).rejects.toMatchObject({
			status: 400,
		});
	});
});
