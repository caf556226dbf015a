import { AdminApiError } from './api-error.ts';
import type { ApiRoute, RouteBody, RouteParams, RouteQuery, RouteResponse } from './route-types.ts';
import { errorResponseSchema } from './schemas.ts';

export interface RouteClientOptions {
	/** Base URL of the Luwte host. */
	server: string;
	/** The credential the routes ask for (`Authorization: Bearer …`): API key, operator key or library token. */
	bearer: string;
	fetch?: typeof fetch;
}

/** What one call sends: path parameters by name, the body and the query, as the route declares them. */
export interface RouteArgs<T extends ApiRoute> {
	params?: RouteParams<T>;
	body?: RouteBody<T>;
	query?: RouteQuery<T>;
}

/**
 * A typed client of one route table: paths, bodies, queries and answers come from the table, and
 * answers are validated against the route's response schema. Browser-safe (the library element
 * uses it); errors are `AdminApiError`s with the server's code.
 */
export class RouteClient<Table extends Record<string, ApiRoute>> {
	readonly #routes: Table;
	readonly #opts: RouteClientOptions;

	constructor(routes: Table, opts: RouteClientOptions) {
		this.#routes = routes;
		this.#opts = opts;
	}

	/** `init` adds fetch options such as `keepalive` (a report sent while the page closes). */
	async call<R extends keyof Table & string>(
		route: R,
		args: RouteArgs<Table[R]> = {},
		init: { keepalive?: boolean } = {},
	): Promise<RouteResponse<Table[R]>> {
		const res = await this.#send(route, args, init);
		const json: unknown = await res.json().catch(() => undefined);
		const parsed = this.#routes[route]!.response.safeParse(json);
		if (!parsed.success) {
			throw new AdminApiError(res.status, 'bad_response', `unexpected response for ${route}`, undefined, { cause: parsed.error });
		}
		return parsed.data as RouteResponse<Table[R]>;
	}

	/**
	 * The answer's body as the host wrote it, unchecked: for answers in another format than JSON
	 * (`getBilling` with `format: 'csv'`) or that must be kept byte for byte. Errors as with `call`.
	 */
	async callText<R extends keyof Table & string>(route: R, args: RouteArgs<Table[R]> = {}): Promise<string> {
		return (await this.#send(route, args, {})).text();
	}

	/**
	 * The answer's body as a stream of bytes, unread and unchecked: for long answers (the ledger
	 * export, JSON Lines) that should not be held in memory. Errors as with `call`.
	 */
	async callStream<R extends keyof Table & string>(route: R, args: RouteArgs<Table[R]> = {}): Promise<ReadableStream<Uint8Array>> {
		const res = await this.#send(route, args, {});
		if (!res.body) throw new AdminApiError(res.status, 'bad_response', `empty answer for ${route}`);
		return res.body;
	}

	/** Sends the request; an error answer becomes an AdminApiError, a good one is returned unread. */
	async #send(
		route: keyof Table & string,
		args: { params?: unknown; body?: unknown; query?: unknown },
		init: { keepalive?: boolean },
	): Promise<Response> {
		const def = this.#routes[route]!;
		const params = (args.params ?? {}) as Record<string, string>;
		const path = def.path.replace(/\{(\w+)\}/g, (_m, name: string) => {
			const v = params[name];
			if (v === undefined) throw new TypeError(`missing path parameter ${name}`);
			return encodeURIComponent(v);
		});
		const url = new URL(path, this.#opts.server);
		for (const [k, v] of Object.entries((args.query ?? {}) as Record<string, unknown>)) {
			if (v !== undefined) url.searchParams.set(k, String(v));
		}
		const doFetch = this.#opts.fetch ?? fetch;
		const res = await doFetch(url, {
			method: def.method.toUpperCase(),
			headers: {
				authorization: `Bearer ${this.#opts.bearer}`,
				...(args.body !== undefined ? { 'content-type': 'application/json' } : {}),
			},
			...(args.body !== undefined ? { body: JSON.stringify(args.body) } : {}),
			...(init.keepalive ? { keepalive: true } : {}),
		});
		if (!res.ok) {
			const err = errorResponseSchema.safeParse(await res.json().catch(() => undefined));
			if (!err.success) throw new AdminApiError(res.status, 'http_error', `HTTP ${res.status}`);
			const { code, message, details } = err.data.error;
			throw new AdminApiError(res.status, code, message, details);
		}
		return res;
	}
}
