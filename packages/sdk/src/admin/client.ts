import { AdminApiError } from './api-error.ts';
import { RouteClient } from './route-client.ts';
import { verifyWebhook, type VerifyWebhookOptions, type WebhookHeaders } from './webhook-verify.ts';
import { adminRoutes, type AdminBody, type AdminQuery, type AdminResponse } from './routes.ts';

export interface AdminClientOptions {
	/** Base URL of the Luwte host. */
	server: string;
	/** Tenant API key (keep it on your backend: never ship it to a browser). */
	apiKey: string;
	fetch?: typeof fetch;
}

/** Typed client of the admin API (tenant API key), derived from the route table; responses are validated. */
export class AdminClient extends RouteClient<typeof adminRoutes> {
	constructor(opts: AdminClientOptions) {
		super(adminRoutes, { server: opts.server, bearer: opts.apiKey, ...(opts.fetch ? { fetch: opts.fetch } : {}) });
	}

	createSession(body: AdminBody<'createSession'>) {
		return this.call('createSession', { body });
	}
	/** One page of sessions; pass the page's `nextCursor` as `cursor` for the next (see `allSessions`). */
	listSessions(query: AdminQuery<'listSessions'> = {}) {
		return this.call('listSessions', { query });
	}
	/** Every session matching the filters, page by page. */
	async *allSessions(query: Omit<AdminQuery<'listSessions'>, 'cursor'> = {}) {
		let cursor: string | undefined;
		do {
			const page = await this.listSessions({ ...query, ...(cursor ? { cursor } : {}) });
			yield* page.sessions;
			cursor = page.nextCursor ?? undefined;
		} while (cursor);
	}
	updateSession(sessionId: string, body: AdminBody<'updateSession'>) {
		return this.call('updateSession', { params: { sessionId }, body });
	}
	cancelSession(sessionId: string) {
		return this.call('cancelSession', { params: { sessionId } });
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
	listLibrarySubtitles(itemId: string) {
		return this.call('listLibrarySubtitles', { params: { itemId } });
	}
	/** Adds or replaces one language's WebVTT subtitles (`vtt`: the file's text). */
	putLibrarySubtitles(itemId: string, lang: string, body: AdminBody<'putLibrarySubtitles'>) {
		return this.call('putLibrarySubtitles', { params: { itemId, lang }, body });
	}
	deleteLibrarySubtitles(itemId: string, lang: string) {
		return this.call('deleteLibrarySubtitles', { params: { itemId, lang } });
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
	/** Who attended a session: role, joined, left, attended time, reconnects (`callText` with `format: 'csv'` for CSV). */
	getSessionAttendance(sessionId: string) {
		return this.call('getSessionAttendance', { params: { sessionId }, query: { format: 'json' } });
	}
	/**
	 * The tenant's ledger for whole months, one event at a time as the host streams it (JSON
	 * Lines); `callStream('exportAttendanceEvents', …)` gives the bytes to save as a file.
	 */
	async *attendanceEvents(query: AdminQuery<'exportAttendanceEvents'>): AsyncGenerator<AdminResponse<'exportAttendanceEvents'>> {
		const reader = (await this.callStream('exportAttendanceEvents', { query })).getReader();
		const decoder = new TextDecoder();
		let rest = '';
		let finished = false;
		try {
			while (!finished) {
				const { done, value } = await reader.read();
				finished = done;
				const parts = (rest + (done ? decoder.decode() : decoder.decode(value, { stream: true }))).split('\n');
				rest = parts.pop()!;
				for (const line of parts) if (line.trim() !== '') yield this.#event(line);
			}
		} finally {
			// A caller that stops early (break) leaves the rest unread: the request is cancelled.
			if (!finished) await reader.cancel().catch(() => undefined);
			reader.releaseLock();
		}
		if (rest.trim() !== '') yield this.#event(rest);
	}

	#event(line: string): AdminResponse<'exportAttendanceEvents'> {
		const parsed = adminRoutes.exportAttendanceEvents.response.safeParse(JSON.parse(line));
		if (!parsed.success)
			throw new AdminApiError(200, 'bad_response', 'unexpected line in the ledger export', undefined, { cause: parsed.error });
		return parsed.data;
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

	// API keys of this tenant: rotate (the new key is answered once), list, revoke.
	listKeys() {
		return this.call('listKeys');
	}
	/** A new key; the others work until revoked, or for `graceSeconds` more. */
	rotateKey(body: AdminBody<'rotateKey'> = {}) {
		return this.call('rotateKey', { body });
	}
	revokeKey(keyId: string) {
		return this.call('revokeKey', { params: { keyId } });
	}

	// Webhooks (docs/webhooks.md): endpoints, their delivery log, redelivery.
	/** Registers an endpoint; the answer's `secret` is shown only this once. */
	createWebhook(body: AdminBody<'createWebhook'>) {
		return this.call('createWebhook', { body });
	}
	listWebhooks() {
		return this.call('listWebhooks');
	}
	getWebhook(endpointId: string) {
		return this.call('getWebhook', { params: { endpointId } });
	}
	updateWebhook(endpointId: string, body: AdminBody<'updateWebhook'>) {
		return this.call('updateWebhook', { params: { endpointId }, body });
	}
	deleteWebhook(endpointId: string) {
		return this.call('deleteWebhook', { params: { endpointId } });
	}
	/** A new secret (answered once); the old one keeps signing for `graceSeconds`. */
	rotateWebhookSecret(endpointId: string, body: AdminBody<'rotateWebhookSecret'> = {}) {
		return this.call('rotateWebhookSecret', { params: { endpointId }, body });
	}
	listWebhookDeliveries(endpointId: string, query: AdminQuery<'listWebhookDeliveries'> = {}) {
		return this.call('listWebhookDeliveries', { params: { endpointId }, query });
	}
	redeliverWebhook(endpointId: string, deliveryId: string) {
		return this.call('redeliverWebhook', { params: { endpointId, deliveryId } });
	}

	/**
	 * In a receiver: resolves with the event when `Luwte-Signature` is valid for `secret` and at most
	 * 5 minutes old, else rejects with a `WebhookVerificationError`. `body`: the raw body as received.
	 * Web Crypto only (Node 20+, browsers, workers).
	 */
	static verifyWebhook(secret: string, headers: WebhookHeaders, body: string | Uint8Array, opts?: VerifyWebhookOptions) {
		return verifyWebhook(secret, headers, body, opts);
	}
}
