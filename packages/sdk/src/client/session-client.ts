import { Device } from 'mediasoup-client';
import type { types as msc } from 'mediasoup-client';
import type { MediaSource, NotificationEnvelope, Role } from '../protocol/index.ts';
import { Emitter } from './emitter.ts';
import { SignalChannel, SignalError } from './signal-channel.ts';

/** The WebRTC classes to use where the runtime has none of its own (Node: e.g. @roamhq/wrtc). */
export interface WebRtcImplementation {
	RTCPeerConnection: unknown;
	RTCSessionDescription?: unknown;
	RTCIceCandidate?: unknown;
	MediaStream?: unknown;
	MediaStreamTrack?: unknown;
}

export interface SessionClientOptions {
	/** Base URL of the Luwte host, e.g. https://luwte.example.nl */
	server: string;
	/** WebRTC classes for runtimes without them (Node). Browsers need nothing. */
	webrtc?: WebRtcImplementation;
	/** mediasoup-client handler; detected in browsers, `Chrome111` where `webrtc` is given. */
	handlerName?: msc.BuiltinHandlerName;
	requestTimeoutMs?: number;
}

export interface RemoteTrack {
	consumerId: string;
	participantId: string;
	role: Role;
	source: MediaSource;
	kind: 'audio' | 'video';
	track: MediaStreamTrack;
	/** The sender has muted it (its camera or microphone is off). */
	paused: boolean;
}

export interface SessionClientEvents {
	track: RemoteTrack;
	trackEnded: { consumerId: string; participantId: string; source: MediaSource };
	trackPaused: { consumerId: string; participantId: string; source: MediaSource };
	trackResumed: { consumerId: string; participantId: string; source: MediaSource };
	participantJoined: { participantId: string; role: Role };
	participantLeft: { participantId: string; role: Role };
	sessionEnded: { reason: string };
	/** A host muted this client's microphone or camera (the client may unmute again). */
	mutedByHost: { source: 'microphone' | 'camera' };
	/** Who is on everyone's stage now; null: the host, as usual. */
	spotlightChanged: { participantId: string | null };
	/** The recording state changed (see `recording`). */
	recordingChanged: RecordingState;
	/** The connection ended without `leave()`: network loss, replaced by another tab, server failure. */
	disconnected: { reason: string };
}

/** Whether the session is recorded, and whether this client is in the recording. */
export interface RecordingState {
	active: boolean;
	/** This client's own tracks are being written now. */
	you: boolean;
	/** This client's own consent (hosts are recorded without asking). */
	consent: boolean;
	/** Hosts only: who is being written now; empty for others. */
	recorded: string[];
	/** Hosts only: who has consented to being recorded (present or not); empty for others. */
	consented: string[];
}

export interface PublishOptions {
	camera?: MediaStreamTrack;
	microphone?: MediaStreamTrack;
	screen?: MediaStreamTrack;
	/** Send three spatial layers for camera video (default true): the server picks one per receiver. */
	simulcast?: boolean;
}

/** Three spatial layers: a quarter, half and full resolution, bitrates for calm 15-30 fps video. */
const simulcastEncodings: RTCRtpEncodingParameters[] = [
	{ rid: 'r0', scaleResolutionDownBy: 4, maxBitrate: 150_000 },
	{ rid: 'r1', scaleResolutionDownBy: 2, maxBitrate: 500_000 },
	{ rid: 'r2', scaleResolutionDownBy: 1, maxBitrate: 1_200_000 },
];

export type SessionClientState = 'idle' | 'connecting' | 'joined' | 'closed';

/**
 * Joins a Luwte session: signalling, one send and one receive transport, publishing and
 * receiving tracks. Works in browsers and, with `webrtc` given, in Node.
 */
export class SessionClient extends Emitter<SessionClientEvents> {
	readonly #opts: SessionClientOptions;
	#channel: SignalChannel | undefined;
	#device: Device | undefined;
	#sendTransport: msc.Transport | undefined;
	#recvTransport: msc.Transport | undefined;
	readonly #producers = new Map<MediaSource, msc.Producer>();
	readonly #consumers = new Map<string, { consumer: msc.Consumer; info: RemoteTrack }>();
	#state: SessionClientState = 'idle';
	#leaving = false;
	#notifications: Promise<void> = Promise.resolve();
	participantId: string | undefined;
	role: Role | undefined;
	/** The participant on everyone's stage, when a host set one. */
	spotlight: string | null = null;
	/** The latest recording state the server sent (not recording until told otherwise). */
	recording: RecordingState = { active: false, you: false, consent: false, recorded: [], consented: [] };
	sessionId: string | undefined;

