import { html, LitElement, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { SessionClient, SignalError, type ReconnectPolicy } from '../client/index.ts';
import type { Role } from '../protocol/index.ts';
import { dispatchLuwteEvent } from './events.ts';
import { textsFor, type Texts } from './i18n.ts';
import { LargeText } from './large-text.ts';
import { calmProfileOfToken, roleOfToken } from './session/join-token.ts';
import type { ControlsActions } from './session/controls-view.ts';
import { ActivityStates } from './session/lifecycle-ui.ts';
import { LocalMedia } from './session/local-media.ts';
import { MediaBinding } from './session/media-binding.ts';
import { Pins } from './session/pins.ts';
import { pinStyles } from './session/pins-view.ts';
import { beforeRoom, inRoom, isFinal, type SessionPhase } from './session/phase.ts';
import { preview } from './session/preview-view.ts';
import { RecordingUi } from './session/recording-ui.ts';
import { RoomFeed } from './session/room-feed.ts';
import { room } from './session/room-view.ts';
import { ScreenShare } from './session/screen-share.ts';
import { sessionStyles } from './session/styles.ts';
import { baseStyles } from './shared-styles.ts';
import type { HostActions } from './session/tile-view.ts';
import { TwoStepConfirm } from './session/two-step-confirm.ts';
import { tileVolumeStyles } from './session/tile-volume.ts';
import { VoiceLevelling, type VoiceLevellingMode, type VoiceOutputLevel } from './session/voice-levelling.ts';

export type { SessionPhase } from './session/phase.ts';

/**
 * `<luwte-session server="https://…" token="…">`: a calm live session for a care provider's
 * website. Camera and microphone check first, one large "Meedoen" button, then the leader big
 * and fixed, the others in a stable grid. Dutch by default (`lang="en"` for English). After a
 * lost connection it rejoins by itself (the `SessionClient`'s reconnect policy) and says so.
 *
 * The token may come later than the element (a page fetches it from its backend): a press on
 * "Meedoen" before it waits for it ("Even geduld, de uitnodiging wordt geladen…") and joins as soon
 * as it is set. Too early for the activity, it says when it begins and joins by itself when the
 * join window opens. An activity that is over, cancelled or gone gets a clear final state.
 *
 * While the session is recorded everyone sees a steady indicator (space reserved, so nothing
 * moves); clients can join or leave the recording themselves, hosts start and stop it, see who
 * is in it and register consent given aloud.
 *
 * A calm screen: with `prefers-reduced-motion: reduce` nothing moves at all; a "Grote letters"
 * toggle (or the page's `large-text`) makes all text and controls larger, remembered on this
 * device; clients and viewers can pin up to two more people (an interpreter) large beside the
 * stage, in places that are always reserved, so nothing moves when they do.
 *
 * @fires luwte-joined - In the session; detail `{ participantId, role, peers }` (those already there).
 * @fires luwte-participant-joined - Someone this person may know of came (never a viewer); detail `{ participantId, role }`.
 * @fires luwte-participant-left - Someone the page was told of left; detail `{ participantId, role }`.
 * @fires luwte-reconnecting - The connection was lost, trying again; detail `{ attempt, delayMs, reason, code? }`.
 * @fires luwte-reconnected - Back in; detail `{ attempt, participantId, role, peers }`, then who came or went meanwhile.
 * @fires luwte-recording-changed - Recording started/stopped, consent or who is recorded changed; detail the state and `changed`.
 * @fires luwte-audience-changed - Hosts only: how many viewers watch; detail `{ viewers }`.
 * @fires luwte-device-problem - A camera or microphone cannot be used; detail `{ device, problem, during, error? }`.
 * @fires luwte-left - Out of the session; detail `{ reason }`: `left`, `ended` (by the leader) or `replaced` (another window).
 * @fires luwte-not-started - Too early; detail `{ startsAt, opensAt }` (ISO 8601). The element waits and joins by itself at `opensAt`.
 * @fires luwte-ending - The activity stops soon (past its planned end); detail `{ endsAt, reason: 'overdue', minutes }`.
 * @fires luwte-ended - The activity is over (final); detail `{ reason }`: `ended`, `idle`, `overdue` or `engine-closed`.
 * @fires luwte-cancelled - The activity will not take place (final).
 * @fires luwte-gone - The activity no longer exists (final).
 * @fires luwte-error - Could not join or stay; detail `{ code, message }`. The element shows the reason in plain words.
 * @csspart stage - The leader's (or the shared screen's) big tile, for clients and viewers.
 * @csspart grid - The grid of tiles.
 * @csspart tile - One person's video or placeholder.
 * @csspart controls - The toolbar.
 * @csspart button - Every button; some also carry `join`, `record`, `end`, `leave`, `consent`, `pin` or `large-text`.
 * @csspart message - The status line (joining, reconnecting, goodbye, errors).
 * @csspart recording - The recording indicator (its space is always reserved).
 * @csspart audience - Hosts: how many viewers watch ("5 kijkers"); viewers never get tiles.
 * @csspart recording-panel - Own consent (clients) or who is recorded (hosts).
 * @csspart volume - The listener's volume for one person, under their tile ("Zachter", "Harder").
 * @cssprop [--luwte-bg=#14191f] - Background.
 * @cssprop [--luwte-fg=#f4f1ea] - Text.
 * @cssprop [--luwte-surface=#232b35] - Tiles and panels.
 * @cssprop [--luwte-accent=#ffd166] - Focus ring and speaking outline.
 * @cssprop [--luwte-button-bg=#f4f1ea] - Button background.
 * @cssprop [--luwte-button-fg=#14191f] - Button text.
 * @cssprop [--luwte-radius=12px] - Corner radius.
 * @cssprop [--luwte-font-family=system-ui, sans-serif] - Font.
 * @cssprop [--luwte-font-size=1.25rem] - Base font size.
 * @cssprop [--luwte-recording=#f06a6a] - The recording indicator.
 */
export class LuwteSession extends LitElement {
	static override properties = {
		server: { type: String },
		token: { type: String },
		lang: { type: String },
		hideSelfView: { type: Boolean, attribute: 'hide-self-view', reflect: true },
		largeText: { type: Boolean, attribute: 'large-text', reflect: true },
		voiceLevelling: { attribute: 'voice-levelling', noAccessor: true },
		_phase: { state: true },
		_message: { state: true },
		_spotlight: { state: true },
	};

	static override styles = [baseStyles, sessionStyles, pinStyles, tileVolumeStyles];

	declare server: string;
	declare token: string;
	declare lang: string;
	declare hideSelfView: boolean;
	/** All text and controls larger (the viewer's own toggle; their last choice on this device wins over the page's). */
	declare largeText: boolean;
	/** When to rejoin after a lost connection (JavaScript only); the client's default backoff if unset. */
	reconnectPolicy: ReconnectPolicy | undefined;
	declare _phase: SessionPhase;
	declare _message: string;
	declare _spotlight: string | null;

	#client: SessionClient | undefined;
	#leaving = false;
	/** "Meedoen" was pressed before the page set the token: join when it comes. */
	#joinQueued = false;
	/** A try to get in is under way (a wait's retry must not start a second one). */
	#attempting = false;
	readonly #local = new LocalMedia(this, (p) => this.#room.events.deviceProblem(p, inRoom(this._phase) ? 'session' : 'check'));
	readonly #room = new RoomFeed(this, { recording: () => this.#recording, spotlight: (id) => (this._spotlight = id) });
	readonly #endConfirm = new TwoStepConfirm(this);
	readonly #recording = new RecordingUi(this, {
		texts: () => this.#t,
		client: () => this.#client,
		message: { get: () => this._message, set: (m) => (this._message = m) },
	});
	readonly #states = new ActivityStates(this, {
		texts: () => this.#t,
		lang: () => this.lang,
		message: { get: () => this._message, set: (m) => (this._message = m) },
		out: (phase, message) => this.#out(phase, message),
		close: () => {
			this.#leaving = true;
			void this.#client?.leave();
			this.#client = undefined;
			this.#local.stop();
		},
		retry: () => void this.#attempt(),
	});
	readonly #screen = new ScreenShare(this, () => this.#client);
	readonly #largeText = new LargeText(this);
	readonly #pins = new Pins(this, {
		limitText: () => this.#t.pinLimit,
		message: { get: () => this._message, set: (m) => (this._message = m) },
	});
	readonly #voices = new VoiceLevelling(this, {
		calm: () => calmProfileOfToken(this.token),
		members: () => this.#room.roster.members,
	});

	constructor() {
		super();
		this.server = '';
		this.token = '';
		this.lang = 'nl';
		this.hideSelfView = false;
		this.largeText = false;
		this._phase = 'preview';
		this._message = '';
		this._spotlight = null;
		new MediaBinding(this, (id) => (id === 'self' ? this.#local.stream : this.#room.roster.streamById(id)));
	}

	/** The current phase: preview, joining, waiting, joined, reconnecting, or final: left, ended, cancelled, gone, error. */
	get phase(): SessionPhase {
		return this._phase;
	}

	/** `voice-levelling`: `auto` (on for the calm stimulus profile), `on` or `off` (the sound as sent). */
	get voiceLevelling(): VoiceLevellingMode {
		return this.#voices.mode;
	}
	set voiceLevelling(mode: VoiceLevellingMode) {
		this.#voices.mode = mode;
	}

	/** Incoming voices go through the levelling now (wanted, and the browser lets sound start). */
	get voiceLevellingActive(): boolean {
		return this.#voices.active;
	}

	get #t(): Texts {
		return textsFor(this.lang);
	}

	get #role(): Role | undefined {
		return this.#client?.role ?? roleOfToken(this.token);
	}

	override connectedCallback(): void {
		// Moved on the page while waiting for the start: the wait carries on (its controller retries).
		if (this._phase === 'waiting') this.#leaving = false;
		super.connectedCallback();
		void this.#checkDevices();
	}

	override disconnectedCallback(): void {
		// The controllers stop the camera, the microphone, the detectors, the waits and the confirm timers.
		super.disconnectedCallback();
		this.#leaving = true;
		this.#joinQueued = false;
		void this.#client?.leave();
	}

	protected override willUpdate(changed: PropertyValues): void {
		super.willUpdate(changed);
		if (changed.has('token') && this.token) this.#tokenSet();
	}

	/** The camera and microphone check, once the first update has the token (its role) a page set early. */
	async #checkDevices(): Promise<void> {
		await this.updateComplete;
		if (this.isConnected && this._phase === 'preview') await this.#local.start(this.#role !== 'viewer');
	}

	#tokenSet(): void {
		// A viewer's token came after the check had started: nobody sees them, so release the camera.
		if (roleOfToken(this.token) === 'viewer' && (this._phase === 'preview' || this._phase === 'joining')) this.#local.stop();
		if (this.#joinQueued) {
			this.#joinQueued = false;
			queueMicrotask(() => void this.#attempt());
		} else if (this._phase === 'error') {
			// A new invitation after a refused one: start afresh.
			this._phase = 'preview';
			this._message = '';
		}
	}

	/** Joins the session (what the "Meedoen" button does); without a token yet, as soon as the page sets it. */
	async join(): Promise<void> {
		if (this._phase !== 'preview' && this._phase !== 'error') return;
		this.#voices.unlock(); // the join click is the gesture that lets sound start
		this.#leaving = false;
		if (!this.token) {
			this._phase = 'joining';
			this._message = this.#t.invitationLoading;
			this.#joinQueued = true;
			return;
		}
		await this.#attempt();
	}

	/** One try to get in; while waiting for the activity to start, quietly (the waiting text stays). */
	async #attempt(): Promise<void> {
		if (this.#leaving || this.#attempting) return;
		this.#attempting = true;
		if (this._phase !== 'waiting') {
			this._phase = 'joining';
			this._message = this.#t.joining;
		}
		try {
			await this.#local.whenReady();
			const joined = await this.#connect();
			this.#states.reset();
			this._phase = 'joined';
			this._message = '';
			this.#room.events.joined(joined, this.#client);
		} catch (err) {
			this.#fail(err);
		} finally {
			this.#attempting = false;
		}
	}

	/** Leaves the session. */
	async leave(): Promise<void> {
		this.#leaving = true;
		this.#joinQueued = false;
		this.#states.reset();
		await this.#client?.leave();
		this.#client = undefined;
		this.#local.stop();
		this.#out('left', this.#t.left);
		dispatchLuwteEvent(this, 'luwte-left', { reason: 'left' });
	}

	/** Each remote voice's level as this person hears it now, in dBFS (diagnostics and tests). */
	outputLevels(): VoiceOutputLevel[] {
		return this.#voices.levels();
	}

	/** WebRTC statistics of everything received (for diagnostics and tests). */
	async receiveStats(): Promise<RTCStatsReport | undefined> {
		return this.#client?.receiveStats();
	}

	/** Host: shares a screen; with no track given, asks the browser which screen or window. */
	shareScreen(track?: MediaStreamTrack): Promise<void> {
		return this.#screen.start(track);
	}

	stopScreenShare(): Promise<void> {
		return this.#screen.stop();
	}

	async #connect(): Promise<Awaited<ReturnType<SessionClient['connect']>>> {
		const client = new SessionClient({ server: this.server, reconnect: this.reconnectPolicy ?? true });
		this.#client = client;
		const mine = () => client === this.#client && !this.#leaving;
		const events = this.#room.events;
		this.#room.follow(client, mine);
		client.on('mutedByHost', ({ source }) => {
			if (source === 'camera') {
				this.#local.setCam(false);
				return;
			}
			this.#local.setMic(false);
			this._message = this.#t.mutedByHost;
		});
		client.on('sessionEnding', ({ endsAt, reason }) => mine() && this.#states.ending(endsAt, reason));
		client.on('sessionEnded', ({ reason }) => {
			if (!mine()) return;
			dispatchLuwteEvent(this, 'luwte-left', { reason: 'ended' });
			this.#states.ended(reason);
		});
		// Reconnecting is the client's: the element only says how it goes.
		client.on('reconnecting', ({ attempt, delayMs, reason, error }) => {
			if (!mine()) return;
			this.#room.roster.clear();
			this._phase = 'reconnecting';
			this._message = this.#states.rejoining(reason, error);
			events.reconnecting({ attempt, delayMs, reason, code: error?.code });
		});
		client.on('reconnected', (back) => {
			if (!mine()) return;
			this.#room.enter(client, back.peers);
			this._phase = 'joined';
			this._message = '';
			events.reconnected(back, client);
		});
		client.on('disconnected', ({ reason, error }) => {
			if (!mine()) return;
			if (reason === 'replaced') this.#replaced();
			else this.#fail(error ?? new SignalError('unavailable', reason));
		});
		const joined = await client.connect(this.token);
		this.#room.enter(client, joined.peers);
		if (joined.role !== 'viewer') await this.#local.publish(client);
		return joined;
	}

	/** Out of the room: nobody shown, nothing recorded as far as this person can see. */
	#out(phase: SessionPhase, message: string): void {
		this.#room.events.reset();
		this.#room.roster.clear();
		this.#recording.reset();
		this.#room.audience.reset();
		this._phase = phase;
		this._message = message;
	}

	#replaced(): void {
		this.#leaving = true;
		this.#client = undefined;
		this.#local.stop();
		this.#out('left', this.#t.replaced);
		dispatchLuwteEvent(this, 'luwte-left', { reason: 'replaced' });
	}

	#fail(err: unknown): void {
		const code = err instanceof SignalError ? err.code : 'internal';
		void this.#client?.leave();
		this.#client = undefined;
		// Not yet, over, cancelled, gone: states of the activity, not failures.
		if (this.#leaving || this.#states.refused(err)) return;
		this.#states.reset();
		const t = this.#t;
		const messages: Record<string, string> = { origin_not_allowed: t.originNotAllowed, unauthorized: t.tokenInvalid };
		this._message = messages[code] ?? t.failed;
		this._phase = 'error';
		this.#recording.reset();
		this.#room.events.reset();
		dispatchLuwteEvent(this, 'luwte-error', { code, message: err instanceof Error ? err.message : String(err) });
	}

	async #endSession(): Promise<void> {
		if (this.#endConfirm.press()) await this.#client?.endSession();
	}

	override render(): TemplateResult {
		const t = this.#t;
		return html`
			<section class="frame" aria-label=${t.sessionLabel} lang=${this.lang === 'en' ? 'en' : 'nl'}>
				${
					beforeRoom(this._phase)
						? preview(t, this.#local, this.#role === 'viewer', this._phase !== 'preview', () => void this.join())
						: nothing
				}
				${inRoom(this._phase) ? this.#renderRoom() : nothing}
				<p id="session-status" class="message ${isFinal(this._phase) ? 'final' : ''}" part="message" role="status" aria-live="polite">${this._message}</p>
				${isFinal(this._phase) ? nothing : this.#largeText.view(t.largeText)}
			</section>
		`;
	}

	readonly #controlActions: ControlsActions = {
		toggleMic: () => void this.#local.toggleMic(this.#client),
		toggleCam: () => void this.#local.toggleCam(this.#client),
		toggleSelfView: () => {
			this.hideSelfView = !this.hideSelfView;
		},
		toggleScreenShare: () => void this.#screen.toggle(),
		end: () => void this.#endSession(),
		leave: () => void this.leave(),
	};

	readonly #hostActions: HostActions = {
		mute: (participantId) => void this.#client?.muteParticipant(participantId),
		spotlight: (participantId) => void this.#client?.setSpotlight(participantId),
	};

	#renderRoom(): TemplateResult {
		return room(this.#t, {
			role: this.#role,
			local: this.#local,
			members: this.#room.roster.members,
			spotlight: this._spotlight,
			recording: this.#recording,
			audience: this.#room.audience.shown,
			participantId: this.#client?.participantId,
			controls: {
				role: this.#role,
				hideSelfView: this.hideSelfView,
				sharing: this.#screen.sharing,
				endArmed: this.#endConfirm.armed,
			},
			controlActions: this.#controlActions,
			hostActions: this.#hostActions,
			pins: this.#pins,
			volume: this.#voices,
		});
	}
}

if (!customElements.get('luwte-session')) customElements.define('luwte-session', LuwteSession);

declare global {
	interface HTMLElementTagNameMap {
		'luwte-session': LuwteSession;
	}
}
