/**
 * The HTTP bench's floor: bare Hono routes on @hono/node-server (what Luwte's host is built on), in
 * a process of their own, answering what Luwte's three measured routes answer without their work
 * (no authentication, limits, validation, signing or store): a token-sized JSON for the token issue,
 * a session-sized JSON for the session read, and as many bytes as the embed script for the bundle.
 * Prints one JSON line with its URL on stdout.
 *
 *   node bench/src/http/bare-server.ts --bundle-bytes N
 */
import { randomBytes } from 'node:crypto';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { benchArgs, intArg } from '../args.ts';

const args = benchArgs('usage: node bench/src/http/bare-server.ts --bundle-bytes N', {
	'bundle-bytes': { type: 'string', default: '90000' },
});
const bundle = randomBytes(intArg('bundle-bytes', args['bundle-bytes'], 1, 50_000_000));
const token = randomBytes(180).toString('base64url');
const session = {
	id: 'ses_bench',
	title: 'HTTP bench',
	kind: 'online',
	module: 'communicatie',
	state: 'scheduled',
	createdAt: new Date().toISOString(),
};
const app = new Hono();
app.post('/tokens', async (c) => {
	await c.req.json();
	return c.json({ token, expiresAt: new Date(Date.now() + 3_600_000).toISOString() }, 201);
});
app.get('/session', (c) => c.json(session));
app.get('/bundle', (c) => {
	c.header('content-type', 'text/javascript; charset=utf-8');
	c.header('content-encoding', 'br');
	return c.body(bundle);
});
const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) => {
	process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${info.port}` })}\n`);
});
const stop = () => server.close(() => process.exit(0));
process.on('SIGTERM', stop);
// The bench holds our stdin: when it is gone (finished, killed), so are we.
process.stdin.on('end', stop);
process.stdin.resume();
process.on('SIGINT', stop);
