/**
 * A token bucket: `ratePerSecond` messages on average, bursts up to `burst`. A real client sends
 * a few dozen messages while joining and then next to nothing, so these limits only stop floods.
 */
export class TokenBucket {
	readonly #rate: number;
	readonly #burst: number;
	readonly #clock: () => number;
	#tokens: number;
	#last: number;

	constructor(ratePerSecond: number, burst: number, clock: () => number = () => performance.now()) {
		this.#rate = ratePerSecond;
		this.#burst = burst;
		this.#clock = clock;
		this.#tokens = burst;
		this.#last = clock();
	}

	/** Takes one token; false when the bucket is empty. */
	take(): boolean {
		const now = this.#clock();
		this.#tokens = Math.min(this.#burst, this.#tokens + ((now - this.#last) / 1000) * this.#rate);
		this.#last = now;
		if (this.#tokens < 1) return false;
		this.#tokens -= 1;
		return true;
	}
}
