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
	}
	h2 {
		font-size: 1.5em;
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
	/* The status line keeps one line of space when empty, so nothing moves when it speaks. */
	.message {
		min-height: 1.4em;
	}
`;
