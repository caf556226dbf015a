import { Device } from 'mediasoup-client';
import type { types as msc } from 'mediasoup-client';
import type { MediaSource, NotificationEnvelope, Role } from '../protocol/index.ts';
import { Emitter, type ListenerErrorHandler } from './emitter.ts';
import { reconnectLoop } from './reconnect-loop.ts';
import { defaultReconnectPolicy, type ReconnectPolicy } from './reconnect-policy.ts';
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
	/**
	 * Rejoin by itself after a lost connection (network loss, a media worker or host restart),
	 * with the same token, publishing the same tracks again: `true` for `defaultReconnectPolicy`
	 * (jittered exponential backoff, for up to five minutes), a policy of one's own, or `false`
	 * (the default): `disconnected` at once, and the caller decides.
	 */
	reconnect?: boolean | ReconnectPolicy;
	/** Where errors thrown by event listeners go (default: console.error); the client carries on. */
	onListenerError?: ListenerErrorHandler;
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
	/**
	 * The connection was lost; the client waits `delayMs` and then makes attempt number `attempt`
	 * (1, 2, …) to rejoin. Only with `reconnect` on. Remote tracks of before are gone.
	 */
	reconnecting: { attempt: number; delayMs: number; reason: string };
	/** Back in the session after `attempt` attempts, with the same tracks published as before. */
	reconnected: { attempt: number; participantId: string; role: Role; peers: { participantId: string; role: Role }[] };
	/**
	 * The connection ended without `leave()` and is not coming back: network loss or server
	 * failure (with `reconnect`: after the policy gave up, or a failure no retry mends, in
	 * `error`), or `replaced` by another tab.
	 */
	disconnected: { reason: string; error?: SignalError };
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

export type SessionClientState = 'idle' | 'connecting' | 'joined' | 'reconnecting' | 'closed';

/** Rejoining cannot mend these: the token is refused, the page's origin is not allowed, the session is over. */
const FATAL_ON_REJOIN = new Set<SignalError['code']>(['unauthorized', 'session_ended', 'origin_not_allowed']);

const NOT_RECORDING: RecordingState = { active: false, you: false, consent: false, recorded: [], consented: [] };

/** A track the caller gave to `publish`: kept so a reconnect can publish it again, muted or not. */
interface Published {
	track: MediaStreamTrack;
	simulcast: boolean;
	muted: boolean;
}
/**
 * Joins a Luwte session: signalling, one send and one receive transport, publishing and
 * receiving tracks. Works in browsers and, with `webrtc` given, in Node. With `reconnect` on, it
 * rejoins by itself after a lost connection and tells its listeners how that goes.
 */
export class SessionClient extends Emitter<SessionClientEvents> {
	readonly #opts: SessionClientOptions;
	readonly #policy: ReconnectPolicy | undefined;
	#channel: SignalChannel | undefined;
	#device: Device | undefined;
	#sendTransport: msc.Transport | undefined;
	#recvTransport: msc.Transport | undefined;
	readonly #producers = new Map<MediaSource, msc.Producer>();
	readonly #consumers = new Map<string, { consumer: msc.Consumer; info: RemoteTrack }>();
	readonly #published = new Map<MediaSource, Published>();
	#state: SessionClientState = 'idle';
	#token = '';
	/** Set by `leave()`: whatever happens to the connection after that is no loss. */
	#leaving = false;
	/** Bumped by every teardown: callbacks of an older connection see it and do nothing. */
	#generation = 0;
	#reconnectAbort: AbortController | undefined;
	#notifications: Promise<void> = Promise.resolve();
	participantId: string | undefined;
	role: Role | undefined;
	/** The participant on everyone's stage, when a host set one. */
	spotlight: string | null = null;
	/** The latest recording state the server sent (not recording until told otherwise). */
	recording: RecordingState = NOT_RECORDING;
	sessionId: string | undefined;

