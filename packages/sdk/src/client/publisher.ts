import type { Device, types as msc } from 'mediasoup-client';
import type { MediaSource } from '../protocol/index.ts';
import { SignalError, type SignalChannel } from './signal-channel.ts';
import { simulcastLadder } from './simulcast-ladder.ts';

export interface PublishOptions {
	camera?: MediaStreamTrack;
	microphone?: MediaStreamTrack;
	screen?: MediaStreamTrack;
	/**
	 * Send camera video in spatial layers (default true): the server picks one per receiver. How
	 * many, and their bitrates, follow the camera's capture size (see `simulcastLadder`).
	 */
	simulcast?: boolean;
}

/** A track the caller gave to `publish`: kept so a reconnect can publish it again, muted or not. */
interface Published {
	track: MediaStreamTrack;
	simulcast: boolean;
	muted: boolean;
}

/** What the publisher needs of the current connection. */
export interface PublisherLink {
	device(): Device | undefined;
	channel(): SignalChannel;
	createSendTransport(): Promise<msc.Transport>;
	/** A published track ended by itself (its device unplugged, permission taken back). */
	trackEnded(source: MediaSource, kind: 'audio' | 'video'): void;
}

/**
 * The sending side of a `SessionClient`: one send transport, a producer per source, and the
 * tracks the caller published, which outlive a connection so a reconnect can send them again.
 */
export class Publisher {
	readonly #link: PublisherLink;
	readonly #published = new Map<MediaSource, Published>();
	readonly #producers = new Map<MediaSource, msc.Producer>();
	#transport: msc.Transport | undefined;

	constructor(link: PublisherLink) {
		this.#link = link;
	}

	async publish(opts: PublishOptions): Promise<void> {
		const entries: [MediaSource, MediaStreamTrack | undefined][] = [
			['microphone', opts.microphone],
			['camera', opts.camera],
			['screen', opts.screen],
		];
		for (const [source, track] of entries) {
			if (!track) continue;
			if (this.#producers.has(source)) throw new SignalError('conflict', `already publishing ${source}`);
			const published = { track, simulcast: source === 'camera' && opts.simulcast !== false, muted: false };
			await this.#produce(source, published);
			this.#published.set(source, published);
		}
	}

	async mute(source: MediaSource): Promise<void> {
		// Also while reconnecting: the source is published again muted.
		const published = this.#published.get(source);
		if (published) published.muted = true;
		const producer = this.#producers.get(source);
		if (!producer || producer.paused) return;
		producer.pause();
		await this.#link.channel().request('pauseProducer', { producerId: producer.id });
	}

	async unmute(source: MediaSource): Promise<void> {
		const published = this.#published.get(source);
		if (published) published.muted = false;
		const producer = this.#producers.get(source);
		if (!producer?.paused) return;
		producer.resume();
		await this.#link.channel().request('resumeProducer', { producerId: producer.id });
	}

	/** A host muted this source: the server already stopped forwarding it; keep this side in step. */
	mutedByHost(source: MediaSource): void {
		this.#producers.get(source)?.pause();
		const published = this.#published.get(source);
		if (published) published.muted = true;
	}

	isMuted(source: MediaSource): boolean {
		return this.#producers.get(source)?.paused ?? true;
	}

	async unpublish(source: MediaSource): Promise<void> {
		this.#published.delete(source);
		const producer = this.#producers.get(source);
		if (!producer) return;
		this.#producers.delete(source);
		producer.close();
		await this.#link.channel().request('closeProducer', { producerId: producer.id });
	}

	/** After a rejoin: the tracks published before go out again, muted as they were. */
	async republish(): Promise<void> {
		for (const [source, published] of this.#published) {
			// A track stopped meanwhile (a screen share ended in the browser) is not published again.
			if (published.track.readyState === 'ended') {
				this.#published.delete(source);
				continue;
			}
			await this.#produce(source, published);
			if (published.muted) {
				const producer = this.#producers.get(source)!;
				producer.pause();
				await this.#link.channel().request('pauseProducer', { producerId: producer.id });
			}
		}
	}

	/** WebRTC statistics of everything sent (outbound-rtp per simulcast layer, …). */
	async stats(): Promise<RTCStatsReport | undefined> {
		return this.#transport?.getStats();
	}

	/** The connection is gone: producers and transport close; what was published is kept. */
	close(): void {
		for (const p of this.#producers.values()) p.close();
		this.#producers.clear();
		this.#transport?.close();
		this.#transport = undefined;
	}

	async #produce(source: MediaSource, published: Published): Promise<void> {
		const device = this.#link.device();
		if (!device) throw new SignalError('not_joined', 'connect() first');
		const { track, simulcast } = published;
		if (!device.canProduce(track.kind as 'audio' | 'video')) throw new SignalError('unavailable', `cannot send ${track.kind}`);
		this.#transport ??= await this.#link.createSendTransport();
		// The ladder fits the capture as it is now (a track published again after a reconnect, or
		// another camera published in its place, may have another size): its full resolution on top.
		const size = simulcast ? track.getSettings() : undefined;
		const producer = await this.#transport.produce({
			track,
			// The caller owns its tracks: a reconnect publishes the same camera again.
			stopTracks: false,
			...(size ? { encodings: simulcastLadder(size.width, size.height) } : {}),
			...(track.kind === 'audio' ? { codecOptions: { opusStereo: false, opusDtx: true, opusFec: true } } : {}),
			appData: { source },
		});
		// The device behind the track went away; the caller owns the track, so it only hears of it.
		producer.on('trackended', () => {
			if (this.#producers.get(source) === producer) this.#link.trackEnded(source, track.kind as 'audio' | 'video');
		});
		this.#producers.set(source, producer);
	}
}
