import type { types } from 'mediasoup';
import type { EngineConfig } from '../config.ts';
import { EngineError } from '../errors.ts';
import { routerMediaCodecs } from '../media/codecs.ts';
import type { WorkerPool, WorkerSlot } from '../media/worker-pool.ts';
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
 * A session's mediasoup router and the transports on it: the router is allocated on the
 * least-loaded worker at first need, counted in that worker's load with every transport on it,
 * and forgotten when its worker dies.
 */
export class SessionRouter {
	readonly #sessionId: string;
	readonly #config: EngineConfig;
	readonly #pool: WorkerPool;
	#slot: WorkerSlot | undefined;
	#router: types.Router | undefined;
	#pending: Promise<types.Router> | undefined;

	constructor(sessionId: string, config: EngineConfig, pool: WorkerPool) {
		this.#sessionId = sessionId;
		this.#config = config;
		this.#pool = pool;
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
			slot.load++;
			router.observer.once('close', () => {
				slot.load--;
			});
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
		const { router, slot } = this.#media();
		const transport = await router.createWebRtcTransport({
			webRtcServer: slot.webRtcServer,
			enableUdp: true,
			enableTcp: this.#config.webRtc.enableTcp,
			preferUdp: true,
			initialAvailableOutgoingBitrate: this.#config.initialAvailableOutgoingBitrate,
			appData: { participantId: participant.id, direction },
		});
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

	/** Forgets the router when `dead` was its worker; true when it was. */
	lost(dead: WorkerSlot): boolean {
		if (this.#slot !== dead) return false;
		this.#router = undefined;
		this.#slot = undefined;
		this.#pending = undefined;
		return true;
	}

	close(): void {
		this.#router?.close();
		this.#router = undefined;
		this.#slot = undefined;
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
		slot.load++;
		(transport as types.Transport).observer.once('close', () => {
			slot.load--;
		});
		participant.transports.set(transport.id, { transport, direction });
	}
}
