import { css } from 'lit';

/**
 * The look of `<luwte-library>` on top of the shared `baseStyles` (tokens, buttons, focus ring):
 * large module buttons, video cards, and a player whose box is sized before the video loads.
 */
export const libraryStyles = css`
	.frame {
		display: grid;
		gap: 1rem;
		justify-items: start;
	}
	h2 {
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
	.modules {
		display: grid;
		grid-template-columns: repeat(auto-fill, minmax(calc(260px * var(--_scale)), 1fr));
		gap: 1rem;
	}
	.module {
		width: 100%;
		min-height: calc(112px * var(--_scale));
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
	/*
	 * Subtitles large and high-contrast: light text on a solid dark box, sized from the element's
	 * font size (not the video's height), so a page's larger text makes them larger too.
	 */
	video::cue {
		font-family: var(--luwte-font-family, system-ui, sans-serif);
		font-size: calc(var(--luwte-font-size, 1.25rem) * 1.5);
		line-height: 1.35;
		color: var(--luwte-cue-fg, #ffffff);
		background-color: var(--luwte-cue-bg, #000000);
	}
	.controls {
		justify-self: stretch;
		display: flex;
		flex-wrap: wrap;
		align-items: center;
		gap: 0.75rem;
		min-height: calc(64px * var(--_scale));
	}
	/* The chosen language is filled; the others are outlined, the same size (nothing moves). */
	.subtitles button[aria-pressed='false'] {
		background: transparent;
		color: var(--_fg);
	}
	.primary {
		font-size: 1.2em;
		min-height: calc(64px * var(--_scale));
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
`;
