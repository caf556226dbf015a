/**
 * A JSON response outside a handler's context. Not `Response.json()`: under @hono/node-server the
 * global `Response` is its lighter subclass, whose inherited static `json` loses the body.
 */
export function jsonResponse(body: unknown, status: number): Response {
	return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
}
