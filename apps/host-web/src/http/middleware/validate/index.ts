import type { MiddlewareHandler } from 'hono';
import { validator } from 'hono/validator';
import type { z } from 'zod';
import { HostError } from '../../../errors.ts';
import { parseOrThrow } from '../../../zod-error.ts';

/**
 * Validates the JSON body with a schema; handlers read the result with `c.req.valid('json')`.
 * Failures are `invalid_params` naming each bad field; a body that is not JSON is `bad_request`.
 * Unlike Hono's own `json` target, the body is read whatever its Content-Type says and an empty
 * body is `{}`, as the API has always taken them (`curl -d` sends a form type; `POST …/end` none).
 * Put it after `limitBody`: this reads the whole body.
 */
export function validJson(schema: z.ZodType, what = 'request body'): MiddlewareHandler {
	return async (c, next) => {
		const text = await c.req.text();
		let json: unknown = {};
		if (text.trim() !== '') {
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
