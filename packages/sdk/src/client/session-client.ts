import { Device } from 'mediasoup-client';
import type { types as msc } from 'mediasoup-client';
import type { MediaSource, NotificationEnvelope, Role } from '../protocol/index.ts';
import { Emitter } from './emitter.ts';
import { waitingForOpening } from './join-window.ts';
import { Publisher, type PublishOptions } from './publisher.ts';
import { reconnectLoop } from './reconnect-loop.ts';
import { defaultReconnectPolicy, type ReconnectPolicy } from './reconnect-policy.ts';
import { installWebRtc, type SessionClientOptions } from './session-client-options.ts';
import { NOT_RECORDING, type RecordingState, type RemoteTrack, type SessionClientEvents } from './session-events.ts';
import { SignalChannel, SignalError } from './signal-channel.ts';

export type SessionClientState = 'idle' | 'connecting' | 'joined' | 'reconnecting' | 'closed';

/**
 * Rejoining cannot mend these: the token is refused, the page's origin is not allowed, the session
 * is over, was cancelled or no longer exists. (`not_started` is no failure: the client waits for
 * the join window, see `waitingForOpening`.)
 */
const FATAL_ON_REJOIN = new Set<SignalError['code']>([
	'unauthorized',
	'origin_not_allowed',
	'session_ended',
	'session_cancelled',
	'not_found',
]);

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
	/** The ICE servers (TURN) the host handed out at join. */
	#iceServers: { urls: string[]; username: string; credential: string }[] = [];
	#recvTransport: msc.Transport | undefined;
	readonly #consumers = new Map<string, { consumer: msc.Consumer; info: RemoteTrack }>();
	readonly #publisher = new Publisher({
		device: () => this.#device,
		channel: () => this.#assertChannel(),
		createSendTransport: () => this.#createTransport('send'),
		trackEnded: (source, kind) => this.safeEmit('localTrackEnded', { source, kind }),
	});
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
	/** Hosts: how many viewers watch (the server sends the number, never the viewers themselves); 0 for others. */
	audience = 0;
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
		await this.#publisher.publish(opts);
	}

	/** WebRTC statistics of everything received (inbound-rtp per track, candidate pair, …). */
	async receiveStats(): Promise<RTCStatsReport | undefined> {
		return this.#recvTransport?.getStats();
	}

	/** WebRTC statistics of everything sent (outbound-rtp per simulcast layer, …). */
	async sendStats(): Promise<RTCStatsReport | undefined> {
		return this.#publisher.stats();
	}

	/** Mutes a published source: the server stops forwarding it and receivers are told. */
	async mute(source: MediaSource): Promise<void> {
		await this.#publisher.mute(source);
	}

	async unmute(source: MediaSource): Promise<void> {
		await this.#publisher.unmute(source);
	}

	isMuted(source: MediaSource): boolean {
		return this.#publisher.isMuted(source);
	}

	/** Stops publishing a source. */
	async unpublish(source: MediaSource): Promise<void> {
		await this.#publisher.unpublish(source);
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
		// The server address's query stays on: a load balancer may route by it (a region, a preferred host).
		url.search = new URL(this.#opts.server).search;
		// The server tells a joining client only about a running recording: none told means none
		// (it may have stopped while this client was away).
		this.recording = NOT_RECORDING;
		// A host is told the audience right after joining; until then, as far as this client knows, none.
		this.audience = 0;
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
				this.#notifications = this.#notifications
					.then(() => this.#onNotification(n, generation))
					.catch((err: unknown) => {
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
		// TURN (when the host has it) lets a client behind a firewall that blocks UDP reach the media
		// through TCP or TLS on 443; ICE picks a direct path first when there is one.
		this.#iceServers = joined.iceServers ?? [];
		this.#device = handlerName ? new Device({ handlerName }) : await Device.factory();
		await this.#device.load({ routerRtpCapabilities: joined.routerRtpCapabilities as msc.RtpCapabilities });
		this.#recvTransport = await this.#createTransport('recv');
		await channel.request('ready', { rtpCapabilities: this.#device.recvRtpCapabilities as never });
		// A close during the last request was ignored as "not joined yet": do not report a dead link as joined.
		if (!channel.open) throw new SignalError('closed', 'the connection closed while joining');
		return { participantId: joined.participantId, role: joined.role, peers: joined.peers };
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
		let lastError: unknown;
		const outcome = await reconnectLoop({
			policy: waitingForOpening(policy),
			signal: abort.signal,
			attempt: async () => {
				try {
					joined = await this.#join(this.#token);
					if (this.role !== 'viewer') await this.#publisher.republish();
				} catch (err) {
					this.#teardown();
					lastError = err;
					throw err;
				}
			},
			isFatal: (err) => err instanceof SignalError && FATAL_ON_REJOIN.has(err.code),
			onWaiting: (attempt, delayMs) =>
				this.safeEmit('reconnecting', {
					attempt,
					delayMs,
					reason,
					...(lastError instanceof SignalError ? { error: lastError } : {}),
				}),
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
		const failure = outcome.kind === 'reconnected' ? undefined : outcome.error;
		const error =
			outcome.kind === 'failed' && failure instanceof SignalError
				? failure
				: new SignalError('unavailable', `gave up reconnecting after ${outcome.attempts} attempts`, { cause: failure });
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
			...(this.#iceServers.length > 0 ? { iceServers: this.#iceServers as RTCIceServer[] } : {}),
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
				this.safeEmit('trackEnded', {
					consumerId: n.data.consumerId,
					participantId: entry.info.participantId,
					source: entry.info.source,
				});
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
			case 'audienceChanged':
				this.audience = n.data.viewers;
				this.safeEmit('audienceChanged', n.data);
				return;
			case 'mutedByHost': {
				this.#publisher.mutedByHost(n.data.source);
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
			case 'sessionEnding':
				this.safeEmit('sessionEnding', n.data);
				return;
			case 'sessionEnded':
			case 'disconnected':
				this.#onFinalNotification(n);
				return;
		}
	}

	#teardown(): void {
		this.#publisher.close();
		for (const { consumer } of this.#consumers.values()) consumer.close();
		this.#consumers.clear();
		this.#recvTransport?.close();
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
