import { isLuwteError } from '@luwte/errors';
import { html, LitElement, type PropertyValues, type TemplateResult } from 'lit';
import type { ViewerItem, ViewerItemDetail, ViewerWatch } from '../admin/library-schemas.ts';
import { preferredSubtitles } from './library/subtitle-choice.ts';
import { ViewerClient } from '../admin/viewer-client.ts';
import { textsFor } from './i18n.ts';
import { LargeText } from './large-text.ts';
import { itemsView, type ModuleId, modulesView, type ViewerModule } from './library/list-views.ts';
import { type PlayerActions, playerView } from './library/player-view.ts';
import { libraryStyles } from './library/styles.ts';
import { libraryTextsFor, type LibraryTexts } from './library-i18n.ts';
import { baseStyles } from './shared-styles.ts';

export type LibraryView = 'modules' | 'items' | 'item';

/** How often a playing video reports where it is (and so how stale a resume point can be). */
const PROGRESS_EVERY_MS = 15_000;

/** A random ID for one watch event (getRandomValues also works on pages without HTTPS). */
function eventId(): string {
	const bytes = crypto.getRandomValues(new Uint8Array(12));
	return btoa(String.fromCharCode(...bytes))
		.replace(/\+/g, '-')
		.replace(/\//g, '_')
		.replace(/=+$/, '');
}

/**
 * `<luwte-library server="https://…" token="…">`: the on-demand library for clients. The five
 * modules as large buttons, then a module's videos, then one video with large controls. Nothing
 * plays until the client presses a button; a video started before offers to continue where the
 * client stopped. Watching is reported (started, every 15 s, paused, finished) so the care
 * organisation sees attendance and the place is kept. Dutch by default (`lang="en"` for English).
 *
 * The token is a library token from the care organisation's backend (`POST /v1/library/tokens`).
 * "Grote letters" (or the page's `large-text`) makes all text and controls larger, remembered on
 * this device as in `<luwte-session>`; with `prefers-reduced-motion: reduce` nothing moves.
 *
 * Subtitles (WebVTT, per language) are shown large, light on a solid dark box. They are on when
 * the item has them in a language the viewer prefers: the `subtitles` attribute (`off`, `on`, or a
 * language such as `nl`), then the element's `lang`, then the browser's languages. Buttons under
 * the video switch them off or to another language; that choice holds for the next videos too.
 *
 * @fires luwte-error - A request failed; detail `{ code, message }`. The element shows the reason in plain words.
 * @csspart button - Every button; some also carry `module`, `back`, `watch` or `large-text`.
 * @csspart module - A module's button.
 * @csspart item - One video's card in a module.
 * @csspart player - The box of the video (sized before it loads).
 * @csspart controls - The play and volume button rows.
 * @csspart message - The status line (loading, errors, finished).
 * @cssprop [--luwte-bg=#14191f] - Background.
 * @cssprop [--luwte-fg=#f4f1ea] - Text.
 * @cssprop [--luwte-surface=#232b35] - Video cards and the flash warning.
 * @cssprop [--luwte-accent=#ffd166] - Focus ring and the flash warning's edge.
 * @cssprop [--luwte-button-bg=#f4f1ea] - Button background.
 * @cssprop [--luwte-button-fg=#14191f] - Button text.
 * @cssprop [--luwte-radius=12px] - Corner radius.
 * @cssprop [--luwte-font-family=system-ui, sans-serif] - Font.
 * @cssprop [--luwte-font-size=1.25rem] - Base font size (subtitles are 1.5 times it).
 * @cssprop [--luwte-cue-fg=#ffffff] - Subtitle text.
 * @cssprop [--luwte-cue-bg=#000000] - Subtitle box.
 */
export class LuwteLibrary extends LitElement {
	static override properties = {
		server: { type: String },
		token: { type: String },
		lang: { type: String },
		largeText: { type: Boolean, attribute: 'large-text', reflect: true },
		subtitles: { type: String },
		_view: { state: true },
		_modules: { state: true },
		_module: { state: true },
		_items: { state: true },
		_item: { state: true },
		_started: { state: true },
		_playing: { state: true },
		_time: { state: true },
		_duration: { state: true },
		_volume: { state: true },
		_message: { state: true },
		_busy: { state: true },
		_subtitleLang: { state: true },
	};

	declare server: string;
	declare token: string;
	declare lang: string;
	/** All text and controls larger (the viewer's own toggle; their last choice on this device wins over the page's). */
	declare largeText: boolean;
	/** `off`, `on`, or a preferred language (`nl`, `en`); absent: on in a language the viewer prefers. */
	declare subtitles: string | undefined;
	declare _view: LibraryView;
	declare _modules: ViewerModule[];
	declare _module: ModuleId | undefined;
	declare _items: ViewerItem[];
	declare _item: ViewerItemDetail | undefined;
	declare _started: boolean;
	declare _playing: boolean;
	declare _time: number;
	declare _duration: number;
	declare _volume: number;
	declare _message: string;
	declare _busy: boolean;
	/** The language of the subtitles shown now; null when off. */
	declare _subtitleLang: string | null;

	/** Each navigation gets a number; an answer for an older one is dropped. */
	#request = 0;
	#lastProgressAt = 0;
	#finished = false;
	#focusHeading = false;
	#loaded = false;
	readonly #largeText = new LargeText(this);
	/** What the viewer chose with the buttons (a language, or null for off); undefined until then. */
	#subtitleChoice: string | null | undefined;

	constructor() {
		super();
		this.server = '';
		this.token = '';
		this.lang = 'nl';
		this.largeText = false;
		this._view = 'modules';
		this._modules = [];
		this._module = undefined;
		this._items = [];
		this._item = undefined;
		this._started = false;
		this._playing = false;
		this._time = 0;
		this._duration = 0;
		this._volume = 1;
		this._message = '';
		this._busy = false;
		this._subtitleLang = null;
	}

	/** What is shown: the modules, one module's videos, or one video. */
	get view(): LibraryView {
		return this._view;
	}

	get #t(): LibraryTexts {
		return libraryTextsFor(this.lang);
	}

	get #video(): HTMLVideoElement | null {
		return this.renderRoot.querySelector('video');
	}

	protected override willUpdate(changed: PropertyValues): void {
		// The first load does not take focus from the page; navigating inside the element does. A
		// new token later (the page renews it) is used from the next request on, without a jump.
		if ((changed.has('token') || changed.has('server')) && this.token && this.server && !this.#loaded) void this.#loadModules(false);
	}

	protected override updated(changed: PropertyValues): void {
		super.updated(changed);
		this.#applySubtitles();
		if (this.#focusHeading) {
			// After a change of view, keyboard and screen-reader users start at its heading.
			this.#focusHeading = false;
			this.renderRoot.querySelector<HTMLElement>('h2')?.focus();
		}
	}

	override disconnectedCallback(): void {
		super.disconnectedCallback();
		this.#leaveVideo();
	}

	/** Shows the five modules with their number of videos. */
	showModules(): Promise<void> {
		return this.#loadModules(true);
	}

	async #loadModules(focus: boolean): Promise<void> {
		this.#leaveVideo();
		const n = ++this.#request;
		this._busy = true;
		try {
			const r = await this.#client.listModules();
			if (n !== this.#request) return;
			this._modules = r.modules;
			this.#loaded = true;
			this.#go('modules', focus);
		} catch (err) {
			if (n === this.#request) this.#fail(err);
		}
	}

	/** Shows the videos of one module. */
	async showModule(module: ModuleId): Promise<void> {
		this.#leaveVideo();
		const n = ++this.#request;
		this._busy = true;
		this._message = this.#t.loading;
		try {
			const r = await this.#client.listItems({ module });
			if (n !== this.#request) return;
			this._module = module;
			this._items = r.items;
			this.#go('items');
		} catch (err) {
			if (n === this.#request) this.#fail(err);
		}
	}

	/** Opens one video (it does not play until the client presses a button). */
	async showItem(itemId: string): Promise<void> {
		this.#leaveVideo();
		const n = ++this.#request;
		this._busy = true;
		this._message = this.#t.loading;
		try {
			const item = await this.#client.getItem(itemId);
			if (n !== this.#request) return;
			this._item = item;
			this._started = false;
			this._playing = false;
			this._time = 0;
			this._duration = item.durationSeconds;
			this._subtitleLang = this.#initialSubtitles(item);
			this.#finished = false;
			this.#go('item');
		} catch (err) {
			if (n === this.#request) this.#fail(err);
		}
	}

	/** The subtitles an item opens with: the viewer's own choice if it has that language, else by preference. */
	#initialSubtitles(item: ViewerItemDetail): string | null {
		const langs = item.subtitles.map((t) => t.lang);
		if (langs.length === 0 || this.#subtitleChoice === null) return null;
		const chosen = this.#subtitleChoice === undefined ? undefined : preferredSubtitles(langs, [this.#subtitleChoice]);
		if (chosen) return chosen;
		const attr = (this.subtitles ?? '').trim();
		if (attr.toLowerCase() === 'off') return null;
		const asked = attr !== '' && attr.toLowerCase() !== 'on' ? [attr] : [];
		const found = preferredSubtitles(langs, [...asked, this.lang, ...(globalThis.navigator?.languages ?? [])]);
		// Asked for subtitles without a language that fits: the first ones are better than none.
		return found ?? (attr !== '' ? langs[0]! : null);
	}

	#chooseSubtitles(lang: string | null): void {
		this.#subtitleChoice = lang;
		this._subtitleLang = lang;
	}

	/** The `<track>` of the chosen language shows; the others stay unloaded. */
	#applySubtitles(): void {
		const video = this.#video;
		if (!video) return;
		for (const track of Array.from(video.textTracks)) {
			const mode = track.language === this._subtitleLang ? 'showing' : 'disabled';
			if (track.mode !== mode) track.mode = mode;
		}
	}

	#go(view: LibraryView, focus = true): void {
		this._view = view;
		this._busy = false;
		this._message = '';
		this.#focusHeading = focus;
	}

	#back(): void {
		if (this._view === 'item' && this._module) void this.showModule(this._module);
		else void this.showModules();
	}

	/** A client with the current server and token: a token the page renews is used from the next request on. */
	get #client(): ViewerClient {
		return new ViewerClient({ server: this.server, token: this.token });
	}

	#fail(err: unknown): void {
		// Typed answers of the server carry its code; anything else (no network) is `unavailable`.
		const code = isLuwteError(err) ? err.code : 'unavailable';
		const t = this.#t;
		this._busy = false;
		this._message =
			code === 'unauthorized'
				? t.tokenInvalid
				: code === 'origin_not_allowed'
					? t.originNotAllowed
					: code === 'not_found'
						? t.notFound
						: t.failed;
		this.dispatchEvent(
			new CustomEvent('luwte-error', {
				detail: { code, message: err instanceof Error ? err.message : String(err) },
				bubbles: true,
				composed: true,
			}),
		);
	}

	/** Reports watching; failures are dropped (the next report carries the position again). */
	#report(event: ViewerWatch['event']): void {
		const item = this._item;
		const video = this.#video;
		if (!item || !video) return;
		const body: ViewerWatch = { event, positionSeconds: Math.round(video.currentTime * 10) / 10, eventId: eventId() };
		// keepalive: also delivered when the page is being closed.
		void this.#client.recordWatch(item.id, body, { keepalive: true }).catch(() => undefined);
	}

	/** Leaving a video: it stops, and the place is reported so it can be offered next time. */
	#leaveVideo(): void {
		const video = this.#video;
		if (!video || !this._started) return;
		if (!this.#finished) this.#report('progress');
		// Not started any more, so the pause event that follows reports nothing a second time.
		this._started = false;
		video.pause();
	}

	async #start(from: number): Promise<void> {
		const video = this.#video;
		if (!video) return;
		if (video.readyState < HTMLMediaElement.HAVE_METADATA) {
			await new Promise<void>((resolve) => video.addEventListener('loadedmetadata', () => resolve(), { once: true }));
		}
		video.currentTime = from;
		video.volume = this._volume;
		this._started = true;
		this.#finished = false;
		this.#lastProgressAt = Date.now();
		try {
			await video.play();
			this.#report('started');
		} catch {
			this._message = this.#t.playFailed;
		}
	}

	#togglePlay(): void {
		const video = this.#video;
		if (!video) return;
		if (video.paused) {
			this.#finished = false;
			this._message = '';
			void video.play().catch(() => (this._message = this.#t.playFailed));
		} else {
			video.pause();
		}
	}

	#seek(delta: number): void {
		const video = this.#video;
		if (!video) return;
		video.currentTime = Math.min(Math.max(0, video.currentTime + delta), Math.max(0, this._duration - 0.5));
		this._time = video.currentTime;
	}

	#changeVolume(delta: number): void {
		this._volume = Math.round(Math.min(1, Math.max(0, this._volume + delta)) * 10) / 10;
		const video = this.#video;
		if (video) video.volume = this._volume;
	}

	#onMetadata(video: HTMLVideoElement): void {
		if (Number.isFinite(video.duration)) this._duration = video.duration;
	}

	#onTimeUpdate(video: HTMLVideoElement): void {
		this._time = video.currentTime;
		if (!video.paused && Date.now() - this.#lastProgressAt >= PROGRESS_EVERY_MS) {
			this.#lastProgressAt = Date.now();
			this.#report('progress');
		}
	}

	#onPause(video: HTMLVideoElement): void {
		this._playing = false;
		// A pause at the end comes before `ended`; that one reports `finished` instead.
		if (this._started && !video.ended) this.#report('progress');
	}

	#onEnded(): void {
		this._playing = false;
		this.#finished = true;
		this._message = this.#t.finished;
		this.#report('finished');
	}

	override render(): TemplateResult {
		const t = this.#t;
		return html`
			<section class="frame" aria-label=${t.library} lang=${this.lang === 'en' ? 'en' : 'nl'} aria-busy=${String(this._busy)}>
				${this.#renderView(t)}
				<p class="message" part="message" role="status" aria-live="polite">${this._message}</p>
				${this.#largeText.view(textsFor(this.lang).largeText)}
			</section>
		`;
	}

	#renderView(t: LibraryTexts): TemplateResult {
		if (this._view === 'modules') return modulesView(t, this._modules, (module) => void this.showModule(module));
		if (this._view === 'items') {
			return itemsView(t, {
				module: this._module,
				items: this._items,
				server: this.server,
				back: this.#player.back,
				watch: (id) => void this.showItem(id),
			});
		}
		const state = {
			server: this.server,
			started: this._started,
			playing: this._playing,
			time: this._time,
			duration: this._duration,
			volume: this._volume,
			subtitles: this._subtitleLang,
		};
		return playerView(t, this._item!, state, this.#player);
	}

	/** What the player's buttons and the video's events do. */
	#player: PlayerActions = {
		back: () => this.#back(),
		start: (from) => void this.#start(from),
		togglePlay: () => this.#togglePlay(),
		seek: (delta) => this.#seek(delta),
		changeVolume: (delta) => this.#changeVolume(delta),
		play: () => (this._playing = true),
		metadata: (video) => this.#onMetadata(video),
		pause: (video) => this.#onPause(video),
		ended: () => this.#onEnded(),
		timeUpdate: (video) => this.#onTimeUpdate(video),
		chooseSubtitles: (lang) => this.#chooseSubtitles(lang),
	};

	static override styles = [baseStyles, libraryStyles];
}

if (!customElements.get('luwte-library')) customElements.define('luwte-library', LuwteLibrary);

declare global {
	interface HTMLElementTagNameMap {
		'luwte-library': LuwteLibrary;
	}
}
