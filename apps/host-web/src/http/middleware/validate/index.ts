import type { MiddlewareHandler } from 'hono';
import { validator } from 'hono/validator';
import type { z } from 'zod';
import { HostError } from '../../../errors.ts';
import { parseOrThrow } from '../../../zod-error.ts';

/** `application/json` or a `+json` type, parameters (charset) aside. */
export function isJsonType(contentType: string | undefined): boolean {
	const type = contentType?.split(';')[0]?.trim().toLowerCase() ?? '';
	return type === 'application/json' || /^application\/[\w.+-]+\+json$/.test(type);
}

/**
 * Validates the JSON body with a schema; handlers read the result with `c.req.valid('json')`.
 * Failures are `invalid_params` naming each bad field; a body that is not JSON is `bad_request`.
 * A body must say it is JSON (`Content-Type: application/json`), else 415 `unsupported_media_type`:
 * a form or `text/plain` post is what another site can send from a browser without asking (no
 * CORS preflight), so taking those as JSON would open the API to cross-site requests. An empty
 * body (`POST …/end`) needs no type and is `{}`.
 * Put it after `limitBody`: this reads the whole body.
 */
export function validJson(schema: z.ZodType, what = 'request body'): MiddlewareHandler {
	return async (c, next) => {
		const text = await c.req.text();
		let json: unknown = {};
		if (text.trim() !== '') {
			if (!isJsonType(c.req.header('content-type'))) {
				throw new HostError('unsupported_media_type', 'the request body must be JSON, sent with Content-Type: application/json');
			}
			try {
				json = JSON.parse(text);
			} catch (err) {
				throw new HostError('bad_request', 'the request body must be JSON', { cause: err });
			}
		}
		c.req.addValidatedData('json', parseOrThrow(schema, json, what) as object);
		await next();
	};
}

/** Validates the query string with a schema; handlers read the result with `c.req.valid('query')`. */
export function validQuery(schema: z.ZodType): MiddlewareHandler {
	return validator('query', (value) => parseOrThrow(schema, value, 'query') as object);
}
