/**
 * The fan-out topology built two ways on a fresh single mediasoup worker: through the
 * engine's Session API, and with bare mediasoup calls. Both issue the same worker-side
 * requests (router, comedia PlainTransport producer, per consumer a PlainTransport connected
 * to the sink, a paused consumer, resume, key frame request), so any difference in worker
 * CPU is the engine's doing.
 */
import { createEngine, routerMediaCodecs, type MediaTypes } from '@luwte/engine';
import * as mediasoup from 'mediasoup';
import { simulcastRtpParameters, type SimulcastSource } from './rtp-source.ts';

export type Variant = 'engine' | 'bare';

export interface RigOptions {
	consumers: number;
	sinkPorts: readonly number[];
	rtpPortRange: { min: number; max: number };
	/** The engine's WebRtcServer port range (outside rtpPortRange); unused by the bare rig. */
	webRtcPortRange: { min: number; max: number };
	source: SimulcastSource;
	/** Turns the router's capabilities into what a plain RTP receiver announces. */
	receiverCaps: (router: MediaTypes.RtpCapabilities) => MediaTypes.RtpCapabilities;
	/** Aborts setup when it takes longer (a hung worker must not hang the benchmark). */
	deadline: number;
}

export interface Rig {
	readonly variant: Variant;
	readonly worker: MediaTypes.Worker;
	/** The producer transport's local port (for ingress drop counts). */
	readonly producerPort: number;
	/** mediasoup Consumers, for stats outside the measured window. */
	readonly consumers: readonly MediaTypes.Consumer[];
	/** Time to add all consumers (join/transport/connect/consume/resume), publisher excluded. */
	readonly consumerSetupMs: number;
	/** Engine only: notifications the viewers' callbacks received during setup, by type. */
	readonly notifications: Record<string, number>;
	close(): Promise<void>;
}

function checkDeadline(deadline: number, what: string): void {
	if (Date.now() > deadline) throw new Error(`setup too slow: deadline passed while ${what}`);
}

function sinkPort(opts: RigOptions, i: number): number {
	const port = opts.sinkPorts[i % opts.sinkPorts.length];
	if (port === undefined) throw new Error('no sink port');
	return port;
}

export async function buildEngineRig(opts: RigOptions): Promise<Rig> {
	const engine = await createEngine({
		workerCount: 1,
		logLevel: 'warn',
		webRtc: { listenIp: '127.0.0.1', portRange: opts.webRtcPortRange, enableTcp: false },
		rtpPortRange: opts.rtpPortRange,
	});
	const close = async (): Promise<void> => {
		opts.source.setTarget(undefined);
		await engine.close();
	};
	try {
		const worker = engine.workers.slots[0]?.worker;
		if (!worker) throw new Error('engine started without a worker');
		const info = await engine.createSession({ tenantId: 'bench', title: 'fanout' });
		const session = engine.session('bench', info.id);
		const { participant: host, rtpCapabilities } = await session.join('bench-host', 'host', () => {});
		const send = await session.createPlainTransport(host, 'send', { comedia: true, rtcpMux: true });
		await session.produce(host, send.id, 'video', simulcastRtpParameters(), 'camera', false);
		// Forward only now: the relay sends each layer's first sender report right after its first
		// packet, and before produce() the worker would drop both.
		opts.source.setTarget(send.localPort);
		const caps = opts.receiverCaps(rtpCapabilities);
		const consumers: MediaTypes.Consumer[] = [];
		// What a host would have to forward over signalling: shows per-join fan-out costs.
		const notifications: Record<string, number> = {};
		const t0 = performance.now();
		for (let i = 0; i < opts.consumers; i++) {
			checkDeadline(opts.deadline, `adding engine viewer ${i}`);
			const ids: string[] = [];
			// greedy: the ABR driver runs (its cost is part of the engine's) but, like bare
			// mediasoup, forwards the top layer, so both variants move the same media.
			const { participant: viewer } = await session.join(
				`viewer-${i}`,
				'viewer',
				(n) => {
					notifications[n.type] = (notifications[n.type] ?? 0) + 1;
					if (n.type === 'newConsumer') ids.push(n.consumerId);
				},
				{ stimulusProfile: 'greedy' },
			);
			const recv = await session.createPlainTransport(viewer, 'recv', { comedia: false, rtcpMux: true });
			await session.connectPlainTransport(viewer, recv.id, { ip: '127.0.0.1', port: sinkPort(opts, i) });
			await session.ready(viewer, caps);
			if (ids.length !== 1) throw new Error(`viewer ${i} got ${ids.length} consumers, expected 1`);
			for (const id of ids) {
				await session.resumeConsumer(viewer, id);
				const c = viewer.consumers.get(id);
				if (c) consumers.push(c);
			}
		}
		return {
			variant: 'engine',
			worker,
			producerPort: send.localPort,
			consumers,
			consumerSetupMs: performance.now() - t0,
			notifications: { ...notifications },
			close: async () => {
				await engine.endSession('bench', info.id);
				await close();
			},
		};
	} catch (err) {
		await close();
		throw err;
	}
}

export async function buildBareRig(opts: RigOptions): Promise<Rig> {
	const worker = await mediasoup.createWorker({
		logLevel: 'warn',
		rtcMinPort: opts.rtpPortRange.min,
		rtcMaxPort: opts.rtpPortRange.max,
	});
	const close = async (): Promise<void> => {
		opts.source.setTarget(undefined);
		worker.close();
	};
	try {
		const router = await worker.createRouter({ mediaCodecs: routerMediaCodecs });
		const send = await router.createPlainTransport({
			listenInfo: { protocol: 'udp', ip: '127.0.0.1' },
			rtcpMux: true,
			comedia: true,
		});
		const producer = await send.produce({ kind: 'video', rtpParameters: simulcastRtpParameters() });
		// As in the engine rig: forward only once the producer exists.
		opts.source.setTarget(send.tuple.localPort);
		const caps = opts.receiverCaps(router.rtpCapabilities);
		const consumers: MediaTypes.Consumer[] = [];
		const t0 = performance.now();
		for (let i = 0; i < opts.consumers; i++) {
			checkDeadline(opts.deadline, `adding bare consumer ${i}`);
			const recv = await router.createPlainTransport({
				listenInfo: { protocol: 'udp', ip: '127.0.0.1' },
				rtcpMux: true,
				comedia: false,
			});
			await recv.connect({ ip: '127.0.0.1', port: sinkPort(opts, i) });
			const consumer = await recv.consume({ producerId: producer.id, rtpCapabilities: caps, paused: true });
			await consumer.resume();
			// The engine asks for a key frame on every video resume; do the same worker work.
			await consumer.requestKeyFrame();
			consumers.push(consumer);
		}
		return {
			variant: 'bare',
			worker,
			producerPort: send.tuple.localPort,
			consumers,
			consumerSetupMs: performance.now() - t0,
			notifications: {},
			close,
		};
	} catch (err) {
		await close();
		throw err;
	}
}
