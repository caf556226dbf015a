import { html, nothing, type TemplateResult } from 'lit';
import type { ViewerItemDetail } from '../../admin/library-schemas.ts';
import { clockTime, type LibraryTexts } from '../library-i18n.ts';

/** A resume point this close to the start or the end is not worth offering. */
const RESUME_MARGIN_SECONDS = 3;
const SEEK_STEP_SECONDS = 10;
const VOLUME_STEP = 0.1;

/** Where the video is, as the element tracks it. */
export interface PlayerState {
	/** Served from here: media and poster URLs are relative to it. */
	server: string;
	started: boolean;
	playing: boolean;
	time: number;
	duration: number;
	volume: number;
	/** The language of the subtitles shown; null when they are off. */
	subtitles: string | null;
}

/** What the player's buttons and the video's events do (the element owns the video and the reports). */
export interface PlayerActions {
	back(): void;
	start(from: number): void;
	togglePlay(): void;
	seek(delta: number): void;
	changeVolume(delta: number): void;
	play(): void;
	metadata(video: HTMLVideoElement): void;
	pause(video: HTMLVideoElement): void;
	ended(): void;
	timeUpdate(video: HTMLVideoElement): void;
	/** Shows the subtitles of a language, or none (null). */
	chooseSubtitles(lang: string | null): void;
}

/**
 * One video: a box sized before it loads, then large controls. Nothing plays until a button is
 * pressed; a video started before offers to continue where the client stopped.
 */
export function playerView(t: LibraryTexts, item: ViewerItemDetail, s: PlayerState, act: PlayerActions): TemplateResult {
	const resume = item.resumeSeconds;
	const offerResume = resume !== null && resume >= RESUME_MARGIN_SECONDS && resume < item.durationSeconds - RESUME_MARGIN_SECONDS;
	return html`
		<button class="back" part="button back" @click=${() => act.back()}>${t.back}</button>
		<h2 tabindex="-1">${item.title}</h2>
		${item.flashWarning ? html`<p class="warning">${t.flashWarning}</p>` : nothing}
		<div class="player" part="player">
			<video
				crossorigin="anonymous"
				src=${new URL(item.mediaUrl, s.server).href}
				poster=${item.thumbnailUrl ? new URL(item.thumbnailUrl, s.server).href : nothing}
				preload="metadata"
				playsinline
				aria-label=${item.title}
				@click=${() => s.started && act.togglePlay()}
				@loadedmetadata=${(e: Event) => act.metadata(e.target as HTMLVideoElement)}
				@play=${() => act.play()}
				@pause=${(e: Event) => act.pause(e.target as HTMLVideoElement)}
				@ended=${() => act.ended()}
				@timeupdate=${(e: Event) => act.timeUpdate(e.target as HTMLVideoElement)}
			>
				${item.subtitles.map(
					(sub) => html`<track kind="subtitles" srclang=${sub.lang} label=${sub.label} src=${new URL(sub.url, s.server).href} />`,
				)}
			</video>
		</div>
		<div class="controls" part="controls" role="group" aria-label=${t.controls}>
			${
				s.started
					? html`
						<button class="primary" part="button" @click=${() => act.togglePlay()}>${s.playing ? t.pause : t.play}</button>
						<button part="button" @click=${() => act.seek(-SEEK_STEP_SECONDS)}>${t.rewind}</button>
						<button part="button" @click=${() => act.seek(SEEK_STEP_SECONDS)}>${t.forward}</button>
					`
					: offerResume
						? html`
							<button class="primary" part="button" @click=${() => act.start(resume)}>${t.resumeFrom(clockTime(resume))}</button>
							<button part="button" @click=${() => act.start(0)}>${t.restart}</button>
						`
						: html`<button class="primary" part="button" @click=${() => act.start(0)}>${t.play}</button>`
			}
		</div>
		${item.subtitles.length > 0 ? subtitleControls(t, item, s, act) : nothing}
		<div class="controls" part="controls" role="group" aria-label=${t.volume}>
			<button part="button" ?disabled=${s.volume <= 0} @click=${() => act.changeVolume(-VOLUME_STEP)}>${t.softer}</button>
			<span class="volume">${t.volume} ${Math.round(s.volume * 100)}%</span>
			<button part="button" ?disabled=${s.volume >= 1} @click=${() => act.changeVolume(VOLUME_STEP)}>${t.louder}</button>
			<span class="time">${clockTime(s.time)} ${t.of} ${clockTime(s.duration)}</span>
		</div>
		${item.description ? html`<p class="description">${item.description}</p>` : nothing}
	`;
}

/**
 * Subtitles off or one of the languages: buttons that say which one is on (`aria-pressed`), with a
 * visible name for the row. The row is drawn with the item, so nothing below moves when it is used.
 */
function subtitleControls(t: LibraryTexts, item: ViewerItemDetail, s: PlayerState, act: PlayerActions): TemplateResult {
	const choice = (lang: string | null, label: string) =>
		html`<button part="button subtitles" aria-pressed=${String(s.subtitles === lang)} @click=${() => act.chooseSubtitles(lang)}>
			${label}
		</button>`;
	return html`
		<div class="controls subtitles" part="controls" role="group" aria-labelledby="subtitles-label">
			<span id="subtitles-label">${t.subtitles}</span>
			${choice(null, t.subtitlesOff)} ${item.subtitles.map((sub) => choice(sub.lang, sub.label))}
		</div>
	`;
}
