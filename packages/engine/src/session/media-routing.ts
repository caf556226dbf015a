import { messageOf } from '@luwte/errors';
import type { types } from 'mediasoup';
import { AbrDriver, stagePriority, type AbrConsumerStatus } from '../abr/driver.ts';
import type { Logger } from '../log/logger.ts';
import type { Participant } from './participant.ts';
import type { Presence } from './presence.ts';
import { routes, type MediaSource, type RoutingPolicy } from './roles.ts';
import type { SessionRouter } from './session-router.ts';
import { StartLayerGate } from './start-layer-gate.ts';

/**
 * Who receives whose media: consumers made by the routing rules (`routes`), started where the
 * receiver's stimulus profile says and from then on steered by the calm controller.
 */
export class MediaRouting {
	readonly #router: SessionRouter;
	readonly #presence: Presence;
	readonly #policy: RoutingPolicy;
	readonly #log: Logger;
	readonly #abr: AbrDriver;
	readonly #startLayers = new StartLayerGate();

	constructor(router: SessionRouter, presence: Presence, policy: RoutingPolicy, log: Logger) {
		this.#router = router;
		this.#presence = presence;
		this.#policy = policy;
		this.#log = log;
		this.#abr = new AbrDriver(undefined, log);
	}

	/** The client can receive: remember its capabilities and consume everything routed to it. */
	async receiverReady(receiver: Participant, rtpCapabilities: types.RtpCapabilities): Promise<void> {
		// A plain RTP receiver (recorder, RTP egress) sends no congestion feedback; with
		// transport-cc or REMB announced, mediasoup would run an estimator that never hears back
		// and hold simulcast consumers on a low layer. Without them it forwards the best layer.
		const plain = !!receiver.recvTransport && !('iceParameters' in receiver.recvTransport);
		receiver.rtpCapabilities = plain ? withoutCongestionFeedback(rtpCapabilities) : rtpCapabilities;
		for (const sender of this.#presence.values()) {
			if (sender === receiver || !routes(sender.role, receiver.role, this.#policy)) continue;
			for (const { producer, source } of sender.producers.values()) {
				await this.#consume(receiver, sender, producer, source);
			}
		}
	}

	/** A new producer reaches every ready receiver it is routed to. */
	async producerAdded(sender: Participant, producer: types.Producer, source: MediaSource): Promise<void> {
		for (const receiver of this.#presence.values()) {
			if (receiver === sender || !receiver.ready || !routes(sender.role, receiver.role, this.#policy)) continue;
			await this.#consume(receiver, sender, producer, source);
		}
	}

	/** The calm controller's view of every simulcast consumer in this session. */
	abrStatus(): (AbrConsumerStatus & { receiver: string; sender: string })[] {
		const ends = new Map<string, { receiver: string; sender: string }>();
		for (const p of this.#presence.values()) {
			for (const [id, c] of p.consumers)
				ends.set(id, { receiver: p.id, sender: String((c.appData as { participantId?: unknown }).participantId ?? '') });
		}
		return this.#abr.status().map((s) => ({ ...s, ...(ends.get(s.consumerId) ?? { receiver: '', sender: '' }) }));
	}

	/** Resolves when a consumer may resume: its start layer is sent (see start-layer-gate.ts). */
	startLayerReady(consumer: types.Consumer): Promise<void> {
		return this.#startLayers.ready(consumer);
	}

	abrTick(): Promise<void> {
		return this.#abr.tick();
	}

	stop(): void {
		this.#abr.stop();
	}

	async #consume(receiver: Participant, sender: Participant, producer: types.Producer, source: MediaSource): Promise<void> {
		const transport = receiver.recvTransport;
		const caps = receiver.rtpCapabilities;
		if (!transport || !caps || producer.closed) return;
		// On the origin router, or on the edge router the receiver was placed on (piped there first).
		const router = await this.#router.routerFor(transport, producer).catch((err: unknown) => {
			if (!producer.closed && !transport.closed)
				this.#log.warn('consumer.pipe_failed', { producerId: producer.id, receiver: receiver.id, error: messageOf(err) });
			return undefined;
		});
		if (!router || producer.closed || transport.closed) return;
		if (!router.canConsume({ producerId: producer.id, rtpCapabilities: caps })) return;
		// Simulcast video starts on the layer the receiver's stimulus profile says, and from then
		// on the calm controller picks its layers.
		const simulcast = producer.kind === 'video' && producer.type === 'simulcast';
		const priority = stagePriority(sender.role, source);
		const startState = simulcast
			? this.#abr.startState(receiver.stimulusProfile, transport as types.Transport, producer, priority)
			: undefined;
		const start = startState?.state.current;
		// Paused until the client has set up its side and asks to resume: no media is lost
		// before its decoder exists, and the first frame is a keyframe we request then.
		const consumer = await transport.consume({
			producerId: producer.id,
			rtpCapabilities: caps,
			paused: true,
			...(start ? { preferredLayers: { spatialLayer: start.spatial, temporalLayer: start.temporal } } : {}),
			appData: { participantId: sender.id, source },
		});
		if (receiver.closed) {
			consumer.close();
			return;
		}
		// mediasoup's own allocation (receivers whose drops it decides) serves the stage first too.
		// A failure only costs that preference: the consumer works, so it is logged, not raised.
		if (producer.kind === 'video' && priority !== 1) {
			await consumer.setPriority(priority).catch((err: unknown) => {
				if (!consumer.closed)
					this.#log.warn('consumer.set_priority_failed', { consumerId: consumer.id, priority, error: messageOf(err) });
			});
		}
		if (startState) this.#abr.add(consumer, producer, transport as types.Transport, receiver.stimulusProfile, startState, priority);
		this.#startLayers.track(consumer, producer);
		receiver.consumers.set(consumer.id, consumer);
		const closed = () => {
			if (receiver.consumers.delete(consumer.id)) {
				receiver.notify({ type: 'consumerClosed', consumerId: consumer.id });
			}
		};
		consumer.on('transportclose', () => receiver.consumers.delete(consumer.id));
		consumer.on('producerclose', closed);
		consumer.on('producerpause', () => receiver.notify({ type: 'consumerPaused', consumerId: consumer.id }));
		consumer.on('producerresume', () => receiver.notify({ type: 'consumerResumed', consumerId: consumer.id }));
		receiver.notify({
			type: 'newConsumer',
			consumerId: consumer.id,
			producerId: producer.id,
			kind: consumer.kind,
			rtpParameters: consumer.rtpParameters,
			participantId: sender.id,
			role: sender.role,
			source,
			producerPaused: consumer.producerPaused,
		});
	}
}

const congestionFeedback = new Set(['transport-cc', 'goog-remb']);
const congestionExtensions = new Set([
	'http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01',
	'http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time',
]);

export function withoutCongestionFeedback(caps: types.RtpCapabilities): types.RtpCapabilities {
	return {
		...caps,
		codecs: (caps.codecs ?? []).map((c) => ({
			...c,
			rtcpFeedback: (c.rtcpFeedback ?? []).filter((fb) => !congestionFeedback.has(fb.type)),
		})),
		headerExtensions: (caps.headerExtensions ?? []).filter((h) => !congestionExtensions.has(h.uri)),
	};
}
