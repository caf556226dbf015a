import { isLuwteError } from '@luwte/errors';
import { css, html, LitElement, nothing, type PropertyValues, type TemplateResult } from 'lit';
import type { z } from 'zod';
import type { viewerModuleListSchema, ViewerItem, ViewerItemDetail, ViewerWatch } from '../admin/library-schemas.ts';
import { ViewerClient } from '../admin/viewer-client.ts';
import { clockTime, libraryTextsFor, type LibraryTexts } from './library-i18n.ts';

export type LibraryView = 'modules' | 'items' | 'item';
type ModuleId = keyof LibraryTexts['modules'];
type ViewerModule = z.output<typeof viewerModuleListSchema>['modules'][number];

/** How often a playing video reports where it is (and so how stale a resume point can be). */
const PROGRESS_EVERY_MS = 15_000;
/** A resume point this close to the start or the end is not worth offering. */
const RESUME_MARGIN_SECONDS = 3;
const SEEK_STEP_SECONDS = 10;
const VOLUME_STEP = 0.1;

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
 * Events: `luwte-error` (detail: `{code, message}`).
 * Styling: the same custom properties as `<luwte-session>`; parts `button`, `module`, `item`, `player`, `controls`, `message`.
 */
export class LuwteLibrary extends LitElement {
	static override properties = {
		server: { type: String },
		token: { type: String },
		lang: { type: String },
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
	};

	declare server: string;
	declare token: string;
	declare lang: string;
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

	/** Each navigation gets a number; an answer for an older one is dropped. */
	#request = 0;
	#lastProgressAt = 0;
	#finished = false;
	#focusHeading = false;
	#loaded = false;

