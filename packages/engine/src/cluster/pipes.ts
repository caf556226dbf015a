import type { types } from 'mediasoup';
import { EngineError } from '../errors.ts';
import type { HostMessage } from './messages.ts';

type Srtp = { cryptoSuite: string; keyBase64: string } | undefined;
type Tuple = { ip: string; port: number };

export interface PipeOptions {
	/** The address this host listens on for pipes (default all: 0.0.0.0). */
	listenIp: string;
	/** The address other hosts send to (this host's announced address). */
	pipeAddress: string;
	/** SRTP on the pipe (default on): off only where the link between hosts is private. */
	srtp: boolean;
}

interface Pair {
	transport: Promise<types.PipeTransport>;
	/** Connected to the other host's end (a pipe transport connects once). */
	connected: Promise<void> | undefined;
}

/**
 * The pipes of one session between this host and the others: one mediasoup PipeTransport per
 * other host (and run of it), on the session's router here, carrying every producer the other
 * side pulled. The side that pulls makes its end first and sends its address in the request;
 * the side that has the producer connects to it, consumes, and answers with its own address and
 * the consumer's RTP parameters; the puller then connects and makes a producer with the same ID.
 * RTCP (key frame requests, receiver reports) runs back over the same pipe; pause, resume and
 * close travel on the bus (mediasoup cannot signal them over a pipe between processes).
 */
export class SessionPipes {
	readonly #router: () => Promise<types.Router>;
	readonly #opts: PipeOptions;
	/** By `hostId/epoch` of the other end. */
	readonly #pairs = new Map<string, Pair>();
	#closed = false;

	constructor(router: () => Promise<types.Router>, opts: PipeOptions) {
		this.#router = router;
		this.#opts = opts;
	}

	/** Our end toward a host: its address and SRTP key, made on first use. */
	async localEnd(hostId: string, epoch: string): Promise<{ tuple: Tuple; srtp: Srtp }> {
		const t = await this.#pair(hostId, epoch).transport;
		return { tuple: tupleOf(t, this.#opts.pipeAddress), srtp: t.srtpParameters };
	}

	/** The producer side: answers a pull by consuming `producer` into the pipe toward the asking host. */
	async serve(
		req: Extract<HostMessage, { type: 'pull' }>,
		producer: types.Producer,
	): Promise<{ tuple: Tuple; srtp: Srtp; consumer: types.Consumer }> {
		const pair = this.#pair(req.from, req.epoch);
		const transport = await pair.transport;
		await this.#connect(pair, transport, req.tuple, req.srtp);
		const consumer = await transport.consume({ producerId: producer.id });
		return { tuple: tupleOf(transport, this.#opts.pipeAddress), srtp: transport.srtpParameters, consumer };
	}

	/** The pulling side: after the answer, connects our end and makes the piped producer (same ID as the original). */
	async receive(
		hostId: string,
		epoch: string,
		answer: Extract<HostMessage, { type: 'pulled' }>,
		producerId: string,
		appData: Record<string, unknown>,
	): Promise<types.Producer> {
		const pair = this.#pair(hostId, epoch);
		const transport = await pair.transport;
		await this.#connect(pair, transport, answer.tuple, answer.srtp);
		return transport.produce({
			id: producerId,
			kind: answer.kind,
			rtpParameters: answer.rtpParameters as types.RtpParameters,
			paused: answer.paused,
			appData,
		});
	}

	/** Closes the pipe toward a host (it is gone, or nothing of it is needed here any more). */
	drop(hostId: string, epoch?: string): void {
		for (const [key, pair] of this.#pairs) {
			const [h, e] = key.split('/') as [string, string];
			if (h !== hostId || (epoch !== undefined && e !== epoch)) continue;
			this.#pairs.delete(key);
			void pair.transport.then((t) => t.close()).catch(() => undefined);
		}
	}

	close(): void {
		this.#closed = true;
		for (const pair of this.#pairs.values()) void pair.transport.then((t) => t.close()).catch(() => undefined);
		this.#pairs.clear();
	}

	#pair(hostId: string, epoch: string): Pair {
		if (this.#closed) throw new EngineError('session_ended', 'this session has ended here');
		const key = `${hostId}/${epoch}`;
		let pair = this.#pairs.get(key);
		if (pair) return pair;
		const transport = this.#router().then((router) =>
			router.createPipeTransport({
				listenInfo: { protocol: 'udp', ip: this.#opts.listenIp, announcedAddress: this.#opts.pipeAddress },
				enableSrtp: this.#opts.srtp,
				enableRtx: true,
				appData: { peerHost: hostId },
			}),
		);
		pair = { transport, connected: undefined };
		this.#pairs.set(key, pair);
		const made = pair;
		const forget = () => {
			if (this.#pairs.get(key) === made) this.#pairs.delete(key);
		};
		transport.then((t) => t.observer.once('close', forget), forget);
		return pair;
	}

	#connect(pair: Pair, transport: types.PipeTransport, tuple: Tuple, srtp: Srtp): Promise<void> {
		pair.connected ??= transport.connect({
			ip: tuple.ip,
			port: tuple.port,
			...(srtp ? { srtpParameters: srtp as types.SrtpParameters } : {}),
		});
		return pair.connected;
	}
}

function tupleOf(t: types.PipeTransport, announced: string): Tuple {
	return { ip: t.tuple.localAddress ?? announced, port: t.tuple.localPort };
}
