import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { HostError } from '../../../errors.ts';

/** Request bodies of the API are small JSON documents. */
export const MAX_BODY_BYTES = 16 * 1024;

/**
 * Refuses a body over `maxBytes` with 413 `message_too_large`. Hono's `bodyLimit` trusts a
 * Content-Length (the HTTP parser holds the sender to it) and otherwise counts a chunked body as
 * it streams, refusing at the first chunk past the limit: a body is never buffered beyond it.
 */
export function limitBody(maxBytes: number = MAX_BODY_BYTES): MiddlewareHandler {
	return bodyLimit({
		maxSize: maxBytes,
		onError: () => {
			throw new HostError('message_too_large', `request bodies are limited to ${maxBytes} bytes`);
		},
	});
}