	constructor() {
		super();
		this.server = '';
		this.token = '';
		this.lang = 'nl';
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
			this.#finished = false;
			this.#go('item');
		} catch (err) {
			if (n === this.#request) this.#fail(err);
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
				${this._view === 'modules' ? this.#renderModules() : this._view === 'items' ? this.#renderItems() : this.#renderItem()}
				<p class="message" part="message" role="status" aria-live="polite">${this._message}</p>
			</section>
		`;
	}

	#renderModules(): TemplateResult {
		const t = this.#t;
		return html`
			<h2 tabindex="-1">${t.library}</h2>
			<p class="intro">${t.chooseModule}</p>
			<ul class="modules">
				${this._modules.map(
					(m) => html`<li>
						<button class="module" part="button module" data-module=${m.module} @click=${() => this.showModule(m.module)}>
							<span class="module-name">${t.modules[m.module]}</span>
							<span class="count">${t.videos(m.count)}</span>
						</button>
					</li>`,
				)}
			</ul>
		`;
	}

	#renderItems(): TemplateResult {
		const t = this.#t;
		return html`
			<button class="back" part="button back" @click=${() => this.#back()}>${t.back}</button>
			<h2 tabindex="-1">${this._module ? t.modules[this._module] : t.library}</h2>
			${this._items.length === 0 ? html`<p>${t.noVideos}</p>` : nothing}
			<ul class="items">
				${this._items.map(
					(item) => html`<li class="card" part="item" data-item=${item.id}>
						<div class="thumb">${item.thumbnailUrl ? html`<img src=${new URL(item.thumbnailUrl, this.server).href} alt="" loading="lazy" />` : nothing}</div>
						<div class="info">
							<h3>${item.title}</h3>
							<p class="meta">${t.minutes(Math.max(1, Math.round(item.durationSeconds / 60)))}</p>
							${item.description ? html`<p class="description">${item.description}</p>` : nothing}
							<button part="button watch" aria-label="${t.watch}: ${item.title}" @click=${() => this.showItem(item.id)}>${t.watch}</button>
						</div>
					</li>`,
				)}
			</ul>
		`;
	}

	#renderItem(): TemplateResult {
		const t = this.#t;
		const item = this._item!;
		const resume = item.resumeSeconds;
		const offerResume = resume !== null && resume >= RESUME_MARGIN_SECONDS && resume < item.durationSeconds - RESUME_MARGIN_SECONDS;
		return html`
			<button class="back" part="button back" @click=${() => this.#back()}>${t.back}</button>
			<h2 tabindex="-1">${item.title}</h2>
			${item.flashWarning ? html`<p class="warning">${t.flashWarning}</p>` : nothing}
			<div class="player" part="player">
				<video
					src=${new URL(item.mediaUrl, this.server).href}
					poster=${item.thumbnailUrl ? new URL(item.thumbnailUrl, this.server).href : nothing}
					preload="metadata"
					playsinline
					aria-label=${item.title}
					@click=${() => this._started && this.#togglePlay()}
					@loadedmetadata=${(e: Event) => this.#onMetadata(e.target as HTMLVideoElement)}
					@play=${() => (this._playing = true)}
					@pause=${(e: Event) => this.#onPause(e.target as HTMLVideoElement)}
					@ended=${() => this.#onEnded()}
					@timeupdate=${(e: Event) => this.#onTimeUpdate(e.target as HTMLVideoElement)}
				></video>
			</div>
			<div class="controls" part="controls" role="group" aria-label=${t.controls}>
				${
					this._started
						? html`
							<button class="primary" part="button" @click=${() => this.#togglePlay()}>${this._playing ? t.pause : t.play}</button>
							<button part="button" @click=${() => this.#seek(-SEEK_STEP_SECONDS)}>${t.rewind}</button>
							<button part="button" @click=${() => this.#seek(SEEK_STEP_SECONDS)}>${t.forward}</button>
						`
						: offerResume
							? html`
								<button class="primary" part="button" @click=${() => this.#start(resume!)}>${t.resumeFrom(clockTime(resume!))}</button>
								<button part="button" @click=${() => this.#start(0)}>${t.restart}</button>
							`
							: html`<button class="primary" part="button" @click=${() => this.#start(0)}>${t.play}</button>`
				}
			</div>
			<div class="controls" part="controls" role="group" aria-label=${t.volume}>
				<button part="button" ?disabled=${this._volume <= 0} @click=${() => this.#changeVolume(-VOLUME_STEP)}>${t.softer}</button>
				<span class="volume">${t.volume} ${Math.round(this._volume * 100)}%</span>
				<button part="button" ?disabled=${this._volume >= 1} @click=${() => this.#changeVolume(VOLUME_STEP)}>${t.louder}</button>
				<span class="time">${clockTime(this._time)} ${t.of} ${clockTime(this._duration)}</span>
			</div>
			${item.description ? html`<p class="description">${item.description}</p>` : nothing}
		`;
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
			display: block;
			background: var(--_bg);
			color: var(--_fg);
			font-family: var(--luwte-font-family, system-ui, sans-serif);
			font-size: var(--luwte-font-size, 1.25rem);
			line-height: 1.4;
			border-radius: var(--_radius);
		}
		.frame {
			padding: 1rem;
			display: grid;
			gap: 1rem;
			justify-items: start;
		}
		h2 {
			font-size: 1.5em;
			margin: 0;
		}
		h2:focus {
			outline: none;
		}
		h2:focus-visible {
			outline: 4px solid var(--_accent);
			outline-offset: 3px;
		}
		h3 {
			font-size: 1.15em;
			margin: 0;
		}
		p {
			margin: 0;
		}
		ul {
			list-style: none;
			margin: 0;
			padding: 0;
			width: 100%;
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
		button:disabled {
			cursor: not-allowed;
			opacity: 0.75;
		}
		button:focus-visible {
			outline: 4px solid var(--_accent);
			outline-offset: 3px;
		}
		.modules {
			display: grid;
			grid-template-columns: repeat(auto-fill, minmax(260px, 1fr));
			gap: 1rem;
		}
		.module {
			width: 100%;
			min-height: 112px;
			display: grid;
			gap: 0.25rem;
			justify-items: start;
			align-content: center;
			text-align: left;
			font-size: 1.2em;
		}
		.count {
			font-weight: 400;
			font-size: 0.85em;
		}
		.items {
			display: grid;
			gap: 1rem;
		}
		.card {
			display: grid;
			grid-template-columns: minmax(120px, 240px) 1fr;
			gap: 1rem;
			padding: 0.75rem;
			background: var(--_surface);
			border-radius: var(--_radius);
		}
		.thumb {
			aspect-ratio: 16 / 9;
			background: var(--_bg);
			border-radius: calc(var(--_radius) - 4px);
			overflow: hidden;
		}
		.thumb img {
			width: 100%;
			height: 100%;
			object-fit: cover;
			display: block;
		}
		.info {
			display: grid;
			gap: 0.4rem;
			justify-items: start;
			align-content: start;
		}
		.player {
			width: 100%;
			/* The box has its size before the video loads: nothing below it moves. */
			aspect-ratio: 16 / 9;
			background: #000;
			border-radius: var(--_radius);
			overflow: hidden;
		}
		video {
			width: 100%;
			height: 100%;
			object-fit: contain;
			display: block;
		}
		.controls {
			justify-self: stretch;
			display: flex;
			flex-wrap: wrap;
			align-items: center;
			gap: 0.75rem;
			min-height: 64px;
		}
		.primary {
			font-size: 1.2em;
			min-height: 64px;
			padding: 0.5rem 2rem;
		}
		.volume {
			min-width: 7.5em;
			text-align: center;
		}
		.time {
			margin-left: auto;
			font-variant-numeric: tabular-nums;
		}
		.warning {
			padding: 0.5rem 1rem;
			border-left: 6px solid var(--_accent);
			background: var(--_surface);
		}
		.message {
			min-height: 1.4em;
		}
	`;
}

if (!customElements.get('luwte-library')) customElements.define('luwte-library', LuwteLibrary);

declare global {
	interface HTMLElementTagNameMap {
		'luwte-library': LuwteLibrary;
	}
}
