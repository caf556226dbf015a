/** A tiny typed event emitter that works the same in browsers and Node. */
export class Emitter<Events extends object> {
	readonly #listeners = new Map<keyof Events, Set<(payload: never) => void>>();

	on<K extends keyof Events>(event: K, listener: (payload: Events[K]) => void): () => void {
		let set = this.#listeners.get(event);
		if (!set) this.#listeners.set(event, (set = new Set()));
		set.add(listener as (payload: never) => void);
		return () => this.off(event, listener);
	}

	off<K extends keyof Events>(event: K, listener: (payload: Events[K]) => void): void {
		this.#listeners.get(event)?.delete(listener as (payload: never) => void);
	}

	protected emit<K extends keyof Events>(event: K, payload: Events[K]): void {
		for (const l of [...(this.#listeners.get(event) ?? [])]) {
			try {
				(l as (p: Events[K]) => void)(payload);
			} catch (err) {
				// A page's listener must not break the session; surface it for debugging.
				queueMicrotask(() => {
					throw err;
				});
			}
		}
	}
}
