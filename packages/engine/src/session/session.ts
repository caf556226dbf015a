import { randomBytes, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { types } from 'mediasoup';
import type { EngineConfig } from '../config.ts';
import { EngineError } from '../errors.ts';
import type { EngineEvents, LeaveReason, SessionEndReason, TypedEmitter } from '../events.ts';
import { routerMediaCodecs } from '../media/codecs.ts';
import type { WorkerPool, WorkerSlot } from '../media/worker-pool.ts';
import { AbrDriver, stagePriority, type AbrConsumerStatus } from '../abr/driver.ts';
import { builtinProfile, builtinProfiles, type StimulusProfile } from '../abr/profiles.ts';
import type { ActivityModule, OfferKind, Schedule } from './activity.ts';
import type { ParticipantNotification } from './notifications.ts';
import {
	Participant,
	participantLimits,
	type MediaTransport,
	type PlainTransportInfo,
	type TransportDirection,
	type TransportInfo,
} from './participant.ts';
import { canPublish, knowsOf, routes, type MediaSource, type Role, type RoutingPolicy } from './roles.ts';
import { resolveFfmpeg } from '../recording/ffmpeg.ts';
import type { RecordingManifest } from '../recording/manifest.ts';
import { SessionRecorder } from '../recording/session-recorder.ts';

export type SessionState = 'scheduled' | 'live' | 'ended';

export interface SessionOptions {
	id: string;
	tenantId: string;
	title?: string | undefined;
	module?: ActivityModule | undefined;
	kind: OfferKind;
	schedule?: Schedule | undefined;
	policy: RoutingPolicy;
}

export interface SessionInfo {
	id: string;
	tenantId: string;
	title: string | undefined;
	module: ActivityModule | undefined;
	kind: OfferKind;
	schedule: Schedule | undefined;
	state: SessionState;
	createdAt: number;
	startedAt: number | undefined;
	endedAt: number | undefined;
	policy: RoutingPolicy;
	participants: { participantId: string; role: Role; joinedAt: number }[];
}

/** Recording consent of one participant, as last set. */
export interface ConsentRecord {
	consent: boolean;
	/** Milliseconds since the epoch. */
	at: number;
	/** Who set it: the participant themself, a host (their ID), or `api`. */
	by: string;
}

export interface RecordingStatus {
	active: boolean;
	recordingId: string | undefined;
	startedAt: number | undefined;
	/** Participants whose tracks are being written now. */
	recorded: string[];
	/** Every participant's consent as last set (hosts are recorded without it). */
	consent: ({ participantId: string } & ConsentRecord)[];
}

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
 * A live activity: one router (allocated at the first join), the connected participants and
 * the routing between them. States: scheduled → live → ended.
 */
export class Session {
	readonly id: string;
	readonly tenantId: string;
	readonly title: string | undefined;
	readonly module: ActivityModule | undefined;
	readonly kind: OfferKind;
	readonly schedule: Schedule | undefined;
	readonly policy: RoutingPolicy;
	readonly createdAt = Date.now();
	startedAt: number | undefined;
	endedAt: number | undefined;
	readonly #participants = new Map<string, Participant>();
	readonly #config: EngineConfig;
	readonly #pool: WorkerPool;
	readonly #events: TypedEmitter<EngineEvents>;
	#slot: WorkerSlot | undefined;
	#router: types.Router | undefined;
	#routerPending: Promise<types.Router> | undefined;
	#state: SessionState = 'scheduled';
	#spotlight: string | null = null;
	readonly #abr = new AbrDriver();
	/** Consent per participant ID: kept across reconnects for the whole session. */
	readonly #consent = new Map<string, ConsentRecord>();
	#recorder: SessionRecorder | undefined;

	constructor(opts: SessionOptions, config: EngineConfig, pool: WorkerPool, events: TypedEmitter<EngineEvents>) {
		this.id = opts.id;
		this.tenantId = opts.tenantId;
		this.title = opts.title;
		this.module = opts.module;
		this.kind = opts.kind;
		this.schedule = opts.schedule;
		this.policy = opts.policy;
		this.#config = config;
		this.#pool = pool;
		this.#events = events;
	}

	get state(): SessionState {
		return this.#state;
	}

	get workerIndex(): number | undefined {
		return this.#slot?.index;
	}

	info(): SessionInfo {
		return {
			id: this.id,
			tenantId: this.tenantId,
			title: this.title,
			module: this.module,
			kind: this.kind,
			schedule: this.schedule ? { ...this.schedule } : undefined,
			state: this.#state,
			createdAt: this.createdAt,
			startedAt: this.startedAt,
			endedAt: this.endedAt,
			policy: { ...this.policy },
			participants: [...this.#participants.values()].map((p) => ({
				participantId: p.id,
				role: p.role,
				joinedAt: p.joinedAt,
			})),
		};
	}

	participant(participantId: string, connectionId: string): Participant {
		const p = this.#participants.get(participantId);
		if (!p || p.connectionId !== connectionId || p.closed) {
			throw new EngineError('not_found', 'this connection is no longer part of the session');
		}
		return p;
	}

	/** Joins a participant; a second connection with the same participant ID replaces the first. */
	async join(
		participantId: string,
		role: Role,
		notify: (n: ParticipantNotification) => void,
		opts: { stimulusProfile?: StimulusProfile | string | undefined } = {},
	): Promise<{ participant: Participant; rtpCapabilities: types.RtpCapabilities }> {
		this.#assertNotEnded();
		const router = await this.#ensureRouter();
		this.#assertNotEnded();
		const previous = this.#participants.get(participantId);
		if (previous) {
			previous.notify({ type: 'disconnected', reason: 'replaced' });
			this.#remove(previous, 'replaced');
		}
		const participant = new Participant(participantId, role, randomUUID(), notify);
		// A resolved profile (the host resolves tenant profiles) or a built-in ID; an unknown ID falls
		// back to calm, the safe side.
		const sp = opts.stimulusProfile ?? 'calm';
		participant.stimulusProfile = typeof sp === 'string' ? (builtinProfile(sp) ?? builtinProfiles.calm) : sp;
		this.#participants.set(participantId, participant);
		if (this.#state === 'scheduled') {
			this.#state = 'live';
			this.startedAt = Date.now();
			this.#emitScoped('session.started', { module: this.module });
		}
		this.#emitScoped('participant.joined', { participantId, role, connectionId: participant.connectionId });
		if (this.#recorder && !this.#recorder.stopped) this.#notifyRecording();
		for (const other of this.#participants.values()) {
			if (other !== participant && knowsOf(other.role, role, this.policy)) {
				other.notify({ type: 'participantJoined', participantId, role });
			}
		}
		return { participant, rtpCapabilities: router.rtpCapabilities };
	}

	/**
	 * What a participant sends, as the server receives it: per producer its declared
	 * encodings (three for simulcast camera video) and the live layers with bitrate and score.
	 */
	async producerStats(participantId: string): Promise<ProducerStats[]> {
		const p = this.#participants.get(participantId);
		if (!p) throw new EngineError('not_found', `participant ${participantId} is not in this session`);
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

	/** The calm controller's view of every simulcast consumer in this session. */
	abrStatus(): (AbrConsumerStatus & { receiver: string; sender: string })[] {
		const ends = new Map<string, { receiver: string; sender: string }>();
		for (const p of this.#participants.values()) {
			for (const [id, c] of p.consumers) ends.set(id, { receiver: p.id, sender: String((c.appData as { participantId?: unknown }).participantId ?? '') });
		}
		return this.#abr.status().map((s) => ({ ...s, ...(ends.get(s.consumerId) ?? { receiver: '', sender: '' }) }));
	}

	/** Runs one round of the calm controller now (tests, diagnostics). */
	abrTick(): Promise<void> {
		return this.#abr.tick();
	}

	/** Notes that a join token was issued for a participant (the ledger counts no-shows against it). */
	noteInvitation(participantId: string, role: Role): void {
		this.#events.emit('participant.invited', { at: Date.now(), tenantId: this.tenantId, sessionId: this.id, participantId, role });
	}

	/** Who else is here, as this participant may know it. */
	peersOf(participant: Participant): { participantId: string; role: Role }[] {
		return [...this.#participants.values()]
			.filter((p) => p !== participant && knowsOf(participant.role, p.role, this.policy))
			.map((p) => ({ participantId: p.id, role: p.role }));
	}

	async createTransport(participant: Participant, direction: TransportDirection): Promise<TransportInfo> {
		this.#assertLive(participant);
		if (direction === 'send' && !canPublish(participant.role)) {
			throw new EngineError('forbidden', `role ${participant.role} may not publish`);
		}
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

	/**
	 * A plain RTP transport for a server-side participant (recording, RTP ingest, load tests).
	 * `comedia`: learn the remote address from the first packet received (ingest from ffmpeg).
	 */
	async createPlainTransport(
		participant: Participant,
		direction: TransportDirection,
		opts: { comedia?: boolean; rtcpMux?: boolean; listenIp?: string } = {},
	): Promise<PlainTransportInfo> {
		this.#assertLive(participant);
		if (direction === 'send' && !canPublish(participant.role)) {
			throw new EngineError('forbidden', `role ${participant.role} may not publish`);
		}
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
		this.#assertLive(participant);
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

	async connectTransport(
		participant: Participant,
		transportId: string,
		dtlsParameters: types.DtlsParameters,
	): Promise<void> {
		this.#assertLive(participant);
		const { transport } = participant.transport(transportId);
		if (!('iceParameters' in transport)) throw new EngineError('invalid_argument', 'not a WebRTC transport');
		try {
			await transport.connect({ dtlsParameters });
		} catch (err) {
			throw new EngineError('invalid_argument', `cannot connect transport: ${(err as Error).message}`);
		}
	}

	/** The client can receive: remember its capabilities and consume everything routed to it. */
	async ready(participant: Participant, rtpCapabilities: types.RtpCapabilities): Promise<void> {
		this.#assertLive(participant);
		if (!participant.recvTransport) {
			throw new EngineError('conflict', 'create a receive transport before announcing ready');
		}
		// A plain RTP receiver (recorder, RTP egress) sends no congestion feedback; with
		// transport-cc or REMB announced, mediasoup would run an estimator that never hears back
		// and hold simulcast consumers on a low layer. Without them it forwards the best layer.
		const plain = !('iceParameters' in participant.recvTransport);
		participant.rtpCapabilities = plain ? withoutCongestionFeedback(rtpCapabilities) : rtpCapabilities;
		for (const sender of this.#participants.values()) {
			if (sender === participant || !routes(sender.role, participant.role, this.policy)) continue;
			for (const { producer, source } of sender.producers.values()) {
				await this.#consume(participant, sender, producer, source);
			}
		}
	}

	async produce(
		participant: Participant,
		transportId: string,
		kind: 'audio' | 'video',
		rtpParameters: types.RtpParameters,
		source: MediaSource,
		paused: boolean,
	): Promise<string> {
		this.#assertLive(participant);
		if (!canPublish(participant.role)) throw new EngineError('forbidden', `role ${participant.role} may not publish`);
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
			throw new EngineError('invalid_argument', `cannot produce: ${(err as Error).message}`);
		}
		if (participant.closed) {
			producer.close();
			throw new EngineError('not_found', 'this connection is no longer part of the session');
		}
		participant.producers.set(producer.id, { producer, source });
		producer.observer.once('close', () => {
			participant.producers.delete(producer.id);
			this.#emitScoped('producer.removed', { participantId: participant.id, producerId: producer.id });
			this.#recorder?.sync(participant.id);
		});
		this.#recorder?.sync(participant.id);
		this.#emitScoped('producer.added', {
			participantId: participant.id,
			role: participant.role,
			producerId: producer.id,
			kind,
			source,
		});
		for (const receiver of this.#participants.values()) {
			if (receiver === participant || !receiver.ready || !routes(participant.role, receiver.role, this.policy)) continue;
			await this.#consume(receiver, participant, producer, source);
		}
		return producer.id;
	}

	async setProducerPaused(participant: Participant, producerId: string, paused: boolean): Promise<void> {
		this.#assertLive(participant);
		const entry = participant.producers.get(producerId);
		if (!entry) throw new EngineError('not_found', `producer ${producerId} not found`);
		if (entry.producer.paused === paused) return;
		if (paused) await entry.producer.pause();
		else await entry.producer.resume();
		this.#emitScoped(paused ? 'producer.paused' : 'producer.resumed', {
			participantId: participant.id,
			producerId,
		});
	}

	/** A host mutes someone's microphone or camera; that person is told and may unmute again. */
	async muteParticipant(by: Participant, participantId: string, source: 'microphone' | 'camera'): Promise<void> {
		this.#assertLive(by);
		this.#assertHost(by, 'mute others');
		const target = this.#participants.get(participantId);
		if (!target) throw new EngineError('not_found', `participant ${participantId} is not in this session`);
		for (const entry of target.producers.values()) {
			if (entry.source !== source) continue;
			await this.setProducerPaused(target, entry.producer.id, true);
		}
		target.notify({ type: 'mutedByHost', source });
	}

	/** A host puts one participant on everyone's stage (or takes the spotlight away with null). */
	setSpotlight(by: Participant, participantId: string | null): void {
		this.#assertLive(by);
		this.#assertHost(by, 'set the spotlight');
		if (participantId !== null && !this.#participants.has(participantId)) {
			throw new EngineError('not_found', `participant ${participantId} is not in this session`);
		}
		this.#spotlight = participantId;
		for (const p of this.#participants.values()) p.notify({ type: 'spotlightChanged', participantId });
	}

	get spotlight(): string | null {
		return this.#spotlight;
	}

	/** A host ends the session for everyone. */
	endBy(by: Participant): void {
		this.#assertLive(by);
		this.#assertHost(by, 'end the session');
		this.end('ended');
	}

	#assertHost(p: Participant, what: string): void {
		if (p.role !== 'host') throw new EngineError('forbidden', `only a host may ${what}`);
	}

	closeProducer(participant: Participant, producerId: string): void {
		this.#assertLive(participant);
		const entry = participant.producers.get(producerId);
		if (!entry) throw new EngineError('not_found', `producer ${producerId} not found`);
		entry.producer.close();
	}

	async resumeConsumer(participant: Participant, consumerId: string): Promise<void> {
		this.#assertLive(participant);
		const consumer = participant.consumers.get(consumerId);
		if (!consumer) throw new EngineError('not_found', `consumer ${consumerId} not found`);
		await consumer.resume();
		// Start the picture now rather than at the next periodic keyframe.
		if (consumer.kind === 'video') await consumer.requestKeyFrame();
	}

	leave(participant: Participant, reason: LeaveReason = 'left'): void {
		if (participant.closed) return;
		if (this.#participants.get(participant.id) !== participant) return;
		this.#remove(participant, reason);
	}

	end(reason: SessionEndReason = 'ended'): void {
		if (this.#state === 'ended') return;
		// Finish the recording first: its consumers close with the router below.
		if (this.#recorder && !this.#recorder.stopped) void this.#finishRecording('session-ended').catch(() => undefined);
		for (const p of [...this.#participants.values()]) {
			p.notify({ type: 'sessionEnded', reason });
			this.#remove(p, 'session-ended');
		}
		this.#state = 'ended';
		this.#abr.stop();
		this.endedAt = Date.now();
		this.#router?.close();
		this.#router = undefined;
		this.#slot = undefined;
		this.#emitScoped('session.ended', { reason });
	}

	/**
	 * Starts recording the session into `<dataDir>/recordings/<tenant>/<recordingId>/`: hosts'
	 * tracks always, others' only with their consent. Fails at once (not at the end) when
	 * ffmpeg or the data directory is missing. `by`: the host who asked (undefined: the API).
	 */
	async startRecording(by?: Participant): Promise<RecordingStatus> {
		if (by) {
			this.#assertLive(by);
			this.#assertHost(by, 'record');
		}
		this.#assertNotEnded();
		if (this.#recorder && !this.#recorder.stopped) throw new EngineError('conflict', 'this session is already being recorded');
		if (!this.module) throw new EngineError('invalid_argument', 'a recording goes into one of the five modules: give the session a module first');
		const dataDir = this.#config.dataDir;
		if (!dataDir) throw new EngineError('unavailable', 'recording needs a data directory (engine config dataDir)');
		const tools = resolveFfmpeg();
		await this.#ensureRouter();
		this.#assertNotEnded();
		const recordingId = `rec_${randomBytes(9).toString('base64url')}`;
		const manifest: RecordingManifest = {
			version: 1,
			recordingId,
			tenantId: this.tenantId,
			sessionId: this.id,
			title: this.title ?? null,
			module: this.module ?? null,
			startedAt: Date.now(),
			endedAt: null,
			parts: [],
		};
		const recorder = new SessionRecorder({
			manifest,
			dir: join(dataDir, 'recordings', this.tenantId, recordingId),
			tools,
			source: {
				router: () => (this.#router && !this.#router.closed ? this.#router : undefined),
				senders: () => [...this.#participants.values()].map((p) => ({ participantId: p.id, role: p.role, sources: [...p.producers.values()] })),
				recordable: (participantId, role) => role === 'host' || this.#consent.get(participantId)?.consent === true,
			},
			log: (what, fields) =>
				this.#events.emit('recording.part', {
					at: Date.now(),
					tenantId: this.tenantId,
					sessionId: this.id,
					recordingId,
					what,
					participantId: typeof fields.participantId === 'string' ? fields.participantId : undefined,
					detail: typeof fields.detail === 'string' ? fields.detail : typeof fields.error === 'string' ? fields.error : undefined,
				}),
			onChange: () => this.#notifyRecording(),
		});
		this.#recorder = recorder;
		await recorder.start();
		this.#events.emit('recording.started', { at: Date.now(), tenantId: this.tenantId, sessionId: this.id, recordingId, by: by?.id });
		this.#notifyRecording();
		return this.recordingStatus();
	}

	/** Stops the recording; resolves once every file is complete (post-processing may begin). */
	async stopRecording(by?: Participant): Promise<{ recordingId: string; dir: string; manifest: RecordingManifest }> {
		if (by) {
			this.#assertLive(by);
			this.#assertHost(by, 'stop the recording');
		}
		if (!this.#recorder || this.#recorder.stopped) throw new EngineError('conflict', 'this session is not being recorded');
		return this.#finishRecording('stopped');
	}

	async #finishRecording(reason: 'stopped' | 'session-ended'): Promise<{ recordingId: string; dir: string; manifest: RecordingManifest }> {
		const recorder = this.#recorder!;
		const manifest = await recorder.stop();
		this.#notifyRecording();
		this.#events.emit('recording.stopped', {
			at: Date.now(),
			tenantId: this.tenantId,
			sessionId: this.id,
			recordingId: manifest.recordingId,
			dir: recorder.dir,
			parts: manifest.parts.length,
			reason,
		});
		return { recordingId: manifest.recordingId, dir: recorder.dir, manifest };
	}

	recordingStatus(): RecordingStatus {
		const r = this.#recorder;
		const active = !!r && !r.stopped;
		return {
			active,
			recordingId: active ? r.manifest.recordingId : undefined,
			startedAt: active ? r.manifest.startedAt : undefined,
			recorded: active ? r.recordedParticipants() : [],
			consent: [...this.#consent].map(([participantId, c]) => ({ participantId, ...c })),
		};
	}

	/** The running recorder (tests and diagnostics). */
	get recorder(): SessionRecorder | undefined {
		return this.#recorder;
	}

	/**
	 * Records a participant's consent to being recorded, with time and who set it. A participant
	 * may set their own; a host anyone's; `by` undefined is the admin API. Withdrawal cuts their
	 * tracks from a running recording at once.
	 */
	setRecordingConsent(by: Participant | undefined, participantId: string, consent: boolean): ConsentRecord {
		if (by) {
			this.#assertLive(by);
			if (by.id !== participantId) this.#assertHost(by, "change someone else's recording consent");
		} else {
			this.#assertNotEnded();
		}
		const record: ConsentRecord = { consent, at: Date.now(), by: by ? by.id : 'api' };
		this.#consent.set(participantId, record);
		this.#events.emit('recording.consent', { at: record.at, tenantId: this.tenantId, sessionId: this.id, participantId, consent, by: record.by });
		this.#recorder?.sync(participantId);
		this.#notifyRecording();
		return record;
	}

	/** Tells everyone the recording state; hosts also learn who is recorded. */
	#notifyRecording(): void {
		const status = this.recordingStatus();
		const recorded = new Set(status.recorded);
		const consented = status.consent.filter((c) => c.consent).map((c) => c.participantId);
		for (const p of this.#participants.values()) {
			p.notify({
				type: 'recordingChanged',
				active: status.active,
				you: recorded.has(p.id),
				consent: p.role === 'host' || this.#consent.get(p.id)?.consent === true,
				recorded: p.role === 'host' ? status.recorded : [],
				consented: p.role === 'host' ? consented : [],
			});
		}
	}

	/** Called by the engine when the worker behind this session's router died. */
	handleWorkerLost(dead: WorkerSlot): void {
		if (this.#slot !== dead) return;
		this.#router = undefined;
		this.#slot = undefined;
		this.#routerPending = undefined;
		for (const p of [...this.#participants.values()]) {
			p.notify({ type: 'disconnected', reason: 'media-failure' });
			this.#remove(p, 'media-failure');
		}
	}

	#media(): { router: types.Router; slot: WorkerSlot } {
		if (!this.#router || !this.#slot) throw new EngineError('unavailable', 'session has no media router');
		return { router: this.#router, slot: this.#slot };
	}

	/** Registers a new transport with its participant and its worker's load. */
	#track(participant: Participant, transport: MediaTransport, direction: TransportDirection, slot: WorkerSlot): void {
		if (participant.closed) {
			transport.close();
			throw new EngineError('not_found', 'this connection is no longer part of the session');
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

	async #consume(
		receiver: Participant,
		sender: Participant,
		producer: types.Producer,
		source: MediaSource,
	): Promise<void> {
		const router = this.#router;
		const transport = receiver.recvTransport;
		const caps = receiver.rtpCapabilities;
		if (!router || !transport || !caps || producer.closed) return;
		if (!router.canConsume({ producerId: producer.id, rtpCapabilities: caps })) return;
		// Simulcast video starts on the layer the receiver's stimulus profile says, and from then
		// on the calm controller picks its layers.
		const simulcast = producer.kind === 'video' && producer.type === 'simulcast';
		const priority = stagePriority(sender.role, source);
		const startState = simulcast ? this.#abr.startState(receiver.stimulusProfile, transport as types.Transport, producer, priority) : undefined;
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
		if (producer.kind === 'video' && priority !== 1) await consumer.setPriority(priority).catch(() => undefined);
		if (startState) this.#abr.add(consumer, producer, transport as types.Transport, receiver.stimulusProfile, startState, priority);
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

	#remove(participant: Participant, reason: LeaveReason): void {
		this.#participants.delete(participant.id);
		if (this.#spotlight === participant.id && reason !== 'replaced') {
			this.#spotlight = null;
			for (const p of this.#participants.values()) p.notify({ type: 'spotlightChanged', participantId: null });
		}
		participant.close(reason);
		this.#recorder?.sync(participant.id);
		this.#emitScoped('participant.left', {
			participantId: participant.id,
			role: participant.role,
			connectionId: participant.connectionId,
			reason,
		});
		if (reason === 'replaced') return;
		for (const other of this.#participants.values()) {
			if (knowsOf(other.role, participant.role, this.policy)) {
				other.notify({ type: 'participantLeft', participantId: participant.id, role: participant.role });
			}
		}
	}

	async #ensureRouter(): Promise<types.Router> {
		if (this.#router && !this.#router.closed) return this.#router;
		this.#routerPending ??= (async () => {
			const slot = this.#pool.leastLoaded();
			const router = await slot.worker.createRouter({ mediaCodecs: routerMediaCodecs, appData: { sessionId: this.id } });
			slot.load++;
			router.observer.once('close', () => {
				slot.load--;
			});
			this.#slot = slot;
			this.#router = router;
			return router;
		})().finally(() => {
			this.#routerPending = undefined;
		});
		return this.#routerPending;
	}

	#assertNotEnded(): void {
		if (this.#state === 'ended') throw new EngineError('session_ended', 'this session has ended');
	}

	#assertLive(participant: Participant): void {
		this.#assertNotEnded();
		if (participant.closed || this.#participants.get(participant.id) !== participant) {
			throw new EngineError('not_found', 'this connection is no longer part of the session');
		}
	}

	#emitScoped<K extends 'session.started' | 'participant.joined' | 'participant.left' | 'producer.added' | 'producer.removed' | 'producer.paused' | 'producer.resumed' | 'session.ended'>(
		event: K,
		payload: Omit<EngineEvents[K], 'at' | 'tenantId' | 'sessionId'>,
	): void {
		this.#events.emit(event, {
			at: Date.now(),
			tenantId: this.tenantId,
			sessionId: this.id,
			...payload,
		} as EngineEvents[K]);
	}
}

const congestionFeedback = new Set(['transport-cc', 'goog-remb']);
const congestionExtensions = new Set([
	'http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01',
	'http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time',
]);

function withoutCongestionFeedback(caps: types.RtpCapabilities): types.RtpCapabilities {
	return {
		...caps,
		codecs: (caps.codecs ?? []).map((c) => ({
			...c,
			rtcpFeedback: (c.rtcpFeedback ?? []).filter((fb) => !congestionFeedback.has(fb.type)),
		})),
		headerExtensions: (caps.headerExtensions ?? []).filter((h) => !congestionExtensions.has(h.uri)),
	};
}
