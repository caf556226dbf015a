import type { types } from 'mediasoup';
import { EngineError } from '../errors.ts';
import { connectionGone } from './guards.ts';
import type { MediaRouting } from './media-routing.ts';
import type { Participant } from './participant.ts';
import type { RecordingControl } from './recording-control.ts';
import type { MediaSource } from './roles.ts';
import type { SessionEvents } from './session-events.ts';

export interface ProducerStats {
	producerId: string;
	source: MediaSource;
	kind: 'audio' | 'video';
	paused: boolean;
	/** Encodings the client declared (3 for simulcast video). */
	encodings: number;
	/** Streams the server is receiving, one per active simulcast layer. */
	layers: { ssrc: number; rid: string | undefined; bitrate: number; score: number; packetCount: number }[];
}

/** Which media kind each source must carry. */
const sourceKind: Record<MediaSource, 'audio' | 'video'> = {
	camera: 'video',
	microphone: 'audio',
	screen: 'video',
};

/**
 * What participants publish: one producer per source, announced as events, followed by the
 * recorder, and routed to every receiver it reaches. The session checks who may publish first.
 */
export class Producers {
	readonly #events: SessionEvents;
	readonly #media: MediaRouting;
	readonly #recording: RecordingControl;

	constructor(events: SessionEvents, media: MediaRouting, recording: RecordingControl) {
		this.#events = events;
		this.#media = media;
		this.#recording = recording;
	}

	async produce(
		participant: Participant,
		transportId: string,
		kind: 'audio' | 'video',
		rtpParameters: types.RtpParameters,
		source: MediaSource,
		paused: boolean,
	): Promise<string> {
		if (sourceKind[source] !== kind) throw new EngineError('invalid_argument', `source ${source} must be ${sourceKind[source]}`);
		for (const p of participant.producers.values()) {
			if (p.source === source) throw new EngineError('conflict', `already publishing ${source}`);
		}
		const { transport, direction } = participant.transport(transportId);
		if (direction !== 'send') throw new EngineError('invalid_argument', 'produce needs a send transport');
		let producer: types.Producer;
		try {
			producer = await transport.produce({ kind, rtpParameters, paused, appData: { source } });
		} catch (err) {
			throw new EngineError('invalid_argument', `cannot produce: ${(err as Error).message}`, { cause: err });
		}
		if (participant.closed) {
			producer.close();
			throw connectionGone();
		}
		participant.producers.set(producer.id, { producer, source });
		producer.observer.once('close', () => {
			participant.producers.delete(producer.id);
			this.#events.emit('producer.removed', { participantId: participant.id, producerId: producer.id });
			this.#recording.sync(participant.id);
		});
		this.#recording.sync(participant.id);
		this.#events.emit('producer.added', {
			participantId: participant.id,
			role: participant.role,
			producerId: producer.id,
			kind,
			source,
		});
		await this.#media.producerAdded(participant, producer, source);
		return producer.id;
	}

	async setPaused(participant: Participant, producerId: string, paused: boolean): Promise<void> {
		const entry = this.#entry(participant, producerId);
		if (entry.producer.paused === paused) return;
		if (paused) await entry.producer.pause();
		else await entry.producer.resume();
		this.#events.emit(paused ? 'producer.paused' : 'producer.resumed', { participantId: participant.id, producerId });
	}

	close(participant: Participant, producerId: string): void {
		this.#entry(participant, producerId).producer.close();
	}

	#entry(participant: Participant, producerId: string): { producer: types.Producer; source: MediaSource } {
		const entry = participant.producers.get(producerId);
		if (!entry) throw new EngineError('not_found', `producer ${producerId} not found`);
		return entry;
	}
}

/**
 * What a participant sends, as the server receives it: per producer its declared
 * encodings (three for simulcast camera video) and the live layers with bitrate and score.
 */
export async function producerStats(p: Participant): Promise<ProducerStats[]> {
	const out: ProducerStats[] = [];
	for (const { producer, source } of p.producers.values()) {
		const stats = await producer.getStats();
		out.push({
			producerId: producer.id,
			source,
			kind: producer.kind,
			paused: producer.paused,
			encodings: producer.rtpParameters.encodings?.length ?? 0,
			layers: stats.map((st) => ({
				ssrc: st.ssrc,
				rid: st.rid,
				bitrate: st.bitrate,
				score: st.score,
				packetCount: st.packetCount,
			})),
		});
	}
	return out;
}
