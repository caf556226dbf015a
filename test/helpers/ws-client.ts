import WebSocket from 'ws';

export interface RawSignal {
	ws: WebSocket;
	/** Sends a request and resolves with the whole response envelope. */
	request(method: string, params?: unknown): Promise<any>;
	/** Sends raw text and resolves with the next response. */
	sendRaw(data: string | Buffer): Promise<any>;
	closed: Promise<number>;
	close(): void;
}

/** A bare WebSocket client for protocol tests: sees exactly what the server sends. */
export async function openSignal(baseUrl: string): Promise<RawSignal> {
	const ws = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}/v1/signal`);
	await new Promise<void>((resolve, reject) => {
		ws.once('open', () => resolve());
		ws.once('error', reject);
	});
	const waiting: ((msg: any) => void)[] = [];
	ws.on('message', (data) => {
		const msg = JSON.parse(String(data));
		if ('notification' in msg) return;
		waiting.shift()?.(msg);
	});
	const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
	let nextId = 1;
	const next = () => new Promise<any>((resolve) => waiting.push(resolve));
	return {
		ws,
		request(method, params) {
			const p = next();
			ws.send(JSON.stringify({ id: nextId++, method, ...(params !== undefined ? { params } : {}) }));
			return p;
		},
		sendRaw(data) {
			const p = next();
			ws.send(data);
			return p;
		},
		closed,
		close: () => ws.close(),
	};
}