	constructor(opts: SessionClientOptions) {
		super(opts.onListenerError);
		this.#opts = opts;
		this.#policy = opts.reconnect === true ? defaultReconnectPolicy : opts.reconnect || undefined;
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
		if (this.#state !== 'idle') throw new SignalError('conflict', `cannot connect in state ${this.#state}`);
		this.#state = 'connecting';
		this.#token = token;
		try {
			const joined = await this.#join(token);
			this.#state = 'joined';
			return joined;
		} catch (err) {
			this.#teardown();
			this.#state = 'closed';
			throw err;
		}
	}

	/** Publishes local tracks; camera video goes out as simulcast unless switched off. */
	async publish(opts: PublishOptions): Promise<void> {
		this.#assertJoined();
		if (this.role === 'viewer') throw new SignalError('forbidden', 'a viewer cannot publish');
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
		// Also while reconnecting: the source is published again muted.
		const published = this.#published.get(source);
		if (published) published.muted = true;
		const producer = this.#producers.get(source);
		if (!producer || producer.paused) return;
		producer.pause();
		await this.#assertChannel().request('pauseProducer', { producerId: producer.id });
	}

	async unmute(source: MediaSource): Promise<void> {
		const published = this.#published.get(source);
		if (published) published.muted = false;
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
		this.#published.delete(source);
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

	/** Leaves the session and closes everything (also stops reconnecting). */
	async leave(): Promise<void> {
		if (this.#state === 'closed') return;
		this.#leaving = true;
		this.#reconnectAbort?.abort();
		try {
			if (this.#channel?.open && this.#state === 'joined') await this.#channel.request('leave', {});
		} catch {
			// Leaving anyway.
		}
		this.#teardown();
		this.#state = 'closed';
	}

	/** Opens the signalling channel, joins, loads the device and creates the receive transport. */
	async #join(token: string): Promise<{ participantId: string; role: Role; peers: { participantId: string; role: Role }[] }> {
		const generation = this.#generation;
		const url = new URL('/v1/signal', this.#opts.server);
		url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
		// The server tells a joining client only about a running recording: none told means none
		// (it may have stopped while this client was away).
		this.recording = NOT_RECORDING;
		const channel = await SignalChannel.open(url.toString(), {
			...(this.#opts.requestTimeoutMs ? { requestTimeoutMs: this.#opts.requestTimeoutMs } : {}),
			onNotification: (n) => {
				if (generation !== this.#generation) return;
				// The end of the connection is handled at once, not behind a consumer still being set up.
				if (n.notification === 'disconnected' || n.notification === 'sessionEnded') {
					this.#onFinalNotification(n);
					return;
				}
				// In order: a consumer must exist before its pause or close is handled.
				this.#notifications = this.#notifications.then(() => this.#onNotification(n, generation)).catch((err: unknown) => {
					if (generation === this.#generation) console.warn(`[luwte] handling ${n.notification} failed`, err);
				});
			},
			onClose: (code, reason) => {
				if (generation === this.#generation) this.#onConnectionLost(reason || `connection closed (${code})`);
			},
		});
		if (generation !== this.#generation) {
			// Left (or torn down) while the socket opened.
			channel.close();
			throw new SignalError('closed', 'the client left while connecting');
		}
		this.#channel = channel;
		const joined = await channel.request('join', { token });
		this.participantId = joined.participantId;
		this.role = joined.role;
		this.sessionId = joined.sessionId;
		this.spotlight = joined.spotlight;
		const handlerName = this.#opts.handlerName ?? (this.#opts.webrtc ? 'Chrome111' : undefined);
		this.#device = handlerName ? new Device({ handlerName }) : await Device.factory();
		await this.#device.load({ routerRtpCapabilities: joined.routerRtpCapabilities as msc.RtpCapabilities });
		this.#recvTransport = await this.#createTransport('recv');
		await channel.request('ready', { rtpCapabilities: this.#device.recvRtpCapabilities as never });
		// A close during the last request was ignored as "not joined yet": do not report a dead link as joined.
		if (!channel.open) throw new SignalError('closed', 'the connection closed while joining');
		return { participantId: joined.participantId, role: joined.role, peers: joined.peers };
	}

	async #produce(source: MediaSource, published: Published): Promise<void> {
		const device = this.#device;
		if (!device) throw new SignalError('not_joined', 'connect() first');
		const { track, simulcast } = published;
		if (!device.canProduce(track.kind as 'audio' | 'video')) throw new SignalError('unavailable', `cannot send ${track.kind}`);
		this.#sendTransport ??= await this.#createTransport('send');
		const producer = await this.#sendTransport.produce({
			track,
			// The caller owns its tracks: a reconnect publishes the same camera again.
			stopTracks: false,
			...(simulcast ? { encodings: simulcastEncodings.map((e) => ({ ...e })) } : {}),
			...(track.kind === 'audio' ? { codecOptions: { opusStereo: false, opusDtx: true, opusFec: true } } : {}),
			appData: { source },
		});
		this.#producers.set(source, producer);
	}

	/** After a rejoin: the tracks published before go out again, muted as they were. */
	async #republish(): Promise<void> {
		if (this.role === 'viewer') return;
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
				await this.#assertChannel().request('pauseProducer', { producerId: producer.id });
			}
		}
	}

	/** The connection dropped while joined: report it, or rejoin when reconnecting is on. */
	#onConnectionLost(reason: string): void {
		if (this.#leaving || this.#state !== 'joined') return;
		this.#teardown();
		// Another tab took this participant's place: coming back would push that tab out.
		if (!this.#policy || reason === 'replaced') {
			this.#state = 'closed';
			this.safeEmit('disconnected', { reason });
			return;
		}
		this.#state = 'reconnecting';
		void this.#reconnect(this.#policy, reason);
	}

	async #reconnect(policy: ReconnectPolicy, reason: string): Promise<void> {
		const abort = new AbortController();
		this.#reconnectAbort = abort;
		let joined: Awaited<ReturnType<SessionClient['connect']>> | undefined;
		const outcome = await reconnectLoop({
			policy,
			signal: abort.signal,
			attempt: async () => {
				try {
					joined = await this.#join(this.#token);
					await this.#republish();
				} catch (err) {
					this.#teardown();
					throw err;
				}
			},
			isFatal: (err) => err instanceof SignalError && FATAL_ON_REJOIN.has(err.code),
			onWaiting: (attempt, delayMs) => this.safeEmit('reconnecting', { attempt, delayMs, reason }),
		});
		if (outcome.kind === 'aborted') {
			// leave() came while an attempt ran: close what that attempt opened.
			this.#teardown();
			return;
		}
		if (outcome.kind === 'reconnected' && joined) {
			this.#state = 'joined';
			this.safeEmit('reconnected', { attempt: outcome.attempts, ...joined });
			return;
		}
		this.#state = 'closed';
		const lastError = outcome.kind === 'reconnected' ? undefined : outcome.error;
		const error =
			outcome.kind === 'failed' && lastError instanceof SignalError
				? lastError
				: new SignalError('unavailable', `gave up reconnecting after ${outcome.attempts} attempts`, { cause: lastError });
		this.safeEmit('disconnected', { reason, error });
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

	/** Ends the connection for good on the server's word: the session is over, or this connection was dropped. */
	#onFinalNotification(n: Extract<NotificationEnvelope, { notification: 'sessionEnded' | 'disconnected' }>): void {
		if (n.notification === 'disconnected') {
			this.#onConnectionLost(n.data.reason);
			return;
		}
		this.#reconnectAbort?.abort();
		this.#teardown();
		this.#state = 'closed';
		this.safeEmit('sessionEnded', n.data);
	}

	async #onNotification(n: NotificationEnvelope, generation: number): Promise<void> {
		if (generation !== this.#generation) return;
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
				if (generation !== this.#generation) {
					consumer.close();
					return;
				}
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
				// A failure here means the connection is going; its loss is handled where it closes.
				await this.#channel?.request('resumeConsumer', { consumerId: d.consumerId }).catch(() => undefined);
				if (generation !== this.#generation) return;
				this.safeEmit('track', info);
				return;
			}
			case 'consumerClosed': {
				const entry = this.#consumers.get(n.data.consumerId);
				if (!entry) return;
				this.#consumers.delete(n.data.consumerId);
				entry.consumer.close();
				this.safeEmit('trackEnded', { consumerId: n.data.consumerId, participantId: entry.info.participantId, source: entry.info.source });
				return;
			}
			case 'consumerPaused':
			case 'consumerResumed': {
				const entry = this.#consumers.get(n.data.consumerId);
				if (!entry) return;
				entry.info.paused = n.notification === 'consumerPaused';
				const payload = { consumerId: n.data.consumerId, participantId: entry.info.participantId, source: entry.info.source };
				this.safeEmit(n.notification === 'consumerPaused' ? 'trackPaused' : 'trackResumed', payload);
				return;
			}
			case 'participantJoined':
				this.safeEmit('participantJoined', n.data);
				return;
			case 'participantLeft':
				this.safeEmit('participantLeft', n.data);
				return;
			case 'mutedByHost': {
				// The server already stopped forwarding; keep the local state in step (also for a reconnect).
				this.#producers.get(n.data.source)?.pause();
				const published = this.#published.get(n.data.source);
				if (published) published.muted = true;
				this.safeEmit('mutedByHost', n.data);
				return;
			}
			case 'spotlightChanged':
				this.spotlight = n.data.participantId;
				this.safeEmit('spotlightChanged', n.data);
				return;
			case 'recordingChanged':
				this.recording = n.data;
				this.safeEmit('recordingChanged', n.data);
				return;
			case 'sessionEnded':
			case 'disconnected':
				this.#onFinalNotification(n);
				return;
		}
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
		this.#generation++;
		this.#channel?.close();
		this.#channel = undefined;
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
