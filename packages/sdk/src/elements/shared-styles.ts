import { css } from 'lit';

/**
 * What `<luwte-session>` and `<luwte-library>` share: the design tokens a page overrides through
 * the public `--luwte-*` custom properties, the base text, large buttons with a clear focus ring,
 * and the status line whose space is always reserved. Each element adds its own styles after these.
 */
export const baseStyles = css`
	:host {
		--_bg: var(--luwte-bg, #14191f);
		--_fg: var(--luwte-fg, #f4f1ea);
		--_surface: var(--luwte-surface, #232b35);
		--_accent: var(--luwte-accent, #ffd166);
		--_button-bg: var(--luwte-button-bg, #f4f1ea);
		--_button-fg: var(--luwte-button-fg, #14191f);
		--_radius: var(--luwte-radius, 12px);
		/* Larger text (the viewer's toggle or the page's large-text attribute): everything sized from it grows with it. */
		--_scale: 1;
		display: block;
		background: var(--_bg);
		color: var(--_fg);
		font-family: var(--luwte-font-family, system-ui, sans-serif);
		font-size: calc(var(--luwte-font-size, 1.25rem) * var(--_scale));
		line-height: 1.4;
		border-radius: var(--_radius);
	}
	.frame {
		padding: 1rem;
	}
	h2 {
		font-size: 1.5em;
	}
	:host([large-text]) {
		--_scale: 1.4;
	}
	button {
		min-height: calc(56px * var(--_scale));
		min-width: calc(56px * var(--_scale));
		padding: calc(0.5rem * var(--_scale)) calc(1.25rem * var(--_scale));
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
	/* The status line keeps one line of space when empty, so nothing moves when it speaks. */
	.message {
		min-height: 1.4em;
	}
	/*
	 * The large-text toggle: last, bottom right, in every phase, so the one action of a screen
	 * ("Meedoen", a module) stays the first thing the keyboard reaches.
	 */
	.view-options {
		justify-self: stretch;
		display: flex;
		justify-content: flex-end;
		margin-top: 0.75rem;
	}
	.large-text-toggle {
		display: inline-flex;
		align-items: center;
		gap: 0.5em;
	}
	.large-text-toggle .glyph {
		font-size: 1.2em;
		line-height: 1;
	}
	button.large-text-toggle[aria-pressed='true'] {
		background: var(--_surface);
		color: var(--_fg);
	}
	/*
	 * Reduced motion asked for: nothing moves at all, in any element of the shadow root (a fade is
	 * motion too). Durations go to 0 as well as the names, so a rule added later cannot slip through.
	 */
	@media (prefers-reduced-motion: reduce) {
		:host,
		*,
		*::before,
		*::after {
			animation-name: none !important;
			animation-duration: 0s !important;
			animation-delay: 0s !important;
			animation-iteration-count: 1 !important;
			transition-property: none !important;
			transition-duration: 0s !important;
			transition-delay: 0s !important;
			scroll-behavior: auto !important;
		}
	}
`;