	constructor(opts: SessionClientOptions) {
		super();
		this.#opts = opts;
		if (opts.webrtc) installWebRtc(opts.webrtc);
	}

	get state(): SessionClientState {
		return this.#state;
	}

	get remoteTracks(): RemoteTrack[] {
		return [...this.#consumers.values()].map((c) => c.info);
	}

	/** Connects and joins with a join token (from the care provider's backend). */
	async connect(token: string): Promise<{ participantId: string; role: Role; peers: { participantId: string; role: Role }[] }> {
		if (this.#state !== 'idle') throw new Error(`cannot connect in state ${this.#state}`);
		this.#state = 'connecting';
		try {
			const url = new URL('/v1/signal', this.#opts.server);
			url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
			this.#channel = await SignalChannel.open(url.toString(), {
				...(this.#opts.requestTimeoutMs ? { requestTimeoutMs: this.#opts.requestTimeoutMs } : {}),
				onNotification: (n) => {
					// In order: a consumer must exist before its pause or close is handled.
					this.#notifications = this.#notifications.then(() => this.#onNotification(n)).catch(() => undefined);
				},
				onClose: (code, reason) => this.#onChannelClosed(code, reason),
			});
			const joined = await this.#channel.request('join', { token });
			this.participantId = joined.participantId;
			this.role = joined.role;
			this.sessionId = joined.sessionId;
			this.spotlight = joined.spotlight;
			const handlerName = this.#opts.handlerName ?? (this.#opts.webrtc ? 'Chrome111' : undefined);
			this.#device = handlerName ? new Device({ handlerName }) : await Device.factory();
			await this.#device.load({ routerRtpCapabilities: joined.routerRtpCapabilities as msc.RtpCapabilities });
			this.#recvTransport = await this.#createTransport('recv');
			await this.#channel.request('ready', { rtpCapabilities: this.#device.recvRtpCapabilities as never });
			this.#state = 'joined';
			return { participantId: joined.participantId, role: joined.role, peers: joined.peers };
		} catch (err) {
			this.#teardown();
			this.#state = 'closed';
			throw err;
		}
	}

	/** Publishes local tracks; camera video goes out as simulcast unless switched off. */
	async publish(opts: PublishOptions): Promise<void> {
		const device = this.#assertJoined();
		if (this.role === 'viewer') throw new SignalError('forbidden', 'a viewer cannot publish');
		this.#sendTransport ??= await this.#createTransport('send');
		const transport = this.#sendTransport;
		const entries: [MediaSource, MediaStreamTrack | undefined][] = [
			['microphone', opts.microphone],
			['camera', opts.camera],
			['screen', opts.screen],
		];
		for (const [source, track] of entries) {
			if (!track) continue;
			if (this.#producers.has(source)) throw new SignalError('conflict', `already publishing ${source}`);
			if (!device.canProduce(track.kind as 'audio' | 'video')) throw new SignalError('unavailable', `cannot send ${track.kind}`);
			const simulcast = source === 'camera' && opts.simulcast !== false;
			const producer = await transport.produce({
				track,
				// The caller owns its tracks: a reconnect publishes the same camera again.
				stopTracks: false,
				...(simulcast ? { encodings: simulcastEncodings.map((e) => ({ ...e })) } : {}),
				...(track.kind === 'audio' ? { codecOptions: { opusStereo: false, opusDtx: true, opusFec: true } } : {}),
				appData: { source },
			});
			this.#producers.set(source, producer);
		}
	}

	/** WebRTC statistics of everything received (inbound-rtp per track, candidate pair, …). */
	async receiveStats(): Promise<RTCStatsReport | undefined> {
		return this.#recvTransport?.getStats();
	}

	/** WebRTC statistics of everything sent (outbound-rtp per simulcast layer, …). */
	async sendStats(): Promise<RTCStatsReport | undefined> {
		return this.#sendTransport?.getStats();
	}

	/** Mutes a published source: the server stops forwarding it and receivers are told. */
	async mute(source: MediaSource): Promise<void> {
		const producer = this.#producers.get(source);
		if (!producer || producer.paused) return;
		producer.pause();
		await this.#assertChannel().request('pauseProducer', { producerId: producer.id });
	}

	async unmute(source: MediaSource): Promise<void> {
		const producer = this.#producers.get(source);
		if (!producer || !producer.paused) return;
		producer.resume();
		await this.#assertChannel().request('resumeProducer', { producerId: producer.id });
	}

	isMuted(source: MediaSource): boolean {
		return this.#producers.get(source)?.paused ?? true;
	}

	/** Stops publishing a source. */
	async unpublish(source: MediaSource): Promise<void> {
		const producer = this.#producers.get(source);
		if (!producer) return;
		this.#producers.delete(source);
		producer.close();
		await this.#assertChannel().request('closeProducer', { producerId: producer.id });
	}

	/** Shares a screen (e.g. from getDisplayMedia) as the `screen` source. */
	async shareScreen(track: MediaStreamTrack): Promise<void> {
		await this.publish({ screen: track });
	}

	async stopScreenShare(): Promise<void> {
		await this.unpublish('screen');
	}

	/** Host only: mutes another participant's microphone or camera. */
	async muteParticipant(participantId: string, source: 'microphone' | 'camera' = 'microphone'): Promise<void> {
		await this.#assertChannel().request('muteParticipant', { participantId, source });
	}

	/** Host only: puts a participant on everyone's stage (null: back to the host). */
	async setSpotlight(participantId: string | null): Promise<void> {
		await this.#assertChannel().request('spotlight', { participantId });
	}

	/** Host only: starts recording the session (hosts always; others only with consent). */
	async startRecording(): Promise<string> {
		return (await this.#assertChannel().request('startRecording', {})).recordingId;
	}

	/** Host only: stops the recording; the on-demand item is made from it afterwards. */
	async stopRecording(): Promise<string> {
		return (await this.#assertChannel().request('stopRecording', {})).recordingId;
	}

	/**
	 * Gives or withdraws consent to being recorded: one's own (no participantId), or, for a host,
	 * anyone's. Withdrawal takes effect at once in a running recording.
	 */
	async setRecordingConsent(consent: boolean, participantId?: string): Promise<void> {
		await this.#assertChannel().request('setRecordingConsent', { consent, ...(participantId ? { participantId } : {}) });
	}

	/** Host only: ends the session for everyone. */
	async endSession(): Promise<void> {
		try {
			await this.#assertChannel().request('endSession', {});
		} catch (err) {
			// The server closes the connection as the session ends; that is the success case.
			if (!(err instanceof SignalError && err.code === 'closed')) throw err;
		}
	}

	/** Leaves the session and closes everything. */
	async leave(): Promise<void> {
		if (this.#state === 'closed') return;
		this.#leaving = true;
		try {
			if (this.#channel?.open && this.#state === 'joined') await this.#channel.request('leave', {});
		} catch {
			// Leaving anyway.
		}
		this.#teardown();
		this.#state = 'closed';
	}

	async #createTransport(direction: 'send' | 'recv'): Promise<msc.Transport> {
		const channel = this.#assertChannel();
		const device = this.#device;
		if (!device) throw new Error('device not loaded');
		const info = await channel.request('createTransport', { direction });
		const options = {
			id: info.id,
			iceParameters: info.iceParameters as msc.IceParameters,
			iceCandidates: info.iceCandidates as unknown as msc.IceCandidate[],
			dtlsParameters: info.dtlsParameters as msc.DtlsParameters,
		};
		const transport = direction === 'send' ? device.createSendTransport(options) : device.createRecvTransport(options);
		transport.on('connect', ({ dtlsParameters }, callback, errback) => {
			channel
				.request('connectTransport', { transportId: transport.id, dtlsParameters: dtlsParameters as never })
				.then(() => callback(), errback);
		});
		if (direction === 'send') {
			transport.on('produce', ({ kind, rtpParameters, appData }, callback, errback) => {
				channel
					.request('produce', {
						transportId: transport.id,
						kind,
						rtpParameters: rtpParameters as never,
						source: (appData as { source: MediaSource }).source,
					})
					.then(({ producerId }) => callback({ id: producerId }), errback);
			});
		}
		return transport;
	}

	async #onNotification(n: NotificationEnvelope): Promise<void> {
		switch (n.notification) {
			case 'newConsumer': {
				const transport = this.#recvTransport;
				if (!transport) return;
				const d = n.data;
				const consumer = await transport.consume({
					id: d.consumerId,
					producerId: d.producerId,
					kind: d.kind,
					rtpParameters: d.rtpParameters as msc.RtpParameters,
				});
				const info: RemoteTrack = {
					consumerId: d.consumerId,
					participantId: d.participantId,
					role: d.role,
					source: d.source,
					kind: d.kind,
					track: consumer.track,
					paused: d.producerPaused,
				};
				this.#consumers.set(d.consumerId, { consumer, info });
				await this.#channel?.request('resumeConsumer', { consumerId: d.consumerId }).catch(() => undefined);
				this.emit('track', info);
				return;
			}
			case 'consumerClosed': {
				const entry = this.#consumers.get(n.data.consumerId);
				if (!entry) return;
				this.#consumers.delete(n.data.consumerId);
				entry.consumer.close();
				this.emit('trackEnded', { consumerId: n.data.consumerId, participantId: entry.info.participantId, source: entry.info.source });
				return;
			}
			case 'consumerPaused':
			case 'consumerResumed': {
				const entry = this.#consumers.get(n.data.consumerId);
				if (!entry) return;
				entry.info.paused = n.notification === 'consumerPaused';
				const payload = { consumerId: n.data.consumerId, participantId: entry.info.participantId, source: entry.info.source };
				this.emit(n.notification === 'consumerPaused' ? 'trackPaused' : 'trackResumed', payload);
				return;
			}
			case 'participantJoined':
				this.emit('participantJoined', n.data);
				return;
			case 'participantLeft':
				this.emit('participantLeft', n.data);
				return;
			case 'sessionEnded':
				this.#leaving = true;
				this.#teardown();
				this.#state = 'closed';
				this.emit('sessionEnded', n.data);
				return;
			case 'mutedByHost': {
				// The server already stopped forwarding; keep the local state in step.
				this.#producers.get(n.data.source)?.pause();
				this.emit('mutedByHost', n.data);
				return;
			}
			case 'spotlightChanged':
				this.spotlight = n.data.participantId;
				this.emit('spotlightChanged', n.data);
				return;
			case 'recordingChanged':
				this.recording = n.data;
				this.emit('recordingChanged', n.data);
				return;
			case 'disconnected':
				this.#leaving = true;
				this.#teardown();
				this.#state = 'closed';
				this.emit('disconnected', { reason: n.data.reason });
				return;
		}
	}

	#onChannelClosed(code: number, reason: string): void {
		if (this.#leaving || this.#state === 'closed') return;
		this.#teardown();
		this.#state = 'closed';
		this.emit('disconnected', { reason: reason || `connection closed (${code})` });
	}

	#teardown(): void {
		for (const p of this.#producers.values()) p.close();
		this.#producers.clear();
		for (const { consumer } of this.#consumers.values()) consumer.close();
		this.#consumers.clear();
		this.#sendTransport?.close();
		this.#recvTransport?.close();
		this.#sendTransport = undefined;
		this.#recvTransport = undefined;
		this.#leaving = true;
		this.#channel?.close();
	}

	#assertChannel(): SignalChannel {
		if (!this.#channel?.open) throw new SignalError('closed', 'not connected');
		return this.#channel;
	}

	#assertJoined(): Device {
		if (this.#state !== 'joined' || !this.#device) throw new SignalError('not_joined', 'connect() first');
		return this.#device;
	}
}

/** Makes WebRTC classes global where the runtime lacks them, as mediasoup-client's handlers expect. */
function installWebRtc(impl: WebRtcImplementation): void {
	const g = globalThis as Record<string, unknown>;
	for (const [name, value] of Object.entries(impl)) if (value && g[name] === undefined) g[name] = value;
}
