import { css, html, type TemplateResult } from 'lit';
import type { Texts } from '../i18n.ts';

/**
 * The listener's volume steps for one person, quietest first: 6 dB apart (each about half as
 * loud), never louder than the person was sent. The last one, "normaal", is where everyone starts.
 */
export const volumeGains = [0.125, 0.25, 0.5, 1] as const;
export const normalStep = volumeGains.length - 1;

/** The gain of a step (0–1); a missing or unknown step is "normaal". */
export function volumeGain(step: number | undefined): number {
	return volumeGains[step ?? normalStep] ?? 1;
}

/** What the control needs of the element: the step per person and how to change it. */
export interface TileVolumeActions {
	step(participantId: string): number | undefined;
	setStep(participantId: string, step: number): void;
}

/**
 * "Geluid: normaal" with "Zachter" and "Harder" under one person's tile, for this listener only.
 * At an end a button stays in place and focusable (`aria-disabled`), so focus never jumps away;
 * the words change in a polite live region. Its space is there from the first render.
 */
export function tileVolume(t: Texts, participantId: string, label: string, act: TileVolumeActions): TemplateResult {
	const step = act.step(participantId) ?? normalStep;
	const words = t.volumeLevels[step] ?? t.volumeLevels[normalStep];
	const quieter = () => step > 0 && act.setStep(participantId, step - 1);
	const louder = () => step < normalStep && act.setStep(participantId, step + 1);
	return html`<div class="tile-volume" part="volume" role="group" aria-label="${label}: ${t.volume}">
		<output class="volume-level" aria-live="polite">${t.volume}: ${words}</output>
		<div class="volume-buttons">
			<button part="button volume-down" aria-label="${label}: ${t.volumeDown}" aria-disabled=${String(step === 0)} @click=${quieter}>
				<span aria-hidden="true">−</span> ${t.volumeDown}
			</button>
			<button part="button volume-up" aria-label="${label}: ${t.volumeUp}" aria-disabled=${String(step === normalStep)} @click=${louder}>
				<span aria-hidden="true">+</span> ${t.volumeUp}
			</button>
		</div>
	</div>`;
}

export const tileVolumeStyles = css`
	.tile-volume {
		display: grid;
		gap: 0.25rem;
		margin-top: 0.5rem;
	}
	/* Two lines reserved: a longer word never pushes the buttons down. */
	.volume-level {
		min-height: calc(2 * 1.4em);
		font-size: 0.9em;
	}
	.volume-buttons {
		display: grid;
		/* Side by side, never wider than needed on the big stage tile. */
		grid-template-columns: repeat(2, minmax(0, 12rem));
		gap: 0.5rem;
	}
	.volume-buttons button {
		font-size: 0.85em;
		min-height: 48px;
		padding: 0.25rem 0.5rem;
	}
	.volume-buttons button[aria-disabled='true'] {
		cursor: not-allowed;
		opacity: 0.75;
	}
`;
