import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHost, type TestHost } from '../helpers/host.ts';

interface Answer {
	status: number;
	json: any;
	/** Bytes of the body written when the answer came. */
	sent: number;
}

/**
 * POSTs a body with `Transfer-Encoding: chunked` and no Content-Length, in 64 KiB chunks up to
 * `total` bytes, and never ends it before the answer comes. A server that read the whole body
 * before deciding could not answer at all: its end never arrives (the test then times out).
 */
function postChunked(url: string, authorization: string, chunks: Buffer[] | { total: number }): Promise<Answer> {
	return new Promise((resolve, reject) => {
		// Generous for a busy machine; a server that waits for the end of the body never answers.
		const ceiling = setTimeout(() => {
			req.destroy();
			reject(new Error(`no answer after ${sent} bytes while the body was still open`));
		}, 30_000);
		const req = request(url, {
			method: 'POST',
			headers: { authorization, 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
		});
		let sent = 0;
		let answered = false;
		req.on('response', (res) => {
			answered = true;
			clearTimeout(ceiling);
			const at = sent;
			const parts: Buffer[] = [];
			res.on('data', (d: Buffer) => parts.push(d));
			res.on('end', () =>
				resolve({ status: res.statusCode!, json: JSON.parse(Buffer.concat(parts).toString() || 'null'), sent: at }),
			);
			res.on('error', reject);
		});
		// Once it has answered, the server may close the connection under a body still being sent.
		req.on('error', (err) => {
			if (!answered) reject(err);
		});
		if (Array.isArray(chunks)) {
			for (const c of chunks) req.write(c);
			req.end();
			return;
		}
		// Spaces are JSON whitespace: only the size of this body is wrong.
		const piece = Buffer.alloc(64 * 1024, 0x20);
		const pump = (): void => {
			while (!answered && sent < chunks.total) {
				sent += piece.length;
				if (!req.write(piece)) {
					req.once('drain', pump);
					return;
				}
			}
		};
		pump();
	});
}

describe('request body limit', () => {
	let t: TestHost;
	beforeAll(async () => {
		t = await startTestHost();
	});
	afterAll(() => t?.close());

	const total = 5 * 1024 * 1024;

	it('refuses a chunked body over the limit with 413 before the body ends (tenant route)', async () => {
		const a = t.tenants[0]!;
		const r = await postChunked(`${t.host.url}/v1/sessions`, `Bearer ${a.apiKey}`, { total });
		expect(r.status).toBe(413);
		expect(r.json.error.code).toBe('message_too_large');
		console.log(`tenant route: 413 after ${r.sent} of ${total} bytes written`);
		// The host serves on: the same route takes a small chunked body.
		const ok = await postChunked(`${t.host.url}/v1/sessions`, `Bearer ${a.apiKey}`, [
			Buffer.from('{"title":'),
			Buffer.from('"In stukjes"}'),
		]);
		expect(ok.status).toBe(201);
		expect(ok.json.title).toBe('In stukjes');
	});

	it('refuses a chunked body over the limit with 413 before the body ends (viewer route)', async () => {
		const a = t.tenants[0]!;
		const token = (await t.api(a, 'POST', '/v1/library/tokens', { participantId: 'client-413' })).json.token as string;
		const r = await postChunked(`${t.host.url}/v1/library/viewer/items/any-item/watch`, `Bearer ${token}`, { total });
		expect(r.status).toBe(413);
		expect(r.json.error.code).toBe('message_too_large');
		console.log(`viewer route: 413 after ${r.sent} of ${total} bytes written`);
	});

	it('checks the credential before reading the body', async () => {
		const r = await postChunked(`${t.host.url}/v1/sessions`, 'Bearer lwk_wrong', { total });
		expect(r.status).toBe(401);
		expect(r.json.error.code).toBe('unauthorized');
	});
});
