import type { types } from 'mediasoup';
import type { EngineConfig } from '../config.ts';
import { EngineError } from '../errors.ts';
import { routerMediaCodecs } from '../media/codecs.ts';
import { addLoad, type WorkerPool, type WorkerSlot } from '../media/worker-pool.ts';
import { countRouter, EdgeRouters, type RouterPlacement } from './edge-routers.ts';
import { connectionGone } from './guards.ts';
import {
	participantLimits,
	type MediaTransport,
	type Participant,
	type PlainTransportInfo,
	type TransportDirection,
	type TransportInfo,
} from './participant.ts';

/**
 * A session's mediasoup routers and the transports on them. The origin router is allocated on the
 * least-loaded worker at first need and holds every producer; it is counted in that worker's load
 * with every transport on it, and forgotten when its worker dies. Once the origin's worker carries
 * more than `spreadAboveLoad`, viewers receive on routers of other workers (`EdgeRouters`), fed by
 * pipes: docs/scaling.md.
 */
export class SessionRouter {
	readonly #sessionId: string;
	readonly #config: EngineConfig;
	readonly #pool: WorkerPool;
	#slot: WorkerSlot | undefined;
	#router: types.Router | undefined;
	#pending: Promise<types.Router> | undefined;
	readonly #edges: EdgeRouters;

	constructor(sessionId: string, config: EngineConfig, pool: WorkerPool) {
		this.#sessionId = sessionId;
		this.#config = config;
		this.#pool = pool;
		this.#edges = new EdgeRouters(sessionId);
	}

	get workerIndex(): number | undefined {
		return this.#slot?.index;
	}

	/** The router as allocated (undefined before the first join, after the end or a worker loss). */
	get current(): types.Router | undefined {
		return this.#router;
	}

