import { css } from 'lit';

/**
 * The look of `<luwte-session>` on top of the shared `baseStyles` (tokens, buttons, focus ring):
 * the recording colour, tiles, and a layout that never moves (reserved space, outlines instead of borders).
 */
export const sessionStyles = css`
	:host {
		--_rec: var(--luwte-recording, #f06a6a);
		container-type: inline-size;
	}
	h2 {
		margin: 0 0 0.75rem;
	}
	.preview {
		display: grid;
		gap: 1rem;
		justify-items: start;
	}
	/* The check's text and its two answers share this space: two lines, reserved from the start. */
	.check {
		min-height: calc(2 * 1.4em);
	}
	.checking {
		margin: 0;
	}
	.checks {
		margin: 0;
		padding-left: 1.2em;
	}
	button[aria-pressed='true'] {
		background: var(--_surface);
		color: var(--_fg);
	}
	.join {
		font-size: 1.4em;
		min-height: calc(72px * var(--_scale));
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
		grid-template-columns: repeat(auto-fill, minmax(calc(200px * var(--_scale)), 1fr));
		gap: 0.75rem;
	}
	.grid-only .grid {
		grid-template-columns: repeat(auto-fill, minmax(calc(320px * var(--_scale)), 1fr));
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
		/* Long names and large text wrap inside the tile instead of being cut off. */
		max-width: calc(100% - 1rem);
		box-sizing: border-box;
		overflow-wrap: anywhere;
	}
	/* The audience count: plain text, never animated; its line is reserved for hosts so nothing moves when it appears. */
	.audience {
		margin: 0;
		min-height: 1.5em;
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
		min-height: calc(48px * var(--_scale));
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
		min-height: calc(48px * var(--_scale));
		padding: 0.25rem 0.75rem;
	}
	.consent {
		font-size: 1.1em;
		min-height: calc(64px * var(--_scale));
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
		margin: 0.75rem 0 0;
	}
	/* A final state (over, cancelled, gone, left) is the only thing left to read: a little larger. */
	.message.final {
		font-size: 1.2em;
	}
	@keyframes fade-in {
		from {
			opacity: 0;
		}
		to {
			opacity: 1;
		}
	}
	/* Reduced motion: the shared styles stop every animation and transition, this fade included. */
`;
