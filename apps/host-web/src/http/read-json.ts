import type { Context } from 'hono';
import { HostError } from '../errors.ts';

const MAX_BODY_BYTES = 16 * 1024;

/** Reads a JSON request body of at most 16 KiB; an empty body is `{}`. */
export async function readJson(c: Context): Promise<unknown> {
	const tooLarge = () => new HostError('message_too_large', `request bodies are limited to ${MAX_BODY_BYTES} bytes`);
	if (Number(c.req.header('content-length') ?? '0') > MAX_BODY_BYTES) throw tooLarge();
	const text = await c.req.text();
	if (Buffer.byteLength(text) > MAX_BODY_BYTES) throw tooLarge();
	if (text.trim() === '') return {};
	try {
		return JSON.parse(text);
	} catch {
		throw new HostError('bad_request', 'the request body must be JSON');
	}
}
