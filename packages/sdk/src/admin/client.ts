import { adminRoutes, type AdminBody, type AdminPathParams, type AdminQuery, type AdminResponse, type AdminRouteId } from './routes.ts';
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

	async call<R extends AdminRouteId>(
		route: R,
		args: { params?: AdminPathParams<R>; body?: AdminBody<R>; query?: AdminQuery<R> } = {},
	): Promise<AdminResponse<R>> {
		const def = adminRoutes[route];
		const params = (args.params ?? {}) as Record<string, string>;
		const path = def.path.replace(/\{(\w+)\}/g, (_m, name: string) => {
			const v = params[name];
			if (v === undefined) throw new TypeError(`missing path parameter ${name}`);
			return encodeURIComponent(v);
		});
		const url = new URL(path, this.#opts.server);
		for (const [k, v] of Object.entries((args.query ?? {}) as Record<string, unknown>)) if (v !== undefined) url.searchParams.set(k, String(v));
		const doFetch = this.#opts.fetch ?? fetch;
		const res = await doFetch(url, {
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

	// The on-demand library.
	listLibraryModules() {
		return this.call('listLibraryModules');
	}
	listLibraryItems(query: AdminQuery<'listLibraryItems'> = {}) {
		return this.call('listLibraryItems', { query });
	}
	getLibraryItem(itemId: string) {
		return this.call('getLibraryItem', { params: { itemId } });
	}
	updateLibraryItem(itemId: string, body: AdminBody<'updateLibraryItem'>) {
		return this.call('updateLibraryItem', { params: { itemId }, body });
	}
	publishLibraryItem(itemId: string) {
		return this.call('publishLibraryItem', { params: { itemId } });
	}
	unpublishLibraryItem(itemId: string) {
		return this.call('unpublishLibraryItem', { params: { itemId } });
	}
	/** `by`: pseudonymous ID of the staff member who watched the flagged moments. */
	approveLibraryItem(itemId: string, by: string) {
		return this.call('approveLibraryItem', { params: { itemId }, body: { by } });
	}
	deleteLibraryItem(itemId: string) {
		return this.call('deleteLibraryItem', { params: { itemId } });
	}
	createLibraryToken(body: AdminBody<'createLibraryToken'> = {}) {
		return this.call('createLibraryToken', { body });
	}

	// Attendance, billing and reports.
	getBilling(query: AdminQuery<'getBilling'>) {
		return this.call('getBilling', { query });
	}
	getContracts() {
		return this.call('getContracts');
	}
	setContracts(body: AdminBody<'setContracts'>) {
		return this.call('setContracts', { body });
	}
	getIndications() {
		return this.call('getIndications');
	}
	setIndications(body: AdminBody<'setIndications'>) {
		return this.call('setIndications', { body });
	}
	getActiveAccounts(query: AdminQuery<'getActiveAccounts'> = {}) {
		return this.call('getActiveAccounts', { query });
	}
	getNoShows(query: AdminQuery<'getNoShows'>) {
		return this.call('getNoShows', { query });
	}
	getModuleAttendance(query: AdminQuery<'getModuleAttendance'>) {
		return this.call('getModuleAttendance', { query });
	}
	forgetClient(clientId: string) {
		return this.call('forgetClient', { params: { clientId } });
	}

	// Recording live sessions.
	startRecording(sessionId: string) {
		return this.call('startRecording', { params: { sessionId } });
	}
	stopRecording(sessionId: string) {
		return this.call('stopRecording', { params: { sessionId } });
	}
	getSessionRecording(sessionId: string) {
		return this.call('getSessionRecording', { params: { sessionId } });
	}
	setRecordingConsent(sessionId: string, participantId: string, consent: boolean) {
		return this.call('setRecordingConsent', { params: { sessionId, participantId }, body: { consent } });
	}
	listRecordings() {
		return this.call('listRecordings');
	}
	getRecording(recordingId: string) {
		return this.call('getRecording', { params: { recordingId } });
	}
}
