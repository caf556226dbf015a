import type { types } from 'mediasoup';
import type { EngineConfig } from '../config.ts';
import { EngineError } from '../errors.ts';
import type { EngineEvents, LeaveReason, SessionEndReason, TypedEmitter } from '../events.ts';
import { childLogger, defaultLogger, type Logger } from '../log/logger.ts';
import type { WorkerPool, WorkerSlot } from '../media/worker-pool.ts';
import type { AbrConsumerStatus } from '../abr/driver.ts';
import type { StimulusProfile } from '../abr/profiles.ts';
import type { RecordingManifest } from '../recording/manifest.ts';
import type { SessionRecorder } from '../recording/session-recorder.ts';
import type { ActivityModule, OfferKind, Schedule } from './activity.ts';
import { effectiveLifecycle, type Lifecycle, type LifecycleInput } from './lifecycle.ts';
import { assertHost, assertLive, assertMayPublish, assertNotEnded } from './guards.ts';
import { MediaRouting } from './media-routing.ts';
import type { ParticipantNotification } from './notifications.ts';
import type { Participant, PlainTransportInfo, TransportDirection, TransportInfo } from './participant.ts';
import { Presence } from './presence.ts';
import { Producers, producerStats, type ProducerStats } from './producers.ts';
import { RecordingControl, type ConsentRecord, type RecordingStatus } from './recording-control.ts';
import type { MediaSource, Role, RoutingPolicy } from './roles.ts';
import { SessionEvents } from './session-events.ts';
import { SessionLifecycle } from './session-lifecycle.ts';
import { sessionInfo, type SessionInfo, type SessionOptions, type SessionState } from './session-info.ts';
import { LocalMembers } from './local-members.ts';
import { RemoteMembers } from './remote-members.ts';
import type { RouterPlacement } from './edge-routers.ts';
import { SessionRouter } from './session-router.ts';
import type { SessionLink } from './link.ts';

export type { ConsentRecord, RecordingStatus } from './recording-control.ts';
export type { ProducerStats } from './producers.ts';
export type { SessionInfo, SessionOptions, SessionState } from './session-info.ts';

/**
 * A live activity: one router (allocated at the first join), the connected participants and
 * the routing between them. States: scheduled → live → ended. The session checks who may do
 * what and hands the work to its parts: `Presence` (who is here, who is told about whom, the
 * spotlight), `SessionRouter` (router and transports), `MediaRouting` (consumers and the calm
 * controller), `RecordingControl` (recording and consent), `SessionLifecycle` (state, join window,
 * ending), `LocalMembers` and `RemoteMembers` (those connected through this host and through others);
 * its events leave through `SessionEvents`.
 */
export class Session {
	readonly id: string;
	readonly tenantId: string;
	title: string | undefined;
	module: ActivityModule | undefined;
	readonly kind: OfferKind;
	schedule: Schedule | undefined;
	readonly policy: RoutingPolicy;
	lifecycle: LifecycleInput;
	readonly createdAt: number;
	startedAt: number | undefined;
	endedAt: number | undefined;
	endReason: SessionEndReason | undefined;
	/** Since when nobody is in this live session (the idle end counts from here). */
	emptySince: number | undefined;
	/** When this overdue session ends, once those in it were told (newcomers are told too). */
	endingNoticeAt: number | undefined;
	/** The cluster's hooks while other hosts hold this session too (undefined on a single host). */
	link: SessionLink | undefined;
	readonly #lifecycle: SessionLifecycle;
	readonly #events: SessionEvents;
	readonly #log: Logger;
	readonly #presence: Presence;
	readonly #router: SessionRouter;
	readonly #media: MediaRouting;
	readonly #recording: RecordingControl;
	readonly #producers: Producers;
	readonly #local: LocalMembers;
	readonly #remote: RemoteMembers;

