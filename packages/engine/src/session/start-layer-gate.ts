import type { types } from 'mediasoup';
import { encodingIndexOf } from '../abr/ladder.ts';

/** How long a picture waits at most for its start layer; after that it begins on what is sent. */
export const START_LAYER_WAIT_MS = 2000;
/**
 * How long a lower layer must have been seen sent before the picture begins on it instead. The
 * layers of a starting sender come milliseconds apart; a sender that has sent its lower layers for
 * this long without the start layer (a weak uplink: the browser leaves out its upper layers) will
 * not send it soon, and its viewers should not wait the full two seconds.
 */
export const LOWER_LAYER_GRACE_MS = 300;
const POLL_MS = 40;

/**
 * Holds a simulcast picture's resume until the layer it should begin on is sent. A browser starts
 * its simulcast layers a moment apart, often the top one first; mediasoup forwards what is sent,
 * so a consumer resumed in between begins on a higher layer and is stepped down to its preferred
 * layer when that comes, a second or two in. That is a visible switch at the very start, and
 * mediasoup cuts the frame in flight short by skipping a sequence number, which the viewer counts
 * as a lost packet and NACKs in vain. The wait is a few milliseconds in the usual case; a layer
 * that never comes costs at most START_LAYER_WAIT_MS. One stats request at a time per producer,
 * shared by all its consumers (a broadcast resumes hundreds at once).
 */
export class StartLayerGate {
	/** Per producer: the spatial layers seen sent, and since when (a layer once seen counts from then on). */
	readonly #live = new Map<string, Map<number, number>>();
	readonly #polls = new Map<string, Promise<void>>();
	readonly #producers = new Map<string, types.Producer>();

	/** Remembers a simulcast consumer's producer (the consumer may sit on an edge router). */
	track(consumer: types.Consumer, producer: types.Producer): void {
		if (consumer.type !== 'simulcast' || this.#producers.has(producer.id)) return;
		this.#producers.set(producer.id, producer);
		producer.observer.once('close', () => {
			this.#producers.delete(producer.id);
			this.#live.delete(producer.id);
			this.#polls.delete(producer.id);
		});
	}

	/**
	 * Resolves once the consumer's preferred spatial layer is sent, a lower one has been sent for
	 * LOWER_LAYER_GRACE_MS, the producer or consumer is gone, or `maxWaitMs` has passed; at once
	 * for anything but a tracked simulcast consumer.
	 */
	async ready(consumer: types.Consumer, maxWaitMs = START_LAYER_WAIT_MS): Promise<void> {
		const producer = this.#producers.get(consumer.producerId);
		if (consumer.type !== 'simulcast' || !producer) return;
		const deadline = performance.now() + maxWaitMs;
		const startable = () => {
			const live = this.#live.get(producer.id);
			if (!live) return false;
			const preferred = consumer.preferredLayers?.spatialLayer ?? 0;
			const now = performance.now();
			for (const [spatial, since] of live) {
				if (spatial === preferred || (spatial < preferred && now - since >= LOWER_LAYER_GRACE_MS)) return true;
			}
			return false;
		};
		for (;;) {
			if (startable() || producer.closed || consumer.closed || performance.now() >= deadline) return;
			await this.#poll(producer);
			if (startable()) return;
			await new Promise((r) => setTimeout(r, POLL_MS));
		}
	}

	#poll(producer: types.Producer): Promise<void> {
		const pending = this.#polls.get(producer.id);
		if (pending !== undefined) return pending;
		const p = producer
			.getStats()
			.then((stats) => {
				const live = this.#live.get(producer.id) ?? new Map<number, number>();
				const encodings = producer.rtpParameters.encodings ?? [];
				const now = performance.now();
				// A layer mediasoup will forward: packets received and a score above zero.
				for (const s of stats) {
					const spatial = encodingIndexOf(encodings, s);
					if (s.packetCount > 0 && s.score > 0 && !live.has(spatial)) live.set(spatial, now);
				}
				if (!producer.closed) this.#live.set(producer.id, live);
			})
			.catch(() => {})
			.finally(() => this.#polls.delete(producer.id));
		this.#polls.set(producer.id, p);
		return p;
	}
}
