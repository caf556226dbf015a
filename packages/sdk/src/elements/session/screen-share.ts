import type { ReactiveControllerHost } from 'lit';
import type { SessionClient } from '../../client/index.ts';

/**
 * A host's shared screen: the browser asks which screen or window (at most 15 frames a second,
 * no sound) unless a track is given, and the browser's own "stop sharing" ends it here too.
 * Not a controller: the share ends with the session, which the element leaves itself.
 */
export class ScreenShare {
	readonly #host: ReactiveControllerHost;
	readonly #client: () => SessionClient | undefined;
	#sharing = false;

	constructor(host: ReactiveControllerHost, client: () => SessionClient | undefined) {
		this.#host = host;
		this.#client = client;
	}

	get sharing(): boolean {
		return this.#sharing;
	}

	async start(track?: MediaStreamTrack): Promise<void> {
		const client = this.#client();
		if (!client || this.#sharing) return;
		let screen = track;
		if (!screen) {
			try {
				screen = (
					await navigator.mediaDevices.getDisplayMedia({ video: { frameRate: { max: 15 } }, audio: false })
				).getVideoTracks()[0];
			} catch {
				return; // The person chose not to share.
			}
		}
		if (!screen) return;
		screen.addEventListener('ended', () => void this.stop());
		await client.shareScreen(screen);
		this.#sharing = true;
		this.#host.requestUpdate();
	}

	async stop(): Promise<void> {
		if (!this.#sharing) return;
		this.#sharing = false;
		this.#host.requestUpdate();
		await this.#client()?.stopScreenShare();
	}

	async toggle(): Promise<void> {
		await (this.#sharing ? this.stop() : this.start());
	}
}