	/** The router, allocating it once however many joins ask at the same time. */
	async ensure(): Promise<types.Router> {
		if (this.#router && !this.#router.closed) return this.#router;
		this.#pending ??= (async () => {
			const slot = this.#pool.leastLoaded();
			const router = await slot.worker.createRouter({ mediaCodecs: routerMediaCodecs, appData: { sessionId: this.#sessionId } });
			countRouter(slot, router);
			this.#slot = slot;
			this.#router = router;
			return router;
		})().finally(() => {
			this.#pending = undefined;
		});
		return this.#pending;
	}

	async createWebRtcTransport(participant: Participant, direction: TransportDirection): Promise<TransportInfo> {
		if (participant.transports.size >= participantLimits.transports) {
			throw new EngineError('conflict', `at most ${participantLimits.transports} transports per connection`);
		}
		const origin = this.#media();
		const create = (router: types.Router, slot: WorkerSlot) =>
			router.createWebRtcTransport({
				webRtcServer: slot.webRtcServer,
				enableUdp: true,
				enableTcp: this.#config.webRtc.enableTcp,
				preferUdp: true,
				initialAvailableOutgoingBitrate: this.#config.initialAvailableOutgoingBitrate,
				appData: { participantId: participant.id, direction },
			});
		// Viewers only receive (nothing of theirs has to reach the origin), so they are the ones spread.
		const edge = direction === 'recv' && participant.role === 'viewer' ? this.#spreadTarget(origin.slot) : undefined;
		const slot = edge ?? origin.slot;
		const transport = edge
			? await this.#edges.place(edge, participant.id, (router) => create(router, edge))
			: await create(origin.router, origin.slot);
		this.#track(participant, transport, direction, slot);
		if (direction === 'send') await transport.setMaxIncomingBitrate(this.#config.maxIncomingBitrate);
		return {
			id: transport.id,
			direction,
			iceParameters: transport.iceParameters,
			iceCandidates: transport.iceCandidates,
			dtlsParameters: transport.dtlsParameters,
		};
	}

	async createPlainTransport(
		participant: Participant,
		direction: TransportDirection,
		opts: { comedia?: boolean; rtcpMux?: boolean; listenIp?: string },
	): Promise<PlainTransportInfo> {
		const { router, slot } = this.#media();
		const transport = await router.createPlainTransport({
			listenInfo: { protocol: 'udp', ip: opts.listenIp ?? '127.0.0.1' },
			rtcpMux: opts.rtcpMux ?? true,
			comedia: opts.comedia ?? direction === 'send',
			appData: { participantId: participant.id, direction },
		});
		this.#track(participant, transport, direction, slot);
		return {
			id: transport.id,
			direction,
			localIp: transport.tuple.localAddress ?? transport.tuple.localIp,
			localPort: transport.tuple.localPort,
			localRtcpPort: transport.rtcpTuple?.localPort,
		};
	}

	/** Points a plain transport at its remote end (not needed with comedia). */
	async connectPlainTransport(
		participant: Participant,
		transportId: string,
		remote: { ip: string; port: number; rtcpPort?: number },
	): Promise<void> {
		const { transport } = participant.transport(transportId);
		if (!('tuple' in transport) || 'iceParameters' in transport) {
			throw new EngineError('invalid_argument', 'not a plain transport');
		}
		await (transport as types.PlainTransport).connect({
			ip: remote.ip,
			port: remote.port,
			...(remote.rtcpPort !== undefined ? { rtcpPort: remote.rtcpPort } : {}),
		});
	}

	async connectTransport(participant: Participant, transportId: string, dtlsParameters: types.DtlsParameters): Promise<void> {
		const { transport } = participant.transport(transportId);
		if (!('iceParameters' in transport)) throw new EngineError('invalid_argument', 'not a WebRTC transport');
		try {
			await transport.connect({ dtlsParameters });
		} catch (err) {
			throw new EngineError('invalid_argument', `cannot connect transport: ${(err as Error).message}`, { cause: err });
		}
	}

	/**
	 * The router a consumer of `producer` on `transport` must be made on: the origin, or the
	 * transport's edge router with the producer piped there. Undefined without an origin router.
	 */
	async routerFor(transport: { id: string }, producer: types.Producer): Promise<types.Router | undefined> {
		const origin = this.#router;
		if (!origin || origin.closed) return undefined;
		return this.#edges.routerFor(transport, origin, producer);
	}

	/** Where this session's media runs: the origin router first, then the edge routers. */
	placement(receivers: { id: string; recvTransport: { id: string; closed: boolean } | undefined }[]): RouterPlacement[] {
		const edges = this.#edges.placement();
		if (!this.#router || !this.#slot) return edges;
		const elsewhere = new Set(edges.flatMap((e) => e.receivers));
		const here = receivers.filter((p) => p.recvTransport && !p.recvTransport.closed && !elsewhere.has(p.id)).map((p) => p.id);
		return [{ workerIndex: this.#slot.index, routerId: this.#router.id, origin: true, receivers: here, pipes: 0 }, ...edges];
	}

	/**
	 * Forgets what ran on `dead`: 'origin' when it was the origin's worker (the session has no
	 * media), else 'other' (an edge router of this session may have been there: its transports
	 * closed with it, and may already have released it).
	 */
	lost(dead: WorkerSlot): 'origin' | 'other' {
		if (this.#slot !== dead) {
			this.#edges.lost(dead);
			return 'other';
		}
		this.#edges.close();
		this.#router = undefined;
		this.#slot = undefined;
		this.#pending = undefined;
		return 'origin';
	}

	close(): void {
		// The origin's close also closes its ends of the pipes, and mediasoup the other ends.
		this.#router?.close();
		this.#edges.close();
		this.#router = undefined;
		this.#slot = undefined;
	}

	/**
	 * Where a new viewer receives: nowhere else (undefined) while the origin's worker is at or under
	 * the threshold; past it, the least-loaded worker, another one on a tie.
	 */
	#spreadTarget(origin: WorkerSlot): WorkerSlot | undefined {
		if (origin.load <= this.#config.spreadAboveLoad) return undefined;
		let best: WorkerSlot | undefined;
		for (const slot of this.#pool.slots) {
			if (slot === origin || slot.worker.closed) continue;
			if (!best || slot.load < best.load) best = slot;
		}
		return best && best.load <= origin.load ? best : undefined;
	}

	#media(): { router: types.Router; slot: WorkerSlot } {
		if (!this.#router || !this.#slot) throw new EngineError('unavailable', 'session has no media router');
		return { router: this.#router, slot: this.#slot };
	}

	/** Registers a new transport with its participant and its worker's load. */
	#track(participant: Participant, transport: MediaTransport, direction: TransportDirection, slot: WorkerSlot): void {
		if (participant.closed) {
			transport.close();
			throw connectionGone();
		}
		if (participant.transports.size >= participantLimits.transports) {
			transport.close();
			throw new EngineError('conflict', `at most ${participantLimits.transports} transports per connection`);
		}
		addLoad(slot, transport as types.Transport);
		participant.transports.set(transport.id, { transport, direction });
	}
}
