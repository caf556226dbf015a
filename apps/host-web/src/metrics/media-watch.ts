import type { Engine, MediaTypes } from '@luwte/engine';

type Worker = MediaTypes.Worker;
type Transport = MediaTypes.Transport;
type Consumer = MediaTypes.Consumer;
type Layers = MediaTypes.ConsumerLayers;

/** What one worker carries now, kept from mediasoup's observer events (no request to the worker). */
export interface WorkerMedia {
	index: number;
	worker: Worker;
	transports: Set<Transport>;
	consumers: Set<Consumer>;
}

/** Bytes through the transports sampled at one scrape, and their congestion controllers' loss. */
export interface WorkerTraffic {
	index: number;
	bytesIn: number;
	bytesOut: number;
	/** Mean loss (0..1) the transports saw on what they received / sent; undefined: none measured. */
	lossIn: number | undefined;
	lossOut: number | undefined;
	sampled: number;
}

/** The part of a transport's stats read here (every transport type reports these). */
interface TransportTraffic {
	bytesReceived: number;
	bytesSent: number;
	rtpPacketLossReceived?: number | undefined;
	rtpPacketLossSent?: number | undefined;
}

/** At most this many transports per worker are asked for their stats per scrape (each is a round trip to the worker). */
export const MAX_SAMPLED_TRANSPORTS = 32;
/** A scrape never waits longer than this for a worker's stats; what did not answer is left out. */
const SAMPLE_TIMEOUT_MS = 1000;

/**
 * Follows every worker of the engine through mediasoup's observer events: its transports and
 * consumers (for counts per worker) and the layer changes of simulcast consumers (ABR switches).
 * Counting from events costs nothing per scrape; only the traffic sample asks the worker.
 */
export class MediaWatch {
	readonly #workers = new Map<number, WorkerMedia>();
	/** Bytes already counted per transport, so that each scrape adds only what is new. */
	readonly #counted = new WeakMap<Transport, { in: number; out: number }>();
	readonly #onSwitch: (kind: 'spatial' | 'temporal') => void;
	/** Where the next traffic sample starts, per worker: a large worker is covered over several scrapes. */
	readonly #cursor = new Map<number, number>();

	constructor(engine: Engine, onSwitch: (kind: 'spatial' | 'temporal') => void) {
		this.#onSwitch = onSwitch;
		for (const slot of engine.workers.slots) this.#watch(slot.index, slot.worker);
		// A replaced worker starts empty; the dead one's routers, transports and consumers are gone.
		engine.events.on('worker.died', (e) => this.#workers.delete(e.workerIndex));
		engine.events.on('worker.replaced', (e) => {
			const slot = engine.workers.slots.find((s) => s.index === e.workerIndex);
			if (slot) this.#watch(slot.index, slot.worker);
		});
	}

	workers(): WorkerMedia[] {
		return [...this.#workers.values()];
	}

	/**
	 * Asks up to `MAX_SAMPLED_TRANSPORTS` transports per worker for their stats (bounded in time).
	 * Bytes are counted once per transport as they grow; what a transport carried after its last
	 * sample and before it closed is not counted.
	 */
	async sampleTraffic(): Promise<WorkerTraffic[]> {
		return Promise.all(
			this.workers().map(async (w) => {
				const all = [...w.transports].filter((t) => !t.closed);
				const start = all.length > MAX_SAMPLED_TRANSPORTS ? (this.#cursor.get(w.index) ?? 0) % all.length : 0;
				const picked = [...all.slice(start), ...all.slice(0, start)].slice(0, MAX_SAMPLED_TRANSPORTS);
				this.#cursor.set(w.index, start + picked.length);
				const stats = await Promise.all(
					picked.map((t) => withTimeout(t.getStats().then((s) => ({ t, s: (s as TransportTraffic[])[0] })))),
				);
				const traffic: WorkerTraffic = {
					index: w.index,
					bytesIn: 0,
					bytesOut: 0,
					lossIn: undefined,
					lossOut: undefined,
					sampled: 0,
				};
				const lossIn: number[] = [];
				const lossOut: number[] = [];
				for (const r of stats) {
					if (!r?.s) continue;
					traffic.sampled++;
					const before = this.#counted.get(r.t) ?? { in: 0, out: 0 };
					traffic.bytesIn += Math.max(0, r.s.bytesReceived - before.in);
					traffic.bytesOut += Math.max(0, r.s.bytesSent - before.out);
					this.#counted.set(r.t, { in: r.s.bytesReceived, out: r.s.bytesSent });
					if (r.s.rtpPacketLossReceived !== undefined) lossIn.push(r.s.rtpPacketLossReceived);
					if (r.s.rtpPacketLossSent !== undefined) lossOut.push(r.s.rtpPacketLossSent);
				}
				traffic.lossIn = mean(lossIn);
				traffic.lossOut = mean(lossOut);
				return traffic;
			}),
		);
	}

	#watch(index: number, worker: Worker): void {
		const media: WorkerMedia = { index, worker, transports: new Set(), consumers: new Set() };
		this.#workers.set(index, media);
		worker.observer.on('newrouter', (router) => {
			router.observer.on('newtransport', (transport) => {
				media.transports.add(transport);
				transport.observer.once('close', () => media.transports.delete(transport));
				transport.observer.on('newconsumer', (consumer) => {
					media.consumers.add(consumer);
					consumer.observer.once('close', () => media.consumers.delete(consumer));
					if (consumer.type === 'simulcast' || consumer.type === 'svc') this.#followLayers(consumer);
				});
			});
		});
	}

	/** Counts switches the way the ABR driver does: a spatial one when the resolution changes, else a temporal one. */
	#followLayers(consumer: Consumer): void {
		let last: Layers | undefined;
		consumer.observer.on('layerschange', (layers?: Layers) => {
			if (!layers) return;
			if (last) {
				if (layers.spatialLayer !== last.spatialLayer) this.#onSwitch('spatial');
				else if (layers.temporalLayer !== last.temporalLayer) this.#onSwitch('temporal');
			}
			last = layers;
		});
	}
}

function mean(xs: number[]): number | undefined {
	return xs.length === 0 ? undefined : xs.reduce((a, b) => a + b, 0) / xs.length;
}

async function withTimeout<T>(p: Promise<T>): Promise<T | undefined> {
	let timer: NodeJS.Timeout | undefined;
	const timeout = new Promise<undefined>((resolve) => {
		timer = setTimeout(() => resolve(undefined), SAMPLE_TIMEOUT_MS);
	});
	try {
		return await Promise.race([p.catch(() => undefined), timeout]);
	} finally {
		clearTimeout(timer);
	}
}
