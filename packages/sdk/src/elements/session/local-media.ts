import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { SessionClient } from '../../client/index.ts';
import { deviceProblemOf, errorNameOf, type DeviceProblemReport } from './device-problems.ts';

/** Calm video: 720p at most, 20 frames a second; echo cancellation and noise suppression on. */
const constraints = {
	video: { video: { width: { ideal: 1280 }, height: { ideal: 720 }, frameRate: { ideal: 20, max: 30 } } },
	audio: { audio: { echoCancellation: true, noiseSuppression: true } },
} as const satisfies Record<'video' | 'audio', MediaStreamConstraints>;

const deviceOf = { video: 'camera', audio: 'microphone' } as const;

/**
 * This person's camera and microphone: the check before joining, and on/off while in the room.
 * The tracks stop when the element leaves the page. A device that cannot be used (refused, none,
 * held by another program, gone while in use) is told to `onProblem`; joining goes on without it.
 */
export class LocalMedia implements ReactiveController {
	readonly #host: ReactiveControllerHost;
	readonly #onProblem: (problem: DeviceProblemReport) => void;
	#stream: MediaStream | undefined;
	#hasCam = false;
	#hasMic = false;
	#ready = false;
	#micOn = true;
	#camOn = true;
	/** Bumped by `stop()`: a check still waiting for the browser then stops what it gets. */
	#generation = 0;
	#checked: Promise<void> | undefined;

	constructor(host: ReactiveControllerHost, onProblem: (problem: DeviceProblemReport) => void = () => undefined) {
		this.#host = host;
		this.#onProblem = onProblem;
		host.addController(this);
	}

	/** Camera and microphone as one stream, after `start()`. */
	get stream(): MediaStream | undefined {
		return this.#stream;
	}
	get hasCam(): boolean {
		return this.#hasCam;
	}
	get hasMic(): boolean {
		return this.#hasMic;
	}
	/** The check is done (with or without devices): joining may start. */
	get ready(): boolean {
		return this.#ready;
	}
	/** Resolves when the check is done; at once when none was started. */
	whenReady(): Promise<void> {
		return this.#checked ?? Promise.resolve();
	}
	get micOn(): boolean {
		return this.#micOn;
	}
	get camOn(): boolean {
		return this.#camOn;
	}

	hostDisconnected(): void {
		this.stop();
	}

	/**
	 * Asks for the camera and the microphone, each on its own; `publishing` false (a viewer) asks
	 * for neither. Until both answers are in (the browser may be asking for permission), `ready`
	 * is false: the preview then says it is checking, never that there is no camera.
	 */
	start(publishing: boolean): Promise<void> {
		this.#checked = this.#check(publishing);
		return this.#checked;
	}

	async #check(publishing: boolean): Promise<void> {
		// Without getUserMedia (a page not served over HTTPS) nobody can be seen or heard.
		const unsupported = publishing && !navigator.mediaDevices?.getUserMedia;
		if (!publishing || unsupported) {
			this.#ready = true;
			this.#host.requestUpdate();
			if (unsupported) for (const device of ['camera', 'microphone'] as const) this.#onProblem({ device, problem: 'unsupported' });
			return;
		}
		const generation = this.#generation;
		const tracks: MediaStreamTrack[] = [];
		const problems: DeviceProblemReport[] = [];
		for (const kind of ['video', 'audio'] as const) {
			try {
				tracks.push(...(await navigator.mediaDevices.getUserMedia(constraints[kind])).getTracks());
			} catch (err) {
				// No device or no permission: joining still works without it; the page is told.
				const error = errorNameOf(err);
				problems.push({ device: deviceOf[kind], problem: deviceProblemOf(err), ...(error ? { error } : {}) });
			}
		}
		if (generation !== this.#generation) {
			// Stopped (the element left the page, or turned out to be a viewer's) while the browser asked.
			for (const tr of tracks) tr.stop();
			this.#ready = true;
			return;
		}
		for (const tr of tracks) this.#watch(tr, generation);
		this.#stream = new MediaStream(tracks);
		this.#hasCam = this.#stream.getVideoTracks().length > 0;
		this.#hasMic = this.#stream.getAudioTracks().length > 0;
		this.#ready = true;
		this.#host.requestUpdate();
		for (const p of problems) this.#onProblem(p);
	}

	/**
	 * A track that ends by itself (unplugged, permission taken back, the driver gave up) is a lost
	 * device; `stop()` ends tracks without this event, and bumps the generation besides.
	 */
	#watch(track: MediaStreamTrack, generation: number): void {
		track.addEventListener(
			'ended',
			() => {
				if (generation !== this.#generation) return;
				if (track.kind === 'video') this.#hasCam = false;
				else this.#hasMic = false;
				this.#host.requestUpdate();
				this.#onProblem({ device: track.kind === 'video' ? 'camera' : 'microphone', problem: 'lost' });
			},
			{ once: true },
		);
	}

	/** Sends the camera and the microphone into the session, muted there if they are off here. */
	async publish(client: Pick<SessionClient, 'publish' | 'mute'>): Promise<void> {
		if (!this.#stream) return;
		const camera = this.#stream.getVideoTracks()[0];
		const microphone = this.#stream.getAudioTracks()[0];
		await client.publish({ ...(camera ? { camera } : {}), ...(microphone ? { microphone } : {}) });
		if (!this.#micOn) await client.mute('microphone');
		if (!this.#camOn) await client.mute('camera');
	}

	/** The microphone button: switches it here, then in the session if there is one. */
	async toggleMic(client: Pick<SessionClient, 'mute' | 'unmute'> | undefined): Promise<void> {
		const on = !this.#micOn;
		this.setMic(on);
		await (on ? client?.unmute('microphone') : client?.mute('microphone'));
	}

	async toggleCam(client: Pick<SessionClient, 'mute' | 'unmute'> | undefined): Promise<void> {
		const on = !this.#camOn;
		this.setCam(on);
		await (on ? client?.unmute('camera') : client?.mute('camera'));
	}

	/** Switches the microphone here (the caller tells the server). */
	setMic(on: boolean): void {
		this.#micOn = on;
		for (const tr of this.#stream?.getAudioTracks() ?? []) tr.enabled = on;
		this.#host.requestUpdate();
	}

	setCam(on: boolean): void {
		this.#camOn = on;
		for (const tr of this.#stream?.getVideoTracks() ?? []) tr.enabled = on;
		this.#host.requestUpdate();
	}

	stop(): void {
		this.#generation++;
		for (const tr of this.#stream?.getTracks() ?? []) tr.stop();
		this.#stream = undefined;
	}
}
