import { html, type TemplateResult } from 'lit';
import type { Texts } from '../i18n.ts';
import type { Member } from './roster.ts';

/** Where there is no picture to show, in words (never an empty box). */
export const noVideo = (t: Texts): TemplateResult => html`<span class="placeholder">${t.noVideo}</span>`;

/** This person's own camera, mirrored by the styles; hidden from screen readers (it is oneself). */
export const selfVideo = (): TemplateResult => html`<video data-track="self" autoplay playsinline muted aria-hidden="true"></video>`;

/**
 * One person's tile: their camera (or, big on the stage, their shared screen), a name in words
 * and a calm status ("praat", "microfoon uit"). The speaking outline is always there, only its
 * colour changes, so nothing moves.
 */
export function tile(t: Texts, m: Member, label: string, big: boolean, spotlight: string | null): TemplateResult {
	const track = big && m.screen ? m.screen : m.video && !m.videoPaused ? m.video : undefined;
	const status = m.audioPaused ? t.muted : m.speaking ? t.speaking : spotlight === m.participantId ? t.inSpotlight : '';
	return html`
		<div class="tile ${big ? 'big' : ''} ${m.speaking && !m.audioPaused ? 'speaking' : ''}" part="tile" data-participant=${m.participantId}>
			${track ? html`<video data-track=${track.id} autoplay playsinline muted aria-label=${label}></video>` : noVideo(t)}
			<span class="name">${label}${status ? html` · ${status}` : ''}</span>
		</div>
	`;
}

/** What a host can do for someone else: mute their microphone, put them on everyone's stage. */
export interface HostActions {
	mute(participantId: string): void;
	spotlight(participantId: string | null): void;
}

/** A host's buttons under another person's tile, each named with that person's label. */
export function hostActions(t: Texts, m: Member, label: string, spotlight: string | null, act: HostActions): TemplateResult {
	const spotlit = spotlight === m.participantId;
	const spotlightText = spotlit ? t.spotlightOff : t.spotlightOn;
	const mute = () => act.mute(m.participantId);
	const toggleSpotlight = () => act.spotlight(spotlit ? null : m.participantId);
	return html`<div class="tile-actions">
		<button part="button" aria-label="${label}: ${t.muteOther}" ?disabled=${m.audioPaused || !m.audio} @click=${mute}>
			${t.muteOther}
		</button>
		<button part="button" aria-pressed=${String(spotlit)} aria-label="${label}: ${spotlightText}" @click=${toggleSpotlight}>${spotlightText}</button>
	</div>`;
}
