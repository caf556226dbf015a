import { css, html, LitElement, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { SessionClient, SignalError, type RecordingState, type RemoteTrack } from '../client/index.ts';
import type { Role } from '../protocol/index.ts';
import { textsFor, type Texts } from './i18n.ts';
import { SpeakingDetector } from './speaking-detector.ts';

export type SessionPhase = 'preview' | 'joining' | 'joined' | 'reconnecting' | 'left' | 'ended' | 'error';

interface Member {
	participantId: string;
	role: Role;
	/** Position in the grid, fixed at first sight: tiles never reorder. */
	order: number;
	video: MediaStreamTrack | undefined;
	screen: MediaStreamTrack | undefined;
	audio: MediaStreamTrack | undefined;
	videoPaused: boolean;
	audioPaused: boolean;
	speaking: boolean;
}

const NOT_RECORDING: RecordingState = { active: false, you: false, consent: false, recorded: [], consented: [] };

function sameRecording(a: RecordingState, b: RecordingState): boolean {
	return (
		a.active === b.active &&
		a.you === b.you &&
		a.consent === b.consent &&
		a.recorded.join('\n') === b.recorded.join('\n') &&
		a.consented.join('\n') === b.consented.join('\n')
	);
}

/** Reconnect waits (ms): quick at first, then calmly every 10 s, for about five minutes. */
const RECONNECT_DELAYS = [1000, 2000, 4000, 8000, ...Array<number>(28).fill(10_000)];

/** Reads the role from a join token for the interface only (the server verifies the token). */
function roleOfToken(token: string): Role | undefined {
	try {
		const part = token.split('.')[1] ?? '';
		const json = JSON.parse(atob(part.replace(/-/g, '+').replace(/_/g, '/'))) as { role?: unknown };
		return typeof json.role === 'string' ? (json.role as Role) : undefined;
	} catch {
		return undefined;
	}
}

/**
 * `<luwte-session server="https://…" token="…">`: a calm live session for a care provider's
 * website. Camera and microphone check first, one large "Meedoen" button, then the leader big
 * and fixed, the others in a stable grid. Dutch by default (`lang="en"` for English).
 *
 * While the session is recorded everyone sees a steady indicator (space reserved, so nothing
 * moves); clients can join or leave the recording themselves, hosts start and stop it, see who
 * is in it and register consent given aloud.
 *
 * Events: `luwte-joined`, `luwte-left`, `luwte-error` (detail: `{code, message}`).
 * Styling: custom properties `--luwte-bg`, `--luwte-fg`, `--luwte-surface`, `--luwte-accent`,
 * `--luwte-button-bg`, `--luwte-button-fg`, `--luwte-radius`, `--luwte-font-size`, `--luwte-recording`;
 * parts `stage`, `grid`, `tile`, `controls`, `button`, `message`, `recording`, `recording-panel`.
 */
export class LuwteSession extends LitElement {
	static override properties = {
		server: { type: String },
		token: { type: String },
		lang: { type: String },
		hideSelfView: { type: Boolean, attribute: 'hide-self-view', reflect: true },
		_phase: { state: true },
		_message: { state: true },
		_members: { state: true },
		_micOn: { state: true },
		_camOn: { state: true },
		_hasCam: { state: true },
		_hasMic: { state: true },
		_previewReady: { state: true },
		_spotlight: { state: true },
		_sharing: { state: true },
		_confirmEnd: { state: true },
		_recording: { state: true },
		_confirmStopRecording: { state: true },
		_confirmConsent: { state: true },
	};

	declare server: string;
	declare token: string;
	declare lang: string;
	declare hideSelfView: boolean;
	declare _phase: SessionPhase;
	declare _message: string;
	declare _members: Map<string, Member>;
	declare _micOn: boolean;
	declare _camOn: boolean;
	declare _hasCam: boolean;
	declare _hasMic: boolean;
	declare _previewReady: boolean;
	declare _spotlight: string | null;
	declare _sharing: boolean;
	declare _confirmEnd: boolean;
	declare _recording: RecordingState;
	declare _confirmStopRecording: boolean;
	declare _confirmConsent: boolean;

	#client: SessionClient | undefined;
	#local: MediaStream | undefined;
	#streams = new WeakMap<MediaStreamTrack, MediaStream>();
	#detectors = new Map<string, SpeakingDetector>();
	#order = 0;
	#reconnectAttempt = 0;
	#reconnectTimer: ReturnType<typeof setTimeout> | undefined;
	#leaving = false;
	#stopRecordingTimer: ReturnType<typeof setTimeout> | undefined;
	#recordingBusy = false;

	constructor() {
		super();
		this.server = '';
		this.token = '';
		this.lang = 'nl';
		this.hideSelfView = false;
		this._phase = 'preview';
		this._message = '';
		this._members = new Map();
		this._micOn = true;
		this._camOn = true;
		this._hasCam = false;
		this._hasMic = false;
		this._previewReady = false;
		this._spotlight = null;
		this._sharing = false;
		this._confirmEnd = false;
		this._recording = NOT_RECORDING;
		this._confirmStopRecording = false;
		this._confirmConsent = false;
	}

	/** The current phase: preview, joining, joined, reconnecting, left, ended or error. */
	get phase(): SessionPhase {
		return this._phase;
	}

	get #t(): Texts {
		return textsFor(this.lang);
	}

	get #role(): Role | undefined {
		return this.#client?.role ?? roleOfToken(this.token);
	}

	override connectedCallback(): void {
		super.connectedCallback();
		if (this._phase === 'preview') void this.#startPreview();
	}

	override disconnectedCallback(): void {
		super.disconnectedCallback();
		this.#leaving = true;
		clearTimeout(this.#reconnectTimer);
		clearTimeout(this.#stopRecordingTimer);
		void this.#client?.leave();
		this.#stopLocal();
		this.#stopDetectors();
	}

	protected override updated(changed: PropertyValues): void {
		super.updated(changed);
		// Keep every <video>/<audio> bound to its track; rebinding the same stream is a no-op.
		for (const el of this.renderRoot.querySelectorAll<HTMLMediaElement>('video[data-track], audio[data-track]')) {
			const stream = this.#streamById(el.dataset.track ?? '');
			if (stream && el.srcObject !== stream) el.srcObject = stream;
		}
	}

	/** Joins the session (what the "Meedoen" button does). */
	async join(): Promise<void> {
		if (this._phase !== 'preview' && this._phase !== 'error') return;
		this._phase = 'joining';
		this._message = this.#t.joining;
		this.#leaving = false;
		try {
			await this.#connect();
			this._phase = 'joined';
			this._message = '';
			this.#emit('luwte-joined', { participantId: this.#client?.participantId, role: this.#client?.role });
		} catch (err) {
			this.#fail(err);
		}
	}

	/** Leaves the session. */
	async leave(): Promise<void> {
		this.#leaving = true;
		clearTimeout(this.#reconnectTimer);
		await this.#client?.leave();
		this.#client = undefined;
		this.#stopLocal();
		this.#stopDetectors();
		this._members = new Map();
		this.#resetRecording();
		this._phase = 'left';
		this._message = this.#t.left;
		this.#emit('luwte-left', { reason: 'left' });
	}

	/** WebRTC statistics of everything received (for diagnostics and tests). */
	async receiveStats(): Promise<RTCStatsReport | undefined> {
		return this.#client?.receiveStats();
	}

	async #startPreview(): Promise<void> {
		if (this.#role === 'viewer' || !navigator.mediaDevices?.getUserMedia) {
			this._previewReady = true;
			return;
		}
		const tracks: MediaStreamTrack[] = [];
		for (const kind of ['video', 'audio'] as const) {
			try {
				const s = await navigator.mediaDevices.getUserMedia(
					kind === 'video' ? { video: { width: { ideal: 1280 }, height: { ideal: 720 }, frameRate: { ideal: 20, max: 30 } } } : { audio: { echoCancellation: true, noiseSuppression: true } },
				);
				tracks.push(...s.getTracks());
			} catch {
				// No device or no permission: joining still works without it.
			}
		}
		this.#local = new MediaStream(tracks);
		this._hasCam = this.#local.getVideoTracks().length > 0;
		this._hasMic = this.#local.getAudioTracks().length > 0;
		this._previewReady = true;
	}

	async #connect(): Promise<void> {
		const client = new SessionClient({ server: this.server });
		this.#client = client;
		client.on('participantJoined', (p) => this.#upsert(p.participantId, p.role));
		client.on('participantLeft', (p) => this.#removeMember(p.participantId));
		client.on('track', (t) => this.#onTrack(t));
		client.on('trackEnded', (t) =>
			this.#patch(t.participantId, t.source === 'microphone' ? { audio: undefined } : t.source === 'screen' ? { screen: undefined } : { video: undefined }),
		);
		client.on('mutedByHost', ({ source }) => {
			if (source === 'microphone') {
				this._micOn = false;
				this._message = this.#t.mutedByHost;
			} else {
				this._camOn = false;
			}
			for (const tr of source === 'microphone' ? (this.#local?.getAudioTracks() ?? []) : (this.#local?.getVideoTracks() ?? [])) tr.enabled = false;
		});
		client.on('spotlightChanged', ({ participantId }) => (this._spotlight = participantId));
		client.on('recordingChanged', (r) => {
			if (client === this.#client) this.#onRecordingChanged(r);
		});
		client.on('trackPaused', (t) => this.#patch(t.participantId, t.source === 'microphone' ? { audioPaused: true } : { videoPaused: true }));
		client.on('trackResumed', (t) => this.#patch(t.participantId, t.source === 'microphone' ? { audioPaused: false } : { videoPaused: false }));
		client.on('sessionEnded', () => this.#finish('ended'));
		client.on('disconnected', ({ reason }) => this.#onDisconnected(client, reason));
		// A new connection: what this host knew about others' consent is rebuilt from the server.
		const joined = await client.connect(this.token);
		this._spotlight = client.spotlight;
		// The server tells a joining client only about a running recording; none told means none
		// (it may have stopped while this client was reconnecting).
		this.#onRecordingChanged(client.recording);
		for (const peer of joined.peers) this.#upsert(peer.participantId, peer.role);
		if (joined.role !== 'viewer' && this.#local) {
			const camera = this.#local.getVideoTracks()[0];
			const microphone = this.#local.getAudioTracks()[0];
			await client.publish({ ...(camera ? { camera } : {}), ...(microphone ? { microphone } : {}) });
			if (!this._micOn) await client.mute('microphone');
			if (!this._camOn) await client.mute('camera');
		}
	}

	#onDisconnected(client: SessionClient, reason: string): void {
		if (client !== this.#client || this.#leaving) return;
		if (reason === 'replaced') {
			this.#finish('replaced');
			return;
		}
		this.#stopDetectors();
		this._members = new Map();
		this._phase = 'reconnecting';
		this._message = this.#t.reconnecting;
		this.#scheduleReconnect();
	}

	#scheduleReconnect(): void {
		const delay = RECONNECT_DELAYS[this.#reconnectAttempt++];
		if (delay === undefined) {
			this.#fail(new SignalError('unavailable', 'gave up reconnecting'));
			return;
		}
		this.#reconnectTimer = setTimeout(async () => {
			if (this.#leaving) return;
			try {
				await this.#connect();
				this.#reconnectAttempt = 0;
				this._phase = 'joined';
				this._message = '';
			} catch (err) {
				if (err instanceof SignalError && (err.code === 'unauthorized' || err.code === 'session_ended' || err.code === 'origin_not_allowed')) {
					this.#fail(err);
				} else {
					this.#scheduleReconnect();
				}
			}
		}, delay);
	}

	#finish(kind: 'ended' | 'replaced'): void {
		this.#leaving = true;
		this.#client = undefined;
		this.#stopLocal();
		this.#stopDetectors();
		this._members = new Map();
		this.#resetRecording();
		this._phase = kind === 'ended' ? 'ended' : 'left';
		this._message = kind === 'ended' ? this.#t.ended : this.#t.replaced;
		this.#emit('luwte-left', { reason: kind });
	}

	#fail(err: unknown): void {
		const code = err instanceof SignalError ? err.code : 'internal';
		const t = this.#t;
		this._message =
			code === 'origin_not_allowed' ? t.originNotAllowed : code === 'unauthorized' ? t.tokenInvalid : code === 'session_ended' ? t.ended : t.failed;
		this._phase = code === 'session_ended' ? 'ended' : 'error';
		this.#resetRecording();
		void this.#client?.leave();
		this.#client = undefined;
		this.#emit('luwte-error', { code, message: err instanceof Error ? err.message : String(err) });
	}

	#onTrack(t: RemoteTrack): void {
		this.#upsert(t.participantId, t.role);
		if (t.kind === 'audio') {
			this.#patch(t.participantId, { audio: t.track, audioPaused: t.paused });
			this.#detectors.get(t.participantId)?.stop();
			try {
				this.#detectors.set(
					t.participantId,
					new SpeakingDetector(t.track, (speaking) => this.#patch(t.participantId, { speaking })),
				);
			} catch {
				// No Web Audio: the indicator stays off, the sound still plays.
			}
		} else if (t.source === 'camera') {
			this.#patch(t.participantId, { video: t.track, videoPaused: t.paused });
		} else {
			this.#patch(t.participantId, { screen: t.track });
		}
	}

	#upsert(participantId: string, role: Role): void {
		if (this._members.has(participantId)) return;
		const next = new Map(this._members);
		next.set(participantId, {
			participantId,
			role,
			order: this.#order++,
			video: undefined,
			screen: undefined,
			audio: undefined,
			videoPaused: false,
			audioPaused: false,
			speaking: false,
		});
		this._members = next;
	}

	#patch(participantId: string, patch: Partial<Member>): void {
		const m = this._members.get(participantId);
		if (!m) return;
		const next = new Map(this._members);
		next.set(participantId, { ...m, ...patch });
		this._members = next;
	}

	#removeMember(participantId: string): void {
		this.#detectors.get(participantId)?.stop();
		this.#detectors.delete(participantId);
		const next = new Map(this._members);
		next.delete(participantId);
		this._members = next;
	}

	#stopLocal(): void {
		for (const tr of this.#local?.getTracks() ?? []) tr.stop();
		this.#local = undefined;
	}

	#stopDetectors(): void {
		for (const d of this.#detectors.values()) d.stop();
		this.#detectors.clear();
	}

	#streamOf(track: MediaStreamTrack): MediaStream {
		let s = this.#streams.get(track);
		if (!s) {
			s = new MediaStream([track]);
			this.#streams.set(track, s);
		}
		return s;
	}

	#streamById(id: string): MediaStream | undefined {
		if (id === 'self') return this.#local;
		for (const m of this._members.values()) {
			if (m.video?.id === id) return this.#streamOf(m.video);
			if (m.screen?.id === id) return this.#streamOf(m.screen);
			if (m.audio?.id === id) return this.#streamOf(m.audio);
		}
		return undefined;
	}

	async #toggleMic(): Promise<void> {
		this._micOn = !this._micOn;
		for (const tr of this.#local?.getAudioTracks() ?? []) tr.enabled = this._micOn;
		await (this._micOn ? this.#client?.unmute('microphone') : this.#client?.mute('microphone'));
	}

	async #toggleCam(): Promise<void> {
		this._camOn = !this._camOn;
		for (const tr of this.#local?.getVideoTracks() ?? []) tr.enabled = this._camOn;
		await (this._camOn ? this.#client?.unmute('camera') : this.#client?.mute('camera'));
	}

	/** Host: shares a screen; with no track given, asks the browser which screen or window. */
	async shareScreen(track?: MediaStreamTrack): Promise<void> {
		const client = this.#client;
		if (!client || this._sharing) return;
		let screen = track;
		if (!screen) {
			try {
				screen = (await navigator.mediaDevices.getDisplayMedia({ video: { frameRate: { max: 15 } }, audio: false })).getVideoTracks()[0];
			} catch {
				return; // The person chose not to share.
			}
		}
		if (!screen) return;
		screen.addEventListener('ended', () => void this.stopScreenShare());
		await client.shareScreen(screen);
		this._sharing = true;
	}

	async stopScreenShare(): Promise<void> {
		if (!this._sharing) return;
		this._sharing = false;
		await this.#client?.stopScreenShare();
	}

	async #endSession(): Promise<void> {
		if (!this._confirmEnd) {
			// Two steps, so a slip of the hand does not end the activity for everyone.
			this._confirmEnd = true;
			setTimeout(() => (this._confirmEnd = false), 6000);
			return;
		}
		this._confirmEnd = false;
		await this.#client?.endSession();
	}

	#onRecordingChanged(next: RecordingState): void {
		const prev = this._recording;
		if (sameRecording(prev, next)) return; // Repeats change nothing, so nothing is announced twice.
		if (prev.active !== next.active) {
			this._confirmConsent = false;
			this.#cancelStopConfirm();
			if (!next.active) this._message = this.#t.recordingStopped;
			else if (this.#isRecordingNotice(this._message)) this._message = '';
		}
		this._recording = next;
	}

	#resetRecording(): void {
		this._recording = NOT_RECORDING;
		this._confirmConsent = false;
		this.#cancelStopConfirm();
	}

	#isRecordingNotice(message: string): boolean {
		const t = this.#t;
		return ([t.recordingStopped, t.recordingUnavailable, t.recordingNoModule, t.recordingFailed] as string[]).includes(message);
	}

	#recordingError(err: unknown): void {
		const code = err instanceof SignalError ? err.code : 'internal';
		// A conflict means someone else was quicker (another host started or stopped it): the
		// indicator already shows how things are.
		if (code === 'conflict') return;
		const t = this.#t;
		// startRecording takes no parameters: invalid_params there means the session has no module.
		this._message = code === 'unavailable' ? t.recordingUnavailable : code === 'invalid_params' ? t.recordingNoModule : t.recordingFailed;
	}

	#cancelStopConfirm(): void {
		clearTimeout(this.#stopRecordingTimer);
		this._confirmStopRecording = false;
	}

	/** Host: starts the recording, or stops it in two steps. */
	async #toggleRecording(): Promise<void> {
		const client = this.#client;
		if (!client || this.#recordingBusy) return;
		const stopping = this._recording.active;
		if (stopping && !this._confirmStopRecording) {
			// Two steps, as for ending the activity: a slip of the hand must not end the recording.
			this._confirmStopRecording = true;
			this.#stopRecordingTimer = setTimeout(() => (this._confirmStopRecording = false), 6000);
			return;
		}
		this.#cancelStopConfirm();
		this.#recordingBusy = true;
		try {
			await (stopping ? client.stopRecording() : client.startRecording());
		} catch (err) {
			this.#recordingError(err);
		} finally {
			this.#recordingBusy = false;
		}
	}

	/** Client: leaving the recording is one step; joining it asks once more. */
	async #toggleOwnConsent(): Promise<void> {
		if (this._recording.consent) {
			await this.#setConsent(false);
			return;
		}
		this._confirmConsent = true;
		await this.updateComplete;
		this.renderRoot.querySelector<HTMLElement>('.consent-confirm')?.focus();
	}

	async #answerConsent(yes: boolean): Promise<void> {
		this._confirmConsent = false;
		await this.updateComplete;
		this.renderRoot.querySelector<HTMLElement>('button.consent')?.focus();
		if (yes) await this.#setConsent(true);
	}

	/** Own consent (no participantId), or a host registering someone's consent given aloud. */
	async #setConsent(consent: boolean, participantId?: string): Promise<void> {
		const client = this.#client;
		if (!client) return;
		try {
			await client.setRecordingConsent(consent, participantId);
		} catch (err) {
			this.#recordingError(err);
		}
	}

	#emit(name: string, detail: unknown): void {
		this.dispatchEvent(new CustomEvent(name, { detail, bubbles: true, composed: true }));
	}

	#label(m: Member, index: number): string {
		const t = this.#t;
		if (m.role === 'host') return t.leader;
		if (m.role === 'location') return t.location;
		return `${t.participant} ${index + 1}`;
	}

	override render(): TemplateResult {
		const t = this.#t;
		return html`
			<section class="frame" aria-label=${t.sessionLabel} lang=${this.lang === 'en' ? 'en' : 'nl'}>
				${this._phase === 'preview' || this._phase === 'joining' ? this.#renderPreview() : nothing}
				${this._phase === 'joined' || this._phase === 'reconnecting' ? this.#renderRoom() : nothing}
				<p class="message" part="message" role="status" aria-live="polite">${this._message}</p>
			</section>
		`;
	}

	#renderPreview(): TemplateResult {
		const t = this.#t;
		const viewer = this.#role === 'viewer';
		return html`
			<div class="preview">
				<h2>${t.previewTitle}</h2>
				${viewer
					? html`<p>${t.viewerIntro}</p>`
					: html`
							<div class="tile self-preview" part="tile">
								${this._hasCam ? html`<video data-track="self" autoplay playsinline muted aria-hidden="true"></video>` : html`<span class="placeholder">${t.noVideo}</span>`}
							</div>
							<ul class="checks">
								<li>${this._hasCam ? t.cameraOk : t.cameraMissing}</li>
								<li>${this._hasMic ? t.micOk : t.micMissing}</li>
							</ul>
						`}
				<button class="join" part="button join" ?disabled=${!this._previewReady || this._phase === 'joining'} @click=${() => this.join()}>
					${t.join}
				</button>
			</div>
		`;
	}

	#renderRoom(): TemplateResult {
		const t = this.#t;
		const role = this.#role;
		const members = [...this._members.values()].sort((a, b) => a.order - b.order);
		// Clients and viewers see the leader big and fixed; hosts and rooms see everyone big.
		const spotlit = this._spotlight ? members.find((m) => m.participantId === this._spotlight) : undefined;
		const stageMember =
			role === 'participant' || role === 'viewer' ? (members.find((m) => m.screen) ?? spotlit ?? members.find((m) => m.role === 'host')) : undefined;
		// A shared screen takes the stage; its sharer's camera then stays visible in the grid.
		const gridMembers = members.filter((m) => m !== stageMember || m.screen !== undefined);
		const participantIndex = new Map(members.filter((m) => m.role === 'participant').map((m, i) => [m.participantId, i]));
		const publishing = role !== 'viewer';
		return html`
			<div class="room ${stageMember || role === 'participant' || role === 'viewer' ? 'with-stage' : 'grid-only'}">
				${this.#renderRecordingIndicator()}
				${role === 'participant' || role === 'viewer'
					? html`<div class="stage" part="stage" aria-label=${t.stage} role="region">
							${stageMember
								? this.#renderTile(stageMember, stageMember.screen ? t.screen : this.#label(stageMember, participantIndex.get(stageMember.participantId) ?? 0), true)
								: html`<div class="tile waiting" part="tile"><span class="placeholder">${t.waitingForLeader}</span></div>`}
						</div>`
					: nothing}
				<ul class="grid" part="grid" aria-label=${t.grid}>
					${publishing && !this.hideSelfView
						? html`<li class="tile self" part="tile">
								${this._camOn && this._hasCam ? html`<video data-track="self" autoplay playsinline muted aria-hidden="true"></video>` : html`<span class="placeholder">${t.noVideo}</span>`}
								<span class="name">${t.you}${this._micOn ? '' : html` · ${t.muted}`}</span>
							</li>`
						: nothing}
					${gridMembers.map((m) => {
						const label = this.#label(m, participantIndex.get(m.participantId) ?? 0);
						return html`<li class="cell">${this.#renderTile(m, label, false)}${role === 'host' && m.role !== 'host' ? this.#renderHostActions(m, label) : nothing}</li>`;
					})}
				</ul>
				${members.filter((m) => m.audio).map((m) => html`<audio data-track=${m.audio!.id} autoplay></audio>`)}
				<div class="controls" part="controls" role="toolbar" aria-label=${t.controls}>
							${publishing
								? html`
										<button part="button" aria-pressed=${String(!this._micOn)} @click=${() => this.#toggleMic()}>${this._micOn ? t.micOff : t.micOn}</button>
										<button part="button" aria-pressed=${String(!this._camOn)} ?disabled=${!this._hasCam} @click=${() => this.#toggleCam()}>
											${this._camOn ? t.camOff : t.camOn}
										</button>
										<button part="button" aria-pressed=${String(this.hideSelfView)} @click=${() => (this.hideSelfView = !this.hideSelfView)}>
											${this.hideSelfView ? t.selfViewShow : t.selfViewHide}
										</button>
									`
								: nothing}
							${role === 'host'
								? html`
										<button part="button" aria-pressed=${String(this._sharing)} @click=${() => (this._sharing ? this.stopScreenShare() : this.shareScreen())}>
											${this._sharing ? t.stopShare : t.shareScreen}
										</button>
										<button part="button record" class="record" @click=${() => this.#toggleRecording()}>
											${this._recording.active ? (this._confirmStopRecording ? t.recordStopConfirm : t.recordStop) : t.recordStart}
										</button>
										<button part="button end" class="end" @click=${() => this.#endSession()}>${this._confirmEnd ? t.endConfirm : t.endSession}</button>
									`
								: nothing}
							<button part="button leave" class="leave" @click=${() => this.leave()}>${t.leave}</button>
				</div>
				${this.#renderRecordingPanel(members, participantIndex)}
			</div>
		`;
	}

	/**
	 * Always in the room, empty when nothing is recorded: its space is reserved (a hidden copy of
	 * the longest text sizes it), so the tiles never move when a recording starts or stops. The
	 * live region changes only when the state does, so a screen reader hears it once.
	 */
	#renderRecordingIndicator(): TemplateResult {
		const t = this.#t;
		const r = this._recording;
		return html`<div class="rec ${r.active ? 'on' : ''}" part="recording">
			<span class="rec-dot" aria-hidden="true"></span>
			<div class="rec-stack">
				<div class="rec-sizer" aria-hidden="true">
					<span class="rec-title">${t.recordingActive}</span>
					<span class="rec-alts"><span>${t.recordingYouIn}</span><span>${t.recordingYouOut}</span></span>
				</div>
				<div class="rec-text" role="status" aria-live="polite" aria-atomic="true">
					${r.active ? html`<span class="rec-title">${t.recordingActive}</span> <span>${r.you ? t.recordingYouIn : t.recordingYouOut}</span>` : nothing}
				</div>
			</div>
		</div>`;
	}

	#renderRecordingPanel(members: Member[], participantIndex: Map<string, number>): TemplateResult | typeof nothing {
		const t = this.#t;
		const r = this._recording;
		const role = this.#role;
		if (!r.active || role === undefined || role === 'viewer') return nothing;
		if (role !== 'host') {
			return html`<section class="rec-panel" part="recording-panel" aria-label=${t.recordingPanel}>
				${this._confirmConsent
					? html`<div
							class="consent-confirm"
							role="group"
							aria-labelledby="consent-question"
							tabindex="-1"
							@keydown=${(e: KeyboardEvent) => e.key === 'Escape' && this.#answerConsent(false)}
						>
							<p id="consent-question">${t.consentQuestion}</p>
							<div class="confirm-buttons">
								<button part="button" @click=${() => this.#answerConsent(true)}>${t.consentYes}</button>
								<button part="button" @click=${() => this.#answerConsent(false)}>${t.consentNo}</button>
							</div>
						</div>`
					: html`<button part="button consent" class="consent" @click=${() => this.#toggleOwnConsent()}>
							${r.consent ? t.consentWithdraw : t.consentGive}
						</button>`}
			</section>`;
		}
		// Names as on the tiles (never the pseudonymous IDs), in the order of the tiles.
		const self = this.#client?.participantId;
		const recorded = new Set(r.recorded);
		const names = [
			...(self && recorded.has(self) ? [t.you] : []),
			...members.filter((m) => recorded.has(m.participantId)).map((m) => this.#label(m, participantIndex.get(m.participantId) ?? 0)),
		];
		const asking = members.filter((m) => m.role === 'participant' || m.role === 'location');
		return html`<section class="rec-panel" part="recording-panel" aria-label=${t.recordingPanel}>
			<p class="rec-heading" id="recorded-heading">${t.recordedList}</p>
			${names.length
				? html`<ul class="rec-list" aria-labelledby="recorded-heading">
						${names.map((n) => html`<li>${n}</li>`)}
					</ul>`
				: html`<p class="rec-none">${t.recordedNobody}</p>`}
			${asking.length
				? html`<p class="rec-heading" id="consent-heading">${t.consentList}</p>
						<ul class="consent-list" aria-labelledby="consent-heading">
							${asking.map((m) => {
								const label = this.#label(m, participantIndex.get(m.participantId) ?? 0);
								const given = this._recording.consented.includes(m.participantId);
								const action = given ? t.consentRevoke : t.consentRegister;
								return html`<li>
									<span>${label} · ${given ? t.consentGiven : t.consentNone}</span>
									<button part="button" aria-label="${label}: ${action}" @click=${() => this.#setConsent(!given, m.participantId)}>${action}</button>
								</li>`;
							})}
						</ul>`
				: nothing}
		</section>`;
	}

	#renderTile(m: Member, label: string, big: boolean): TemplateResult {
		const t = this.#t;
		const track = big && m.screen ? m.screen : m.video && !m.videoPaused ? m.video : undefined;
		const status = m.audioPaused ? t.muted : m.speaking ? t.speaking : this._spotlight === m.participantId ? t.inSpotlight : '';
		return html`
			<div class="tile ${big ? 'big' : ''} ${m.speaking && !m.audioPaused ? 'speaking' : ''}" part="tile" data-participant=${m.participantId}>
				${track ? html`<video data-track=${track.id} autoplay playsinline muted aria-label=${label}></video>` : html`<span class="placeholder">${t.noVideo}</span>`}
				<span class="name">${label}${status ? html` · ${status}` : ''}</span>
			</div>
		`;
	}

	#renderHostActions(m: Member, label: string): TemplateResult {
		const t = this.#t;
		const spotlit = this._spotlight === m.participantId;
		return html`<div class="tile-actions">
			<button part="button" aria-label="${label}: ${t.muteOther}" ?disabled=${m.audioPaused || !m.audio} @click=${() => this.#client?.muteParticipant(m.participantId)}>
				${t.muteOther}
			</button>
			<button part="button" aria-pressed=${String(spotlit)} aria-label="${label}: ${spotlit ? t.spotlightOff : t.spotlightOn}" @click=${() => this.#client?.setSpotlight(spotlit ? null : m.participantId)}>
				${spotlit ? t.spotlightOff : t.spotlightOn}
			</button>
		</div>`;
	}

	static override styles = css`
		:host {
			--_bg: var(--luwte-bg, #14191f);
			--_fg: var(--luwte-fg, #f4f1ea);
			--_surface: var(--luwte-surface, #232b35);
			--_accent: var(--luwte-accent, #ffd166);
			--_button-bg: var(--luwte-button-bg, #f4f1ea);
			--_button-fg: var(--luwte-button-fg, #14191f);
			--_radius: var(--luwte-radius, 12px);
			--_rec: var(--luwte-recording, #f06a6a);
			display: block;
			container-type: inline-size;
			background: var(--_bg);
			color: var(--_fg);
			font-family: var(--luwte-font-family, system-ui, sans-serif);
			font-size: var(--luwte-font-size, 1.25rem);
			line-height: 1.4;
			border-radius: var(--_radius);
		}
		.frame {
			padding: 1rem;
		}
		h2 {
			font-size: 1.5em;
			margin: 0 0 0.75rem;
		}
		.preview {
			display: grid;
			gap: 1rem;
			justify-items: start;
		}
		.checks {
			margin: 0;
			padding-left: 1.2em;
		}
		button {
			min-height: 56px;
			min-width: 56px;
			padding: 0.5rem 1.25rem;
			border: 2px solid var(--_button-bg);
			border-radius: var(--_radius);
			background: var(--_button-bg);
			color: var(--_button-fg);
			font: inherit;
			font-weight: 600;
			cursor: pointer;
		}
		button[aria-pressed='true'] {
			background: var(--_surface);
			color: var(--_fg);
		}
		button:disabled {
			cursor: not-allowed;
			opacity: 0.75;
		}
		button:focus-visible {
			outline: 4px solid var(--_accent);
			outline-offset: 3px;
		}
		.join {
			font-size: 1.4em;
			min-height: 72px;
			padding: 0.75rem 2.5rem;
		}
		.room {
			display: grid;
			gap: 1rem;
		}
		.stage .tile {
			width: 100%;
		}
		.grid {
			list-style: none;
			margin: 0;
			padding: 0;
			display: grid;
			/* Column count depends only on the width: a tile keeps its place and size. */
			grid-template-columns: repeat(auto-fill, minmax(200px, 1fr));
			gap: 0.75rem;
		}
		.grid-only .grid {
			grid-template-columns: repeat(auto-fill, minmax(320px, 1fr));
		}
		.cell {
			display: block;
		}
		.tile {
			position: relative;
			aspect-ratio: 16 / 9;
			background: var(--_surface);
			border-radius: var(--_radius);
			overflow: hidden;
			display: grid;
			place-items: center;
			/* The speaking ring is always there, only its colour changes: no layout shift. */
			outline: 4px solid transparent;
			outline-offset: -4px;
		}
		.tile.speaking {
			outline-color: var(--_accent);
		}
		.self-preview {
			width: min(100%, 480px);
		}
		video {
			width: 100%;
			height: 100%;
			object-fit: cover;
			animation: fade-in 250ms ease-out;
		}
		.self video,
		.self-preview video {
			transform: scaleX(-1);
		}
		.placeholder {
			padding: 1rem;
			text-align: center;
		}
		.name {
			position: absolute;
			left: 0.5rem;
			bottom: 0.5rem;
			padding: 0.15rem 0.6rem;
			border-radius: 8px;
			background: rgb(20 25 31 / 0.85);
			color: #f4f1ea;
			font-size: 0.9em;
		}
		.controls {
			display: flex;
			flex-wrap: wrap;
			gap: 0.75rem;
		}
		.leave {
			margin-left: auto;
		}
		.tile-actions {
			display: flex;
			flex-wrap: wrap;
			gap: 0.5rem;
			margin-top: 0.5rem;
		}
		.tile-actions button {
			font-size: 0.85em;
			min-height: 48px;
			padding: 0.25rem 0.75rem;
		}
		/* The recording indicator: steady, never animated; its border and text space are always there. */
		.rec {
			display: grid;
			grid-template-columns: auto 1fr;
			align-items: center;
			gap: 0.75rem;
			padding: 0.5rem 1rem;
			border: 2px solid transparent;
			border-radius: var(--_radius);
		}
		.rec.on {
			border-color: var(--_rec);
			background: var(--_surface);
		}
		.rec-dot {
			width: 1em;
			height: 1em;
			border-radius: 50%;
			background: var(--_rec);
			visibility: hidden;
		}
		.rec.on .rec-dot {
			visibility: visible;
		}
		.rec-stack span {
			display: block;
		}
		/* Stacked in one cell: the hidden copy of the longest text holds the space for the live one. */
		.rec-stack,
		.rec-stack .rec-alts {
			display: grid;
		}
		.rec-stack > *,
		.rec-alts > * {
			grid-area: 1 / 1;
		}
		.rec-sizer {
			visibility: hidden;
		}
		.rec-title {
			font-weight: 700;
		}
		.rec-panel {
			display: grid;
			gap: 0.5rem;
			justify-items: start;
			padding: 0.75rem 1rem;
			background: var(--_surface);
			border-radius: var(--_radius);
		}
		.rec-panel p {
			margin: 0;
		}
		.rec-heading {
			font-weight: 700;
		}
		.rec-list,
		.consent-list {
			margin: 0;
			padding-left: 1.2em;
		}
		.consent-list {
			list-style: none;
			padding: 0;
			display: grid;
			gap: 0.5rem;
		}
		.consent-list li {
			display: flex;
			flex-wrap: wrap;
			align-items: center;
			gap: 0.5rem 1rem;
		}
		.consent-list button {
			font-size: 0.85em;
			min-height: 48px;
			padding: 0.25rem 0.75rem;
		}
		.consent {
			font-size: 1.1em;
			min-height: 64px;
		}
		.consent-confirm {
			display: grid;
			gap: 0.75rem;
			padding: 0.5rem;
			border-radius: var(--_radius);
		}
		.consent-confirm:focus-visible {
			outline: 4px solid var(--_accent);
			outline-offset: 3px;
		}
		.confirm-buttons {
			display: flex;
			flex-wrap: wrap;
			gap: 0.75rem;
		}
		.message {
			min-height: 1.4em;
			margin: 0.75rem 0 0;
		}
		@keyframes fade-in {
			from {
				opacity: 0;
			}
			to {
				opacity: 1;
			}
		}
		@media (prefers-reduced-motion: reduce) {
			video {
				animation: none;
			}
		}
	`;
}

if (!customElements.get('luwte-session')) customElements.define('luwte-session', LuwteSession);

declare global {
	interface HTMLElementTagNameMap {
		'luwte-session': LuwteSession;
	}
}
