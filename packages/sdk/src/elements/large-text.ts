import { html, type ReactiveController, type ReactiveControllerHost, type TemplateResult } from 'lit';

/**
 * Where the viewer's own choice is kept on this device: one flag, no ID, shared by every Luwte
 * element on the site (someone who needs large text in the session needs it in the library too).
 */
export const LARGE_TEXT_KEY = 'luwte.large-text';

/** What `LargeText` needs of its element: the `large-text` property it drives. */
export interface LargeTextHost extends ReactiveControllerHost {
	largeText: boolean;
}

/**
 * The larger-text option of an element. The page sets the default with the `large-text`
 * attribute; once the viewer has used the toggle on this device, their choice wins (kept in
 * `localStorage`, read when the element comes on the page). Storage may be refused (a sandboxed
 * frame, a private window with storage off): the toggle then still works, for this visit.
 */
export class LargeText implements ReactiveController {
	readonly #host: LargeTextHost;

	constructor(host: LargeTextHost) {
		this.#host = host;
		host.addController(this);
	}

	hostConnected(): void {
		const stored = readChoice();
		if (stored !== undefined) this.#host.largeText = stored;
	}

	/** The toggle was pressed: flip, and remember the choice for this device. */
	toggle(): void {
		const on = !this.#host.largeText;
		this.#host.largeText = on;
		try {
			localStorage.setItem(LARGE_TEXT_KEY, on ? '1' : '0');
		} catch {
			// Storage refused: the choice holds for this visit only.
		}
	}

	/** The toggle: the same label in both states (its state is `aria-pressed`), "A+" as a picture beside the words. */
	view(label: string): TemplateResult {
		return html`<div class="view-options">
			<button part="button large-text" class="large-text-toggle" aria-pressed=${String(this.#host.largeText)} @click=${() => this.toggle()}>
				<span class="glyph" aria-hidden="true">A+</span><span>${label}</span>
			</button>
		</div>`;
	}
}

function readChoice(): boolean | undefined {
	try {
		const v = localStorage.getItem(LARGE_TEXT_KEY);
		return v === '1' ? true : v === '0' ? false : undefined;
	} catch {
		return undefined;
	}
}
