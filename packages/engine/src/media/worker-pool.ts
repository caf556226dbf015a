import { reserveUdpPortRange } from '../recording/udp-ports.ts';
import { networkInterfaces } from 'node:os';
import { messageOf } from '@luwte/errors';
import * as mediasoup from 'mediasoup';
import type { types } from 'mediasoup';
import type { EngineConfig } from '../config.ts';
import { EngineError } from '../errors.ts';
import type { EngineEvents, TypedEmitter } from '../events.ts';
import { defaultLogger, type Logger } from '../log/logger.ts';

/** One mediasoup worker with its WebRtcServer (one UDP+TCP port for all its WebRTC transports). */
export interface WorkerSlot {
	readonly index: number;
	readonly worker: types.Worker;
	readonly webRtcServer: types.WebRtcServer;
	readonly port: number;
	/** Live WebRTC/Plain transports plus routers: the placement weight. */
	load: number;
}

/** Counts a router or transport in its worker's load until it closes. */
export function addLoad(
	slot: WorkerSlot,
	item: { readonly closed: boolean; readonly observer: types.RouterObserver | types.TransportObserver },
): void {
	if (item.closed) return;
	slot.load++;
	(item.observer as types.TransportObserver).once('close', () => {
		slot.load--;
	});
}

export type WorkerLostHandler = (lost: WorkerSlot, replacement: WorkerSlot | undefined) => void;

/**
 * One worker per core, each with a WebRtcServer on its own port of the configured range.
 * New routers go to the least-loaded worker. A worker that dies is reported and replaced on
 * a free port; the owners of its routers are told through `onWorkerLost`.
 */
export class WorkerPool {
	readonly #config: EngineConfig;
	readonly #events: TypedEmitter<EngineEvents>;
	readonly #slots: (WorkerSlot | undefined)[] = [];
	readonly #portsInUse = new Set<number>();
	readonly #lostHandlers = new Set<WorkerLostHandler>();
	readonly #log: Logger;
	#closed = false;

	private constructor(config: EngineConfig, events: TypedEmitter<EngineEvents>, log: Logger) {
		this.#config = config;
		this.#events = events;
		this.#log = log;
	}

	static async create(config: EngineConfig, events: TypedEmitter<EngineEvents>, log: Logger = defaultLogger()): Promise<WorkerPool> {
		const pool = new WorkerPool(config, events, log);
		try {
			for (let i = 0; i < config.workerCount; i++) pool.#slots[i] = await pool.#startSlot(i);
		} catch (err) {
			pool.close();
			throw err;
		}
		return pool;
	}

	get size(): number {
		return this.#slots.filter((s) => s !== undefined).length;
	}

	get slots(): readonly WorkerSlot[] {
		return this.#slots.filter((s): s is WorkerSlot => s !== undefined);
	}

	onWorkerLost(handler: WorkerLostHandler): () => void {
		this.#lostHandlers.add(handler);
		return () => this.#lostHandlers.delete(handler);
	}

	/** The live worker with the least load (ties: lowest index, for predictable placement). */
	leastLoaded(): WorkerSlot {
		let best: WorkerSlot | undefined;
		for (const slot of this.#slots) {
			if (slot && !slot.worker.closed && (!best || slot.load < best.load)) best = slot;
		}
		if (!best) throw new EngineError('unavailable', 'no mediasoup worker is running');
		return best;
	}

	close(): void {
		this.#closed = true;
		for (const slot of this.#slots) slot?.worker.close();
		this.#slots.length = 0;
		this.#portsInUse.clear();
	}

	#nextFreePort(): number {
		const { min, max } = this.#config.webRtc.portRange;
		for (let p = min; p <= max; p++) if (!this.#portsInUse.has(p)) return p;
		throw new EngineError('unavailable', `no free port left in webRtc.portRange ${min}-${max}`);
	}

	async #startSlot(index: number): Promise<WorkerSlot> {
		const cfg = this.#config;
		reserveUdpPortRange(cfg.rtpPortRange);
		const worker = await mediasoup.createWorker({
			logLevel: cfg.logLevel,
			rtcMinPort: cfg.rtpPortRange.min,
			rtcMaxPort: cfg.rtpPortRange.max,
			...(cfg.workerBin ? { workerBin: cfg.workerBin } : {}),
			appData: { index },
		});
		const port = this.#nextFreePort();
		this.#portsInUse.add(port);
		const announcedAddress = announcedAddressFor(cfg.webRtc.listenIp, cfg.webRtc.announcedAddress);
		let webRtcServer: types.WebRtcServer;
		try {
			const listen = (protocol: 'udp' | 'tcp'): types.TransportListenInfo => ({
				protocol,
				ip: cfg.webRtc.listenIp,
				port,
				...(announcedAddress ? { announcedAddress } : {}),
			});
			webRtcServer = await worker.createWebRtcServer({
				listenInfos: cfg.webRtc.enableTcp ? [listen('udp'), listen('tcp')] : [listen('udp')],
			});
		} catch (err) {
			this.#portsInUse.delete(port);
			worker.close();
			throw new EngineError('unavailable', `cannot listen on WebRTC port ${port}: ${(err as Error).message}`, { cause: err });
		}
		const slot: WorkerSlot = { index, worker, webRtcServer, port, load: 0 };
		worker.on('died', (error) => void this.#replace(slot, error));
		return slot;
	}

	async #replace(dead: WorkerSlot, error: Error): Promise<void> {
		this.#events.emit('worker.died', {
			at: Date.now(),
			workerIndex: dead.index,
			pid: dead.worker.pid,
			error: error.message,
		});
		if (this.#slots[dead.index] === dead) this.#slots[dead.index] = undefined;
		let replacement: WorkerSlot | undefined;
		if (!this.#closed) {
			try {
				replacement = await this.#startSlot(dead.index);
				this.#slots[dead.index] = replacement;
				this.#events.emit('worker.replaced', {
					at: Date.now(),
					workerIndex: dead.index,
					pid: replacement.worker.pid,
				});
			} catch (err) {
				// Left empty: the other workers carry on, and health reports fewer workers.
				this.#log.error('engine.worker_not_replaced', { worker: dead.index, error: messageOf(err) });
			}
		}
		// The dead process no longer holds its port; free it only after the replacement took
		// another one, so late packets for the old server never reach the new one.
		this.#portsInUse.delete(dead.port);
		for (const handler of this.#lostHandlers) handler(dead, replacement);
	}
}

/**
 * The address clients are told to send media to. Listening on all interfaces gives clients
 * nothing usable (0.0.0.0), so without a configured address the machine's first external IPv4
 * address is announced (loopback when it has none). Behind NAT, configure it.
 */
export function announcedAddressFor(listenIp: string, configured: string | undefined): string | undefined {
	if (configured) return configured;
	if (listenIp !== '0.0.0.0' && listenIp !== '::') return undefined;
	for (const addrs of Object.values(networkInterfaces())) {
		for (const a of addrs ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
	}
	return '127.0.0.1';
}
