import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import WebSocket, { WebSocketServer } from 'ws';

/** A protocol error a test makes the "server" answer `join` with. */
export interface Refusal {
	code: string;
	message: string;
	details?: unknown;
}

export interface SignalProxy {
	/** Give this as the client's `server`: signalling goes through the proxy, media straight to the host. */
	url: string;
	/** `join` requests seen so far (refused or passed on). */
	readonly joins: number;
	/** While set, each `join` goes to it first: a refusal is answered by the proxy, undefined passes it on. */
	refuseJoin: (() => Refusal | undefined) | undefined;
	/** Sends a notification to every connected client, as the host would. */
	notify(notification: string, data: unknown): void;
	/** Closes every connection at both ends, as a stopping host would (after `notify` if wanted). */
	dropAll(): void;
	close(): Promise<void>;
}

/**
 * A WebSocket proxy in front of a real host's `/v1/signal` that can say what the host cannot be
 * made to say on cue: a refused `join` (`not_started`, `not_found`, …), a `sessionEnding`
 * notice, a restart. Everything else passes through unchanged (with the page's Origin, so the
 * host's origin check still applies); media never touches it.
 */
export async function startSignalProxy(upstream: string): Promise<SignalProxy> {
	const server = createServer((_req, res) => {
		res.writeHead(404).end();
	});
	const wss = new WebSocketServer({ server, path: '/v1/signal' });
	const pairs = new Set<{ client: WebSocket; host: WebSocket }>();
	let joins = 0;
	const proxy: SignalProxy = {
		url: '',
		get joins() {
			return joins;
		},
		refuseJoin: undefined,
		notify(notification, data) {
			for (const { client } of pairs) client.send(JSON.stringify({ notification, data }));
		},
		dropAll() {
			for (const { client, host } of pairs) {
				client.close(4000, 'disconnected');
				host.close(1000, 'bye');
			}
			pairs.clear();
		},
		close: async () => {
			proxy.dropAll();
			wss.close();
			await new Promise<void>((resolve) => server.close(() => resolve()));
		},
	};
	wss.on('connection', (client: WebSocket, req: IncomingMessage) => {
		const target = `${upstream.replace(/^http/, 'ws')}/v1/signal`;
		const host = new WebSocket(target, { headers: req.headers.origin ? { origin: req.headers.origin } : {} });
		const pair = { client, host };
		pairs.add(pair);
		const waiting: string[] = [];
		host.on('open', () => {
			for (const m of waiting.splice(0)) host.send(m);
		});
		host.on('message', (data) => client.readyState === WebSocket.OPEN && client.send(String(data)));
		host.on('close', (code, reason) => {
			pairs.delete(pair);
			if (client.readyState === WebSocket.OPEN) client.close(code === 1005 ? 1000 : code, String(reason));
		});
		host.on('error', () => client.close(1011, 'upstream failed'));
		client.on('message', (data) => {
			const text = String(data);
			const msg = parse(text);
			if (msg?.method === 'join') {
				joins++;
				const refusal = proxy.refuseJoin?.();
				if (refusal) {
					client.send(JSON.stringify({ id: msg.id, ok: false, error: refusal }));
					return;
				}
			}
			if (host.readyState === WebSocket.OPEN) host.send(text);
			else waiting.push(text);
		});
		client.on('close', () => {
			pairs.delete(pair);
			host.close(1000, 'bye');
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	proxy.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
	return proxy;
}

function parse(text: string): { id?: unknown; method?: unknown } | undefined {
	try {
		const v: unknown = JSON.parse(text);
		return v && typeof v === 'object' ? (v as { id?: unknown; method?: unknown }) : undefined;
	} catch {
		return undefined;
	}
}
