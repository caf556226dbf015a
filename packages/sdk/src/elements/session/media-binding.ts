import type { ReactiveController, ReactiveControllerHost } from 'lit';

/**
 * Keeps every `<video>`/`<audio>` with a `data-track` bound to its stream after each update
 * (`streamOf` by track ID, `self` for this person's own); rebinding the same stream is a no-op.
 */
export class MediaBinding implements ReactiveController {
	readonly #host: ReactiveControllerHost & { readonly renderRoot: ParentNode };
	readonly #streamOf: (id: string) => MediaStream | undefined;

	constructor(host: ReactiveControllerHost & { readonly renderRoot: ParentNode }, streamOf: (id: string) => MediaStream | undefined) {
		this.#host = host;
		this.#streamOf = streamOf;
		host.addController(this);
	}

	hostUpdated(): void {
		for (const el of this.#host.renderRoot.querySelectorAll<HTMLMediaElement>('video[data-track], audio[data-track]')) {
			const stream = this.#streamOf(el.dataset.track ?? '');
			if (stream && el.srcObject !== stream) el.srcObject = stream;
		}
	}
}
