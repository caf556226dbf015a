import { adminRoutes, type AdminBody, type AdminPathParams, type AdminResponse, type AdminRouteId } from './routes.ts';
import { errorResponseSchema } from './schemas.ts';

/** An error answer of the admin API. */
export class AdminApiError extends Error {
	readonly status: number;
	readonly code: string;
	readonly details: unknown;
	constructor(status: number, code: string, message: string, details?: unknown) {
		super(message);
		this.name = 'AdminApiError';
		this.status = status;
		this.code = code;
		this.details = details;
	}
}

export interface AdminClientOptions {
	/** Base URL of the Luwte host. */
	server: string;
	/** Tenant API key (keep it on your backend: never ship it to a browser). */
	apiKey: string;
	fetch?: typeof fetch;
}

/** Typed client of the admin API, derived from the route table; responses are validated. */
export class AdminClient {
	readonly #opts: AdminClientOptions;

	constructor(opts: AdminClientOptions) {
		this.#opts = opts;
	}

	async call<R extends AdminRouteId>(route: R, args: { params?: AdminPathParams<R>; body?: AdminBody<R> } = {}): Promise<AdminResponse<R>> {
		const def = adminRoutes[route];
		const params = (args.params ?? {}) as Record<string, string>;
		const path = def.path.replace(/\{(\w+)\}/g, (_m, name: string) => {
			const v = params[name];
			if (v === undefined) throw new TypeError(`missing path parameter ${name}`);
			return encodeURIComponent(v);
		});
		const doFetch = this.#opts.fetch ?? fetch;
		const res = await doFetch(new URL(path, this.#opts.server), {
			method: def.method.toUpperCase(),
			headers: {
				authorization: `Bearer ${this.#opts.apiKey}`,
				...(args.body !== undefined ? { 'content-type': 'application/json' } : {}),
			},
			...(args.body !== undefined ? { body: JSON.stringify(args.body) } : {}),
		});
		const json: unknown = await res.json().catch(() => undefined);
		if (!res.ok) {
			const err = errorResponseSchema.safeParse(json);
			if (err.success) throw new AdminApiError(res.status, err.data.error.code, err.data.error.message, err.data.error.details);
			throw new AdminApiError(res.status, 'http_error', `HTTP ${res.status}`);
		}
		const parsed = def.response.safeParse(json);
		if (!parsed.success) throw new AdminApiError(res.status, 'bad_response', `unexpected response for ${route}`);
		return parsed.data as AdminResponse<R>;
	}

	createSession(body: AdminBody<'createSession'>) {
		return this.call('createSession', { body });
	}
	listSessions() {
		return this.call('listSessions');
	}
	getSession(sessionId: string) {
		return this.call('getSession', { params: { sessionId } });
	}
	endSession(sessionId: string) {
		return this.call('endSession', { params: { sessionId } });
	}
	listParticipants(sessionId: string) {
		return this.call('listParticipants', { params: { sessionId } });
	}
	createToken(sessionId: string, body: AdminBody<'createToken'>) {
		return this.call('createToken', { params: { sessionId }, body });
	}
}