	constructor(
		opts: SessionOptions,
		config: EngineConfig,
		pool: WorkerPool,
		events: TypedEmitter<EngineEvents>,
		log: Logger = defaultLogger(),
	) {
		this.id = opts.id;
		this.tenantId = opts.tenantId;
		this.title = opts.title;
		this.module = opts.module;
		this.kind = opts.kind;
		this.schedule = opts.schedule;
		this.policy = opts.policy;
		this.lifecycle = opts.lifecycle ?? {};
		this.createdAt = opts.restored?.createdAt ?? Date.now();
		this.#lifecycle = new SessionLifecycle(this, opts.rules ?? (() => effectiveLifecycle(undefined, this.lifecycle)), opts.restored);
		this.#events = new SessionEvents(events, this);
		this.#log = childLogger(log, { sessionId: this.id });
		this.#presence = new Presence(this.policy);
		this.#router = new SessionRouter(this.id, config, pool);
		this.#media = new MediaRouting(this.#router, this.#presence, this.policy, this.#log);
		this.#recording = new RecordingControl({
			session: this,
			dataDir: config.dataDir,
			presence: this.#presence,
			router: this.#router,
			events: this.#events,
			log: this.#log,
		});
		this.#producers = new Producers(this.#events, this.#media, this.#recording);
		this.#remote = new RemoteMembers({
			session: this,
			presence: this.#presence,
			media: this.#media,
			recording: this.#recording,
			lifecycle: this.#lifecycle,
			log: this.#log,
			replaceLocal: (p) => this.#local.disconnect(p, 'replaced'),
		});
		this.#local = new LocalMembers({
			session: this,
			presence: this.#presence,
			remote: this.#remote,
			recording: this.#recording,
			lifecycle: this.#lifecycle,
			events: this.#events,
			log: this.#log,
		});
	}

	get state(): SessionState {
		return this.#lifecycle.state;
	}

	/** The lifecycle rules in force now. */
	rules(): Lifecycle {
		return this.#lifecycle.rules();
	}

	/** How many are connected now (with a cluster: to any host holding this session here). */
	get participantCount(): number {
		return this.#presence.all().length;
	}

	/**
	 * Refuses a join outside the join window: before it opens `not_started` (with the start and the
	 * opening time, so a client can wait), after it closes `session_ended`.
	 */
	assertJoinable(now = Date.now()): void {
		this.#lifecycle.assertJoinable(now);
	}

	/** Tells everyone in it, quietly, when this overdue session will end (once). */
	noticeEnding(endsAt: number): void {
		this.#lifecycle.noticeEnding(endsAt, this.#presence.all());
	}

	/**
	 * The host is going down for a restart: everyone is told to reconnect and leaves with
	 * `host-restart`; the session itself stays live (stored), so the reconnect carries on it.
	 */
	disconnectForRestart(): void {
		for (const p of this.#presence.all()) {
			if (p.home !== undefined) this.#remote.drop(p, 'left');
			else this.#local.disconnect(p, 'host-restart');
		}
	}

	/** A session that never took place is cancelled: it ends, and its tokens die with it. */
	cancel(): void {
		this.#lifecycle.cancel();
		this.#router.close();
		this.#events.emit('session.ended', { reason: 'cancelled' });
	}

	get workerIndex(): number | undefined {
		return this.#router.workerIndex;
	}

	info(): SessionInfo {
		return sessionInfo(this, this.#presence.all());
	}

	/** The connection a request names, still held by the session (else `not_found`: it was replaced, left or dropped). */
	participant(participantId: string, connectionId: string): Participant {
		return this.#local.connection(participantId, connectionId);
	}

	/** Joins a participant; a second connection with the same participant ID replaces the first. */
	async join(
		participantId: string,
		role: Role,
		notify: (n: ParticipantNotification) => void,
		opts: { stimulusProfile?: StimulusProfile | string | undefined } = {},
	): Promise<{ participant: Participant; rtpCapabilities: types.RtpCapabilities }> {
		this.assertJoinable();
		const router = await this.#router.ensure();
		assertNotEnded(this.#lifecycle.state);
		const participant = this.#local.join(participantId, role, notify, opts.stimulusProfile);
		return { participant, rtpCapabilities: router.rtpCapabilities };
	}

	/** What a participant sends, as the server receives it (see `producerStats`). */
	async producerStats(participantId: string): Promise<ProducerStats[]> {
		return producerStats(this.#presence.require(participantId));
	}

	/** The calm controller's view of every simulcast consumer in this session. */
	abrStatus(): (AbrConsumerStatus & { receiver: string; sender: string })[] {
		return this.#media.abrStatus();
	}

	/** Where this session's media runs: its routers by worker, who receives on each, the pipes feeding them. */
	placement(): RouterPlacement[] {
		return this.#router.placement(this.#presence.all());
	}

	/** Runs one round of the calm controller now (tests, diagnostics). */
	abrTick(): Promise<void> {
		return this.#media.abrTick();
	}

	/** Notes that a join token was issued for a participant (the ledger counts no-shows against it). */
	noteInvitation(participantId: string, role: Role): void {
		this.#events.emit('participant.invited', { participantId, role });
	}

	/** Who else is here, as this participant may know it. */
	peersOf(participant: Participant): { participantId: string; role: Role }[] {
		return this.#presence.peersOf(participant);
	}

	async createTransport(participant: Participant, direction: TransportDirection): Promise<TransportInfo> {
		this.#assertLive(participant);
		if (direction === 'send') assertMayPublish(participant.role);
		return this.#router.createWebRtcTransport(participant, direction);
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
		if (direction === 'send') assertMayPublish(participant.role);
		return this.#router.createPlainTransport(participant, direction, opts);
	}

	/** Points a plain transport at its remote end (not needed with comedia). */
	async connectPlainTransport(
		participant: Participant,
		transportId: string,
		remote: { ip: string; port: number; rtcpPort?: number },
	): Promise<void> {
		this.#assertLive(participant);
		await this.#router.connectPlainTransport(participant, transportId, remote);
	}

	async connectTransport(participant: Participant, transportId: string, dtlsParameters: types.DtlsParameters): Promise<void> {
		this.#assertLive(participant);
		await this.#router.connectTransport(participant, transportId, dtlsParameters);
	}

	/** The client can receive: remember its capabilities and consume everything routed to it. */
	async ready(participant: Participant, rtpCapabilities: types.RtpCapabilities): Promise<void> {
		this.#assertLive(participant);
		if (!participant.recvTransport) {
			throw new EngineError('conflict', 'create a receive transport before announcing ready');
		}
		await this.#media.receiverReady(participant, rtpCapabilities);
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
		assertMayPublish(participant.role);
		return this.#producers.produce(participant, transportId, kind, rtpParameters, source, paused);
	}

	async setProducerPaused(participant: Participant, producerId: string, paused: boolean): Promise<void> {
		this.#assertLive(participant);
		return this.#producers.setPaused(participant, producerId, paused);
	}

	/** A host mutes someone's microphone or camera; that person is told and may unmute again. */
	async muteParticipant(by: Participant, participantId: string, source: 'microphone' | 'camera'): Promise<void> {
		this.#assertLive(by);
		assertHost(by, 'mute others');
		const target = this.#presence.require(participantId);
		if (target.home !== undefined) {
			// Their producers live on their own host: it pauses them, and the pipes carry the pause here.
			this.link?.mute(target.home, participantId, source);
			return;
		}
		await this.applyMute(participantId, source);
	}

	/** Mutes someone connected here (a host here or on another host of the cluster asked). */
	async applyMute(participantId: string, source: 'microphone' | 'camera'): Promise<void> {
		const target = this.#presence.require(participantId);
		if (target.home !== undefined) return;
		for (const entry of target.producers.values()) {
			if (entry.source === source) await this.setProducerPaused(target, entry.producer.id, true);
		}
		target.notify({ type: 'mutedByHost', source });
	}

	/** A host puts one participant on everyone's stage (or takes the spotlight away with null). */
	setSpotlight(by: Participant, participantId: string | null): void {
		this.#assertLive(by);
		assertHost(by, 'set the spotlight');
		this.#presence.setSpotlight(participantId);
		this.link?.spotlight(participantId);
	}

	get spotlight(): string | null {
		return this.#presence.spotlight;
	}

	/** A host ends the session for everyone. */
	endBy(by: Participant): void {
		this.#assertLive(by);
		assertHost(by, 'end the session');
		this.end('ended');
	}

	closeProducer(participant: Participant, producerId: string): void {
		this.#assertLive(participant);
		this.#producers.close(participant, producerId);
	}

	async resumeConsumer(participant: Participant, consumerId: string): Promise<void> {
		this.#assertLive(participant);
		const consumer = participant.consumers.get(consumerId);
		if (!consumer) throw new EngineError('not_found', `consumer ${consumerId} not found`);
		// A picture begins on its start layer, not on whichever layer the sender happened to start first.
		await this.#media.startLayerReady(consumer);
		if (consumer.closed) return; // the receiver hears of it as consumerClosed
		await consumer.resume();
		// Start the picture now rather than at the next periodic keyframe.
		if (consumer.kind === 'video') await consumer.requestKeyFrame();
	}

	leave(participant: Participant, reason: LeaveReason = 'left'): void {
		this.#local.leave(participant, reason);
	}

	end(reason: SessionEndReason = 'ended'): void {
		if (this.#lifecycle.over) return;
		// Finish the recording first: its consumers close with the router below.
		this.#recording.finishAtEnd();
		for (const p of this.#presence.all()) {
			if (p.home !== undefined) this.#remote.drop(p, 'session-ended');
			else {
				p.notify({ type: 'sessionEnded', reason });
				this.#local.remove(p, 'session-ended');
			}
		}
		this.#lifecycle.ended(reason);
		this.#media.stop();
		this.#router.close();
		this.#events.emit('session.ended', { reason });
	}

	/**
	 * Starts recording the session into `<dataDir>/recordings/<tenant>/<recordingId>/`: hosts'
	 * tracks always, others' only with their consent. Fails at once (not at the end) when
	 * ffmpeg or the data directory is missing. `by`: the host who asked (undefined: the API).
	 */
	async startRecording(by?: Participant): Promise<RecordingStatus> {
		if (by) {
			this.#assertLive(by);
			assertHost(by, 'record');
		}
		return this.#recording.start(by?.id);
	}

	/** Stops the recording; resolves once every file is complete (post-processing may begin). */
	async stopRecording(by?: Participant): Promise<{ recordingId: string; dir: string; manifest: RecordingManifest }> {
		if (by) {
			this.#assertLive(by);
			assertHost(by, 'stop the recording');
		}
		return this.#recording.stop();
	}

	recordingStatus(): RecordingStatus {
		return this.#recording.status();
	}

	/** The running recorder (tests and diagnostics). */
	get recorder(): SessionRecorder | undefined {
		return this.#recording.recorder;
	}

	/**
	 * Records a participant's consent to being recorded, with time and who set it. A participant
	 * may set their own; a host anyone's; `by` undefined is the admin API. Withdrawal cuts their
	 * tracks from a running recording at once.
	 */
	setRecordingConsent(by: Participant | undefined, participantId: string, consent: boolean): ConsentRecord {
		if (by) {
			this.#assertLive(by);
			if (by.id !== participantId) assertHost(by, "change someone else's recording consent");
		} else {
			assertNotEnded(this.#lifecycle.state);
		}
		const record = this.#recording.setConsent(participantId, consent, by ? by.id : 'api');
		this.link?.consent(participantId, consent, record.by);
		return record;
	}

	/**
	 * The people connected through other hosts of the cluster, and what those hosts ask of the people
	 * connected here (`RemoteMembers`; docs/scaling.md, "Across hosts").
	 */
	get remote(): RemoteMembers {
		return this.#remote;
	}

	/** The session's router on this host (made at first need): pipes from and to other hosts end here. */
	mediaRouter(): Promise<types.Router> {
		assertNotEnded(this.#lifecycle.state);
		return this.#router.ensure();
	}

	/** Called by the engine when a worker died: under the origin it takes everyone's media, under an edge router only its viewers'. */
	handleWorkerLost(dead: WorkerSlot): void {
		this.#local.mediaLost(this.#router.lost(dead));
	}

	#assertLive(participant: Participant): void {
		assertLive(this.#lifecycle.state, participant, this.#presence.get(participant.id));
	}
}
