import type { ReactiveController, ReactiveControllerHost } from 'lit';

/** The audience count on a host's screen changes at most this often (a join storm is no flicker). */
export const AUDIENCE_SHOWN_EVERY_MS = 3000;

/**
 * The number of viewers as a host sees it: calm, so the first count shows at once and later
 * ones at most every few seconds (the latest wins); a screen reader hears it through a polite
 * live region no more often. Shown once there has been an audience, then kept (also at 0) so
 * nothing appears and disappears.
 */
export class AudienceUi implements ReactiveController {
	readonly #host: ReactiveControllerHost;
	#latest = 0;
	#shown: number | undefined;
	#shownAt = Number.NEGATIVE_INFINITY;
	#timer: ReturnType<typeof setTimeout> | undefined;

	constructor(host: ReactiveControllerHost) {
		this.#host = host;
		host.addController(this);
	}

	/** The count on screen; undefined while there has been no audience. */
	get shown(): number | undefined {
		return this.#shown;
	}

	hostDisconnected(): void {
		this.#clearTimer();
	}

	/** The server's latest count. */
	set(viewers: number): void {
		this.#latest = viewers;
		if (this.#timer) return;
		const wait = this.#shownAt + AUDIENCE_SHOWN_EVERY_MS - Date.now();
		if (wait <= 0) this.#show();
		else this.#timer = setTimeout(() => this.#show(), wait);
	}

	/** Out of the session: no count. */
	reset(): void {
		this.#clearTimer();
		this.#latest = 0;
		this.#shown = undefined;
		this.#shownAt = Number.NEGATIVE_INFINITY;
		this.#host.requestUpdate();
	}

	#show(): void {
		this.#timer = undefined;
		if (this.#latest === this.#shown || (this.#shown === undefined && this.#latest === 0)) return;
		this.#shown = this.#latest;
		this.#shownAt = Date.now();
		this.#host.requestUpdate();
	}

	#clearTimer(): void {
		if (this.#timer) clearTimeout(this.#timer);
		this.#timer = undefined;
	}
}
