import type { ReactiveController, ReactiveControllerHost } from 'lit';

/**
 * A button that asks once more: the first press arms it (its text becomes "Ja, …"), a second
 * press within `timeoutMs` confirms, and otherwise it disarms by itself. So a slip of the hand
 * does not end an activity or a recording for everyone.
 */
export class TwoStepConfirm implements ReactiveController {
	readonly #host: ReactiveControllerHost;
	readonly #timeoutMs: number;
	#timer: ReturnType<typeof setTimeout> | undefined;
	#armed = false;

	constructor(host: ReactiveControllerHost, timeoutMs = 6000) {
		this.#host = host;
		this.#timeoutMs = timeoutMs;
		host.addController(this);
	}

	/** Waiting for the second press. */
	get armed(): boolean {
		return this.#armed;
	}

	/** One press: true when it confirms; the first press only arms and returns false. */
	press(): boolean {
		if (this.#armed) {
			this.reset();
			return true;
		}
		this.#armed = true;
		clearTimeout(this.#timer);
		this.#timer = setTimeout(() => this.reset(), this.#timeoutMs);
		this.#host.requestUpdate();
		return false;
	}

	/** Back to the first step (and its timer gone, so it cannot disarm a later press). */
	reset(): void {
		clearTimeout(this.#timer);
		this.#timer = undefined;
		if (!this.#armed) return;
		this.#armed = false;
		this.#host.requestUpdate();
	}

	hostDisconnected(): void {
		this.reset();
	}
}
