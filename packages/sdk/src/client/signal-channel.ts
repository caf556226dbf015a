import { formatIssues, LuwteError, type LuwteErrorOptions } from '@luwte/errors';
import {
	notificationEnvelopeSchema,
	notificationSchemas,
	PROTOCOL_VERSION,
	responseEnvelopeSchema,
	responseResults,
	type ErrorCode,
	type Method,
	type NotificationEnvelope,
	type RequestParams,
	type ResponseResult,
} from '../protocol/index.ts';

/** The codes a `SignalError` carries: the protocol's, and two for local failures. */
export type SignalErrorCode = ErrorCode | 'timeout' | 'closed';

/** An error response from the server (or a local failure mapped onto the same codes). */
export class SignalError extends LuwteError<SignalErrorCode> {
	constructor(code: SignalErrorCode, message: string, options: LuwteErrorOptions = {}) {
		super(code, message, options);
		this.name = 'SignalError';
	}
}

interface Pending {
	method: Method;
	resolve: (v: unknown) => void;
	reject: (e: Error) => void;
	timer: ReturnType<typeof setTimeout>;
}

export interface SignalChannelOptions {
	requestTimeoutMs?: number;
	onNotification: (n: NotificationEnvelope) => void;
	onClose: (code: number, reason: string) => void;
}

/** Request/response and notifications over one WebSocket, validated against the protocol schemas. */
export class SignalChannel {
	readonly #ws: WebSocket;
	readonly #pending = new Map<number, Pending>();
	readonly #opts: SignalChannelOptions;
	#nextId = 1;

	private constructor(ws: WebSocket, opts: SignalChannelOptions) {
		this.#ws = ws;
		this.#opts = opts;
		ws.addEventListener('message', (ev) => this.#onMessage(ev.data));
		ws.addEventListener('close', (ev) => {
			for (const p of this.#pending.values()) {
				clearTimeout(p.timer);
				p.reject(new SignalError('closed', 'the connection closed'));
			}
			this.#pending.clear();
			opts.onClose(ev.code, ev.reason);
		});
	}

	static open(url: string, opts: SignalChannelOptions): Promise<SignalChannel> {
		return new Promise((resolve, reject) => {
			const ws = new WebSocket(url);
			const fail = (ev: Event) => reject(new SignalError('unavailable', `cannot reach ${new URL(url).host}`, { cause: ev }));
			ws.addEventListener('error', fail, { once: true });
			ws.addEventListener(
				'open',
				() => {
					ws.removeEventListener('error', fail);
					resolve(new SignalChannel(ws, opts));
				},
				{ once: true },
			);
		});
	}

	get open(): boolean {
		return this.#ws.readyState === WebSocket.OPEN;
	}

	request<M extends Method>(method: M, params: RequestParams<M>): Promise<ResponseResult<M>> {
		if (!this.open) return Promise.reject(new SignalError('closed', 'the connection is closed'));
		const id = this.#nextId++;
		const timeoutMs = this.#opts.requestTimeoutMs ?? 15_000;
		return new Promise((resolve, reject) => {
			const timer = setTimeout(() => {
				this.#pending.delete(id);
				reject(new SignalError('timeout', `${method} got no answer within ${timeoutMs} ms`));
			}, timeoutMs);
			this.#pending.set(id, { method, resolve: resolve as (v: unknown) => void, reject, timer });
			this.#ws.send(JSON.stringify({ id, method, params: method === 'join' ? { protocol: PROTOCOL_VERSION, ...params } : params }));
		});
	}

	close(): void {
		this.#ws.close(1000, 'bye');
	}

	#onMessage(data: unknown): void {
		if (typeof data !== 'string') return;
		let json: unknown;
		try {
			json = JSON.parse(data);
		} catch {
			return;
		}
		if (json && typeof json === 'object' && 'notification' in json) {
			const env = notificationEnvelopeSchema.safeParse(json);
			if (!env.success) return;
			const body = notificationSchemas[env.data.notification].safeParse(env.data.data);
			if (!body.success) return;
			this.#opts.onNotification({ notification: env.data.notification, data: body.data } as NotificationEnvelope);
			return;
		}
		const res = responseEnvelopeSchema.safeParse(json);
		if (!res.success || typeof res.data.id !== 'number') return;
		const pending = this.#pending.get(res.data.id);
		if (!pending) return;
		this.#pending.delete(res.data.id);
		clearTimeout(pending.timer);
		if (!res.data.ok) {
			pending.reject(new SignalError(res.data.error.code, res.data.error.message, { details: res.data.error.details }));
			return;
		}
		const result = responseResults[pending.method].safeParse(res.data.result);
		if (!result.success) {
			const message = formatIssues(`${pending.method} result from server`, result.error.issues);
			pending.reject(new SignalError('internal', message, { cause: result.error }));
		} else {
			pending.resolve(result.data);
		}
	}
}
