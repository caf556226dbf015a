import { css, html, type TemplateResult } from 'lit';
import type { Texts } from '../i18n.ts';
import type { Member } from './roster.ts';
import { tile } from './tile-view.ts';

/**
 * The pin places beside the stage's big tile, always there for clients and viewers (free ones
 * say so), so the big tile and the grid keep their boxes when someone is pinned.
 */
export function pinPlaces(
	t: Texts,
	shown: readonly (Member | undefined)[],
	label: (m: Member) => string,
	spotlight: string | null,
): TemplateResult[] {
	return shown.map(
		(m, i) =>
			html`<div class="pin-place pin-${i + 1}">
				${m ? tile(t, m, label(m), false, spotlight) : html`<div class="tile free" part="tile"><span class="placeholder">${t.pinFree}</span></div>`}
			</div>`,
	);
}

/** In the grid, where a pinned person's tile was: the same box, saying they are shown large above. */
export function pinnedHere(t: Texts, m: Member, label: string): TemplateResult {
	return html`<div class="tile pinned-here" part="tile" data-participant=${m.participantId}>
		<span class="placeholder">${t.pinnedAbove}</span>
		<span class="name">${label}</span>
	</div>`;
}

/**
 * The pin toggle under someone's tile: the same words in both states, named with the person
 * ("Deelnemer 2: Vastzetten"), its state in `aria-pressed` and a check mark whose space is always kept.
 */
export function pinToggle(t: Texts, m: Member, label: string, pinned: boolean, toggle: (participantId: string) => void): TemplateResult {
	return html`<button part="button pin" class="pin" aria-pressed=${String(pinned)} aria-label="${label}: ${t.pin}" @click=${() => toggle(m.participantId)}>
		<span class="mark" aria-hidden="true">✓</span>${t.pin}
	</button>`;
}

/**
 * The stage with its pin places: the big tile over two rows on the left, the two places stacked
 * on the right (16:9 each, so the rows, and with them the big tile, have one size whatever is in
 * them); on a narrow screen the places sit side by side under the big tile.
 */
export const pinStyles = css`
	.stage.with-pins {
		display: grid;
		grid-template-columns: 2fr 1fr;
		grid-template-areas: 'main pin1' 'main pin2' 'volume .';
		gap: 0.75rem;
	}
	/* The listener's volume for the stage's person: under the stage, in its own row. */
	.stage.with-pins > .tile-volume {
		grid-area: volume;
	}
	.stage.with-pins > .tile {
		grid-area: main;
		aspect-ratio: auto;
		/* Its size is the area's, never its video's: a picture arriving moves nothing. */
		contain: size;
	}
	.pin-1 {
		grid-area: pin1;
	}
	.pin-2 {
		grid-area: pin2;
	}
	.pin-place {
		min-width: 0;
	}
	.tile.free {
		outline: 2px dashed rgb(244 241 234 / 0.35);
		outline-offset: -2px;
	}
	.tile.free .placeholder,
	.tile.pinned-here .placeholder {
		font-size: 0.9em;
		padding: 0.25rem 0.5rem;
	}
	/* Where a pinned person was: their name under the words, never over them (large text too). */
	.tile.pinned-here {
		display: flex;
		flex-direction: column;
		justify-content: center;
		align-items: center;
		gap: 0.25rem;
	}
	.tile.pinned-here .name {
		position: static;
	}
	@container (max-width: 640px) {
		.stage.with-pins {
			grid-template-columns: 1fr 1fr;
			grid-template-areas: 'main main' 'volume volume' 'pin1 pin2';
		}
		.stage.with-pins > .tile {
			aspect-ratio: 16 / 9;
		}
	}
	.pin .mark {
		display: inline-block;
		width: 1.1em;
		visibility: hidden;
	}
	.pin[aria-pressed='true'] .mark {
		visibility: visible;
	}
`;
