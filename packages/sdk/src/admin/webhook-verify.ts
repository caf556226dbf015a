import type { WebhookEvent } from './webhook-schemas.ts';

/**
 * Checking a delivery in a receiver (docs/webhooks.md, "Verifying a delivery"): the
 * `Luwte-Signature` header is `t=<unix seconds>,v1=<hex>[,v1=<hex>]`; one `v1` must be
 * HMAC-SHA256 (key: the endpoint's secret as UTF-8) over `<t>.<raw body>`, and `t` must be
 * within `toleranceSeconds` of now (a replayed old delivery is refused). Web Crypto only, so it
 * runs in Node 20+, Deno, workers and browsers alike; the comparison is Web Crypto's (constant time).
 */

export type WebhookVerificationFailure =
	| 'missing_signature'
	| 'malformed_signature'
	| 'timestamp_out_of_range'
	| 'bad_signature'
	| 'bad_body';

export class WebhookVerificationError extends Error {
	readonly code: WebhookVerificationFailure;
	constructor(code: WebhookVerificationFailure, message: string) {
		super(message);
		this.name = 'WebhookVerificationError';
		this.code = code;
	}
}

export interface VerifyWebhookOptions {
	/** How far `t` may be from now, in seconds (default 300). */
	toleranceSeconds?: number;
	/** The clock, ms since the epoch (tests). */
	now?: () => number;
}

/** Request headers as a Fetch `Headers`, or as Node's `req.headers` object. */
export type WebhookHeaders = Headers | Record<string, string | string[] | undefined>;

const encoder = new TextEncoder();

/**
 * Resolves with the parsed event when the signature is valid and fresh; rejects with a
 * `WebhookVerificationError` otherwise. `body`: the raw request body exactly as received (before
 * any JSON parsing).
 */
export async function verifyWebhook(
	secret: string,
	headers: WebhookHeaders,
	body: string | Uint8Array,
	opts: VerifyWebhookOptions = {},
): Promise<WebhookEvent> {
	const header = headerOf(headers, 'luwte-signature');
	if (!header) throw new WebhookVerificationError('missing_signature', 'no Luwte-Signature header');
	let t: number | undefined;
	const signatures: Uint8Array[] = [];
	for (const part of header.split(',')) {
		const [k, v] = part.trim().split('=', 2) as [string, string | undefined];
		if (k === 't' && v !== undefined && /^\d{1,12}$/.test(v)) t = Number(v);
		else if (k === 'v1' && v !== undefined && /^[0-9a-f]{64}$/.test(v)) signatures.push(fromHex(v));
	}
	if (t === undefined || signatures.length === 0)
		throw new WebhookVerificationError('malformed_signature', 'Luwte-Signature lacks t= or a v1= signature');
	const now = (opts.now ?? Date.now)() / 1000;
	if (Math.abs(now - t) > (opts.toleranceSeconds ?? 300))
		throw new WebhookVerificationError('timestamp_out_of_range', `signed at ${t}, too far from now (${Math.round(now)})`);
	const raw = typeof body === 'string' ? encoder.encode(body) : body;
	const signed = new Uint8Array(encoder.encode(`${t}.`).length + raw.length);
	signed.set(encoder.encode(`${t}.`));
	signed.set(raw, signed.length - raw.length);
	const key = await crypto.subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['verify']);
	let valid = false;
	for (const sig of signatures) if (await crypto.subtle.verify('HMAC', key, sig as Uint8Array<ArrayBuffer>, signed)) valid = true;
	if (!valid) throw new WebhookVerificationError('bad_signature', 'no signature matches this secret');
	try {
		return JSON.parse(typeof body === 'string' ? body : new TextDecoder().decode(body)) as WebhookEvent;
	} catch {
		throw new WebhookVerificationError('bad_body', 'the signed body is not JSON');
	}
}

function headerOf(headers: WebhookHeaders, name: string): string | undefined {
	if (typeof (headers as Headers).get === 'function') return (headers as Headers).get(name) ?? undefined;
	const h = headers as Record<string, string | string[] | undefined>;
	const v = h[name] ?? Object.entries(h).find(([k]) => k.toLowerCase() === name)?.[1];
	return Array.isArray(v) ? v.join(',') : v;
}

function fromHex(hex: string): Uint8Array {
	const out = new Uint8Array(hex.length / 2);
	for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(hex.slice(2 * i, 2 * i + 2), 16);
	return out;
}
