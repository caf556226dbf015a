/**
 * Tells whether a remote audio track carries speech, calmly: "speaking" only after the level
 * stayed up for a while, "quiet" only after a longer silence, so the indicator never flickers.
 */
export class SpeakingDetector {
	readonly #ctx: AudioContext;
	readonly #analyser: AnalyserNode;
	readonly #source: MediaStreamAudioSourceNode;
	readonly #buf: Float32Array<ArrayBuffer>;
	readonly #timer: ReturnType<typeof setInterval>;
	#loudSince: number | undefined;
	#quietSince: number | undefined;
	speaking = false;

	constructor(
		track: MediaStreamTrack,
		onChange: (speaking: boolean) => void,
		opts = { threshold: 0.02, onAfterMs: 300, offAfterMs: 1200 },
	) {
		this.#ctx = new AudioContext();
		this.#source = this.#ctx.createMediaStreamSource(new MediaStream([track]));
		this.#analyser = this.#ctx.createAnalyser();
		this.#analyser.fftSize = 1024;
		this.#source.connect(this.#analyser);
		this.#buf = new Float32Array(this.#analyser.fftSize);
		this.#timer = setInterval(() => {
			this.#analyser.getFloatTimeDomainData(this.#buf);
			let sum = 0;
			for (const v of this.#buf) sum += v * v;
			const loud = Math.sqrt(sum / this.#buf.length) > opts.threshold;
			const now = performance.now();
			if (loud) {
				this.#quietSince = undefined;
				this.#loudSince ??= now;
				if (!this.speaking && now - this.#loudSince >= opts.onAfterMs) {
					this.speaking = true;
					onChange(true);
				}
			} else {
				this.#loudSince = undefined;
				this.#quietSince ??= now;
				if (this.speaking && now - this.#quietSince >= opts.offAfterMs) {
					this.speaking = false;
					onChange(false);
				}
			}
		}, 100);
	}

	stop(): void {
		clearInterval(this.#timer);
		this.#source.disconnect();
		void this.#ctx.close();
	}
}
