/**
 * Bare mediasoup as a bench server: one worker, a WebRtcServer and a router with the engine's codecs,
 * transports made as the engine makes them (session-router.ts), and mediasoup-client over
 * @roamhq/wrtc on the client side, signalled by direct calls: the floor the engine is held to.
 * The worker is pinned to the server's core; this (the client's) process is not part of its cost.
 */
import wrtc from '@roamhq/wrtc';
import { routerMediaCodecs } from '@luwte/engine';
import * as mediasoup from 'mediasoup';
import { Device, type types as msc } from 'mediasoup-client';
import { pin } from '../pin.ts';
import { publisherCapBps, type Sfu, webrtcOf } from './sfu.ts';

export async function mediasoupSfu(cpus: string, port: number): Promise<Sfu> {
	// mediasoup-client finds the WebRTC classes on globalThis, as SessionClient's `webrtc` option arranges.
	for (const [k, v] of Object.entries(webrtcOf(wrtc))) (globalThis as Record<string, unknown>)[k] ??= v;
	const worker = await mediasoup.createWorker({ logLevel: 'warn' });
	pin([worker.pid], cpus);
	const webRtcServer = await worker.createWebRtcServer({ listenInfos: [{ protocol: 'udp', ip: '127.0.0.1', port }] });
	const router = await worker.createRouter({ mediaCodecs: routerMediaCodecs });
	const producers: mediasoup.types.Producer[] = [];
	const clientTransports: msc.Transport[] = [];

	/** A server transport and its mediasoup-client counterpart, connected on first use. */
	const transportPair = async (device: Device, direction: 'send' | 'recv') => {
		const server = await router.createWebRtcTransport({
			webRtcServer,
			enableUdp: true,
			enableTcp: false,
			preferUdp: true,
			initialAvailableOutgoingBitrate: 1_000_000,
		});
		if (direction === 'send') await server.setMaxIncomingBitrate(publisherCapBps);
		const params = {
			id: server.id,
			iceParameters: server.iceParameters,
			iceCandidates: server.iceCandidates as msc.IceCandidate[],
			dtlsParameters: server.dtlsParameters as msc.DtlsParameters,
		};
		const client = direction === 'send' ? device.createSendTransport(params) : device.createRecvTransport(params);
		client.on('connect', ({ dtlsParameters }, ok, fail) => {
			server.connect({ dtlsParameters: dtlsParameters as mediasoup.types.DtlsParameters }).then(ok, fail);
		});
		clientTransports.push(client);
		return { server, client };
	};
	const newDevice = async () => {
		const device = new Device({ handlerName: 'Chrome111' });
		await device.load({ routerRtpCapabilities: router.rtpCapabilities as msc.RtpCapabilities });
		return device;
	};

	return {
		name: 'mediasoup',
		version: `mediasoup ${mediasoup.version}`,
		serverPids: () => [worker.pid],
		workerPids: () => [worker.pid],
		async publish({ camera, microphone }) {
			const device = await newDevice();
			const { server, client } = await transportPair(device, 'send');
			client.on('produce', ({ kind, rtpParameters }, ok, fail) => {
				server.produce({ kind, rtpParameters: rtpParameters as mediasoup.types.RtpParameters }).then((p) => {
					producers.push(p);
					ok({ id: p.id });
				}, fail);
			});
			await client.produce({ track: camera });
			await client.produce({ track: microphone });
		},
		async subscribe() {
			const device = await newDevice();
			const { server, client } = await transportPair(device, 'recv');
			const consumers: mediasoup.types.Consumer[] = [];
			for (const p of producers) {
				const c = await server.consume({
					producerId: p.id,
					rtpCapabilities: device.recvRtpCapabilities as mediasoup.types.RtpCapabilities,
					paused: true,
				});
				consumers.push(c);
				await client.consume({ id: c.id, producerId: p.id, kind: c.kind, rtpParameters: c.rtpParameters as msc.RtpParameters });
				await c.resume();
			}
			return {
				stats: () => client.getStats(),
				close: () => {
					client.close();
					server.close();
				},
			};
		},
		async stop() {
			for (const t of clientTransports) t.close();
			worker.close();
		},
	};
}
