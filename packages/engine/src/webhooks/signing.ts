import { createHmac, randomBytes } from 'node:crypto';

/**
 * How a delivery is signed (docs/webhooks.md, "Verifying a delivery"): the header
 * `Luwte-Signature: t=<unix seconds>,v1=<hex>` where `<hex>` is HMAC-SHA256, keyed with the
 * endpoint's secret (the whole `whsec_…` string as UTF-8), over `<t>.<body>` (the raw body bytes).
 * While a rotated secret is still in its grace period, one `v1=` per valid secret is sent, so a
 * receiver holding either verifies. The SDK's `verifyWebhook` checks the same with Web Crypto.
 */
export const webhookHeaders = {
	signature: 'luwte-signature',
	eventId: 'luwte-event-id',
	eventType: 'luwte-event-type',
	deliveryId: 'luwte-delivery-id',
	attempt: 'luwte-delivery-attempt',
} as const;

/** The `Luwte-Signature` value for one body at one time, with one `v1=` per secret. */
export function signatureHeader(secrets: readonly string[], timestampSeconds: number, body: string): string {
	const signed = `${timestampSeconds}.${body}`;
	const v1 = secrets.map((s) => `v1=${createHmac('sha256', s).update(signed, 'utf8').digest('hex')}`);
	return [`t=${timestampSeconds}`, ...v1].join(',');
}

/** A new endpoint secret: 256 random bits, shown to the tenant once. */
export function newWebhookSecret(): string {
	return `whsec_${randomBytes(32).toString('base64url')}`;
}
