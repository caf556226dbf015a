import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AdminClient, type WebhookEvent } from '@luwte/sdk/admin';

/** One POST the receiver got, with whether its signature verified. */
export interface Received {
	event: WebhookEvent | undefined;
	headers: Record<string, string | string[] | undefined>;
	verified: boolean;
	error: string | undefined;
}

/**
 * A webhook receiver on loopback, as a care organisation's backend would write one: it verifies
 * each delivery with `AdminClient.verifyWebhook` and de-duplicates by event ID. It can stop and
 * start again on the same port (a receiver that is down).
 */
export class TestReceiver {
	readonly all: Received[] = [];
	/** Verified events by ID, in the order first received. */
	readonly events = new Map<string, WebhookEvent>();
	/** How often each event ID came (more than once: a retry after an unrecorded success, or a redelivery). */
	readonly copies = new Map<string, number>();
	secret = '';
	#server: Server | undefined;
	#port = 0;

	get url(): string {
		return `http://127.0.0.1:${this.#port}/hooks/luwte`;
	}

	/** Starts listening (on the port of the last run, if any). */
	async start(): Promise<void> {
		const server = createServer((req, res) => {
			const chunks: Buffer[] = [];
			req.on('data', (c: Buffer) => chunks.push(c));
			req.on('end', () => {
				const body = Buffer.concat(chunks).toString('utf8');
				AdminClient.verifyWebhook(this.secret, req.headers, body).then(
					(event) => {
						this.all.push({ event, headers: req.headers, verified: true, error: undefined });
						this.copies.set(event.id, (this.copies.get(event.id) ?? 0) + 1);
						if (!this.events.has(event.id)) this.events.set(event.id, event);
						res.writeHead(204).end();
					},
					(err: Error) => {
						this.all.push({ event: undefined, headers: req.headers, verified: false, error: err.message });
						res.writeHead(400).end();
					},
				);
			});
		});
		await new Promise<void>((resolve, reject) => {
			server.once('error', reject);
			server.listen(this.#port, '127.0.0.1', () => resolve());
		});
		this.#port = (server.address() as AddressInfo).port;
		this.#server = server;
	}

	async stop(): Promise<void> {
		const s = this.#server;
		this.#server = undefined;
		if (!s) return;
		s.closeAllConnections();
		await new Promise<void>((resolve) => s.close(() => resolve()));
	}

	/** The verified events of one session, in the order they first arrived. */
	ofSession(sessionId: string): WebhookEvent[] {
		return [...this.events.values()].filter((e) => (e.data as { sessionId?: unknown }).sessionId === sessionId);
	}
}
