/** Told about an error a listener threw; the other listeners and the emitting code carry on. */
export type ListenerErrorHandler = (error: unknown, event: PropertyKey) => void;

/** The default: the page's console, so a broken listener is seen without breaking the session. */
export const logListenerError: ListenerErrorHandler = (error, event) => {
	console.error(`[luwte] a listener for "${String(event)}" threw`, error);
};

/** A tiny typed event emitter that works the same in browsers and Node. */
export class Emitter<Events extends object> {
	readonly #listeners = new Map<keyof Events, Set<(payload: never) => void>>();
	readonly #onListenerError: ListenerErrorHandler;

	constructor(onListenerError: ListenerErrorHandler = logListenerError) {
		this.#onListenerError = onListenerError;
	}

	on<K extends keyof Events>(event: K, listener: (payload: Events[K]) => void): () => void {
		let set = this.#listeners.get(event);
		if (!set) {
			set = new Set();
			this.#listeners.set(event, set);
		}
		set.add(listener as (payload: never) => void);
		return () => this.off(event, listener);
	}

	off<K extends keyof Events>(event: K, listener: (payload: Events[K]) => void): void {
		this.#listeners.get(event)?.delete(listener as (payload: never) => void);
	}

	/**
	 * Calls every listener of `event` in the order they were added. A listener that throws is
	 * reported and skipped: a page's bug must not break the session or the other listeners.
	 */
	protected safeEmit<K extends keyof Events>(event: K, payload: Events[K]): void {
		// A copy: a listener may add or remove listeners while we go through them.
		for (const l of [...(this.#listeners.get(event) ?? [])]) {
			try {
				(l as (p: Events[K]) => void)(payload);
			} catch (err) {
				this.#report(err, event);
			}
		}
	}

	#report(err: unknown, event: keyof Events): void {
		try {
			this.#onListenerError(err, event as PropertyKey);
		} catch (handlerError) {
			// The page's own handler failed too: fall back to the console for both.
			logListenerError(
				new AggregateError([err, handlerError], 'a listener and the listener error handler threw'),
				event as PropertyKey,
			);
		}
	}
}
