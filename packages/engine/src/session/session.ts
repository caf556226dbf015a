import { randomUUID } from 'node:crypto';
import type { types } from 'mediasoup';
import type { EngineConfig } from '../config.ts';
import { EngineError } from '../errors.ts';
import type { EngineEvents, LeaveReason, SessionEndReason, TypedEmitter } from '../events.ts';
import { childLogger, defaultLogger, type Logger } from '../log/logger.ts';
import type { WorkerPool, WorkerSlot } from '../media/worker-pool.ts';
import type { AbrConsumerStatus } from '../abr/driver.ts';
import { builtinProfile, builtinProfiles, type StimulusProfile } from '../abr/profiles.ts';
import type { RecordingManifest } from '../recording/manifest.ts';
import type { SessionRecorder } from '../recording/session-recorder.ts';
import type { ActivityModule, OfferKind, Schedule } from './activity.ts';
import { effectiveLifecycle, joinWindow, type Lifecycle, type LifecycleInput } from './lifecycle.ts';
import { assertHost, assertLive, assertMayPublish, assertNotEnded, connectionGone } from './guards.ts';
import { MediaRouting } from './media-routing.ts';
import type { ParticipantNotification } from './notifications.ts';
import { Participant, type PlainTransportInfo, type TransportDirection, type TransportInfo } from './participant.ts';
import { Presence } from './presence.ts';
import { Producers, producerStats, type ProducerStats } from './producers.ts';
import { RecordingControl, type ConsentRecord, type RecordingStatus } from './recording-control.ts';
import type { MediaSource, Role, RoutingPolicy } from './roles.ts';
import { SessionEvents } from './session-events.ts';
import type { RouterPlacement } from './edge-routers.ts';
import { SessionRouter } from './session-router.ts';
import type { SessionLink } from './link.ts';

export type { ConsentRecord, RecordingStatus } from './recording-control.ts';
export type { ProducerStats } from './producers.ts';

export type SessionState = 'scheduled' | 'live' | 'ended' | 'cancelled';

export interface SessionOptions {
	id: string;
	tenantId: string;
	title?: string | undefined;
	module?: ActivityModule | undefined;
	kind: OfferKind;
	schedule?: Schedule | undefined;
	policy: RoutingPolicy;
	/** This session's own lifecycle settings (over the tenant's; docs/sessions.md). */
	lifecycle?: LifecycleInput | undefined;
	/** The rules in force now (the tenant's may change while the session waits). */
	rules?: (() => Lifecycle) | undefined;
	/** Restoring a stored session: its creation, state and start. */
	restored?: { createdAt: number; state: 'scheduled' | 'live'; startedAt: number | undefined } | undefined;
}

export interface SessionInfo {
	id: string;
	tenantId: string;
	title: string | undefined;
	module: ActivityModule | undefined;
	kind: OfferKind;
	schedule: Schedule | undefined;
	state: SessionState;
	/** This session's own lifecycle settings; `rules`: those in force (with the tenant's and the defaults). */
	lifecycle: LifecycleInput;
	rules: Lifecycle;
	/** Why it ended: ended, idle, overdue, cancelled, engine-closed. */
	endReason: SessionEndReason | undefined;
	createdAt: number;
	startedAt: number | undefined;
	endedAt: number | undefined;
	policy: RoutingPolicy;
	participants: { participantId: string; role: Role; joinedAt: number }[];
}

/**
 * A live activity: one router (allocated at the first join), the connected participants and
 * the routing between them. States: scheduled → live → ended. The session checks who may do
 * what and hands the work to its parts: `Presence` (who is here, who is told about whom, the
 * spotlight), `SessionRouter` (router and transports), `MediaRouting` (consumers and the calm
 * controller), `RecordingControl` (recording and consent); its events leave through `SessionEvents`.
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
	readonly #rules: () => Lifecycle;
	readonly #events: SessionEvents;
	readonly #log: Logger;
	readonly #presence: Presence;
	readonly #router: SessionRouter;
	readonly #media: MediaRouting;
	readonly #recording: RecordingControl;
	readonly #producers: Producers;
	#state: SessionState = 'scheduled';

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
		this.#rules = opts.rules ?? (() => effectiveLifecycle(undefined, this.lifecycle));
		this.createdAt = opts.restored?.createdAt ?? Date.now();
		if (opts.restored) {
			this.#state = opts.restored.state;
			this.startedAt = opts.restored.startedAt;
			// Back after a restart: empty until its participants reconnect.
			if (this.#state === 'live') this.emptySince = Date.now();
		}
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
	}

	get state(): SessionState {
		return this.#state;
	}

	/** The lifecycle rules in force now. */
	rules(): Lifecycle {
		return this.#rules();
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
		assertNotEnded(this.#state);
		const window = joinWindow(this.schedule, this.rules());
		if (!window) return;
		if (now < window.opensAt) {
			const startsAt = new Date(this.schedule!.startsAt).toISOString();
			throw new EngineError(
				'not_started',
				`this activity starts at ${startsAt}; joining opens at ${new Date(window.opensAt).toISOString()}`,
				{
					details: { startsAt, opensAt: new Date(window.opensAt).toISOString() },
				},
			);
		}
		if (now >= window.closesAt) throw new EngineError('session_ended', 'this session is past its end');
	}

	/** Tells everyone in it, quietly, when this overdue session will end (once). */
	noticeEnding(endsAt: number): void {
		if (this.endingNoticeAt !== undefined) return;
		this.endingNoticeAt = endsAt;
		for (const p of this.#presence.all())
			p.notify({ type: 'sessionEnding', endsAt: new Date(endsAt).toISOString(), reason: 'overdue' });
	}

	/**
	 * The host is going down for a restart: everyone is told to reconnect and leaves with
	 * `host-restart`; the session itself stays live (stored), so the reconnect carries on it.
	 */
	disconnectForRestart(): void {
		for (const p of this.#presence.all()) {
			if (p.home !== undefined) {
				this.#dropRemote(p, 'left');
				continue;
			}
			p.notify({ type: 'disconnected', reason: 'host-restart' });
			this.#remove(p, 'host-restart');
		}
	}

	/** A session that never took place is cancelled: it ends, and its tokens die with it. */
	cancel(): void {
		if (this.#state !== 'scheduled') throw new EngineError('conflict', `a ${this.#state} session cannot be cancelled; end it instead`);
		this.#state = 'cancelled';
		this.endedAt = Date.now();
		this.endReason = 'cancelled';
		this.#router.close();
		this.#events.emit('session.ended', { reason: 'cancelled' });
	}

	get workerIndex(): number | undefined {
		return this.#router.workerIndex;
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
			lifecycle: { ...this.lifecycle },
			rules: this.rules(),
			endReason: this.endReason,
			createdAt: this.createdAt,
			startedAt: this.startedAt,
			endedAt: this.endedAt,
			policy: { ...this.policy },
			participants: this.#presence.all().map((p) => ({ participantId: p.id, role: p.role, joinedAt: p.joinedAt })),
		};
	}

	participant(participantId: string, connectionId: string): Participant {
		const p = this.#presence.get(participantId);
		if (!p || p.connectionId !== connectionId || p.closed) throw connectionGone();
		return p;
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
		assertNotEnded(this.#state);
		const previous = this.#presence.get(participantId);
		if (previous?.home !== undefined) {
			// Back through this host after being connected to another (a reconnect through the load balancer).
			this.#dropRemote(previous, 'replaced');
		} else if (previous) {
			previous.notify({ type: 'disconnected', reason: 'replaced' });
			this.#remove(previous, 'replaced');
		}
		const participant = new Participant(participantId, role, randomUUID(), notify, this.#log);
		// A resolved profile (the host resolves tenant profiles) or a built-in ID; an unknown ID falls
		// back to calm, the safe side.
		const sp = opts.stimulusProfile ?? 'calm';
		participant.stimulusProfile = typeof sp === 'string' ? (builtinProfile(sp) ?? builtinProfiles.calm) : sp;
		this.#presence.add(participant);
		this.emptySince = undefined;
		if (this.#state === 'scheduled') {
			this.#state = 'live';
			this.startedAt = Date.now();
			this.#events.emit('session.started', { module: this.module });
		}
		this.#events.emit('participant.joined', { participantId, role, connectionId: participant.connectionId });
		if (this.#recording.active) this.#recording.notify();
		this.#presence.announceJoined(participant);
		if (this.endingNoticeAt !== undefined) {
			participant.notify({ type: 'sessionEnding', endsAt: new Date(this.endingNoticeAt).toISOString(), reason: 'overdue' });
		}
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

	/** The spotlight as a host of this session on another host of the cluster set it. */
	applySpotlight(participantId: string | null): void {
		if (participantId !== null && !this.#presence.get(participantId)) return;
		this.#presence.setSpotlight(participantId);
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
		await consumer.resume();
		// Start the picture now rather than at the next periodic keyframe.
		if (consumer.kind === 'video') await consumer.requestKeyFrame();
	}

	leave(participant: Participant, reason: LeaveReason = 'left'): void {
		if (participant.closed) return;
		if (!this.#presence.isCurrent(participant)) return;
		this.#remove(participant, reason);
	}

	end(reason: SessionEndReason = 'ended'): void {
		if (this.#state === 'ended' || this.#state === 'cancelled') return;
		// Finish the recording first: its consumers close with the router below.
		this.#recording.finishAtEnd();
		for (const p of this.#presence.all()) {
			if (p.home !== undefined) {
				this.#dropRemote(p, 'session-ended');
				continue;
			}
			p.notify({ type: 'sessionEnded', reason });
			this.#remove(p, 'session-ended');
		}
		this.#state = 'ended';
		this.#media.stop();
		this.endedAt = Date.now();
		this.endReason = reason;
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
			assertNotEnded(this.#state);
		}
		const record = this.#recording.setConsent(participantId, consent, by ? by.id : 'api');
		this.link?.consent(participantId, consent, record.by);
		return record;
	}

	/** Consent set on another host of the cluster (recorded in the ledger there): a recorder here follows it. */
	applyConsent(participantId: string, consent: boolean, by: string): void {
		if (this.#state === 'ended' || this.#state === 'cancelled') return;
		this.#recording.setConsent(participantId, consent, by, { elsewhere: true });
	}

	// ── Cluster: people connected to other hosts (docs/scaling.md, "Across hosts") ──

	/**
	 * Someone connected to another host: known here for presence and routing (their producers are
	 * piped here when someone here receives them). Not an attendance event: their host writes it.
	 * A second arrival of the same ID (a reconnect through another host) replaces the first.
	 */
	addRemote(participantId: string, role: Role, home: string): void {
		if (this.#state === 'ended' || this.#state === 'cancelled') return;
		const previous = this.#presence.get(participantId);
		if (previous) {
			if (previous.home === home && previous.role === role && !previous.closed) return;
			if (previous.home === undefined) {
				// They moved to another host: this connection is the stale one.
				previous.notify({ type: 'disconnected', reason: 'replaced' });
				this.#remove(previous, 'replaced');
			} else {
				this.#dropRemote(previous, 'replaced');
			}
		}
		// The last one here just moved away, so this host let the session go: nobody here to tell.
		if (!this.link) return;
		const p = new Participant(participantId, role, `${home}:${participantId}`, () => undefined, this.#log);
		p.home = home;
		this.#presence.add(p);
		this.emptySince = undefined;
		if (this.#state === 'scheduled') {
			// Live elsewhere, so live here (the host that saw the first join stored and logged the start).
			this.#state = 'live';
			this.startedAt = Date.now();
		}
		if (this.#recording.active) this.#recording.notify();
		this.#presence.announceJoined(p);
	}

	/** Someone connected to another host left (or that host is gone: `home` then drops all of its people). */
	removeRemote(participantId: string, home: string): void {
		const p = this.#presence.get(participantId);
		if (p && p.home === home) this.#dropRemote(p, 'left');
	}

	/** Everyone connected to a host that is gone (undefined: to any other host, as this one lets the session go). */
	removeRemotesOf(home: string | undefined): void {
		for (const p of this.#presence.all()) {
			if (p.home !== undefined && (home === undefined || p.home === home)) this.#dropRemote(p, 'left');
		}
		if (home !== undefined) this.#presence.setViewersElsewhere(home, 0);
		else this.#presence.clearViewersElsewhere();
	}

	/** A producer of someone on another host, piped here: routed like a local one. */
	async addRemoteProducer(participantId: string, producer: types.Producer, source: MediaSource): Promise<void> {
		const p = this.#presence.get(participantId);
		if (!p || p.home === undefined || p.closed) {
			producer.close();
			return;
		}
		p.producers.set(producer.id, { producer, source });
		producer.observer.once('close', () => {
			p.producers.delete(producer.id);
			this.#recording.sync(p.id);
		});
		this.#recording.sync(p.id);
		await this.#media.producerAdded(p, producer, source);
	}

	/** How many watch through another host. */
	setViewersElsewhere(home: string, viewers: number): void {
		this.#presence.setViewersElsewhere(home, viewers);
	}

	/** Those connected here (not through another host), for the cluster's `state` answer. */
	localParticipants(): Participant[] {
		return this.#presence.all().filter((p) => p.home === undefined);
	}

	/** Someone connected to another host (undefined: not known, or connected here). */
	remoteParticipant(participantId: string): Participant | undefined {
		const p = this.#presence.get(participantId);
		return p?.home !== undefined ? p : undefined;
	}

	/** How many viewers watch through this host. */
	get localViewers(): number {
		return this.#presence.localViewers;
	}

	/** A producer of someone connected here (what another host may pull). */
	localProducer(producerId: string): { participant: Participant; producer: types.Producer; source: MediaSource } | undefined {
		for (const p of this.#presence.values()) {
			if (p.home !== undefined) continue;
			const entry = p.producers.get(producerId);
			if (entry) return { participant: p, ...entry };
		}
		return undefined;
	}

	/** The session's router on this host (made at first need): pipes from and to other hosts end here. */
	mediaRouter(): Promise<types.Router> {
		assertNotEnded(this.#state);
		return this.#router.ensure();
	}

	#dropRemote(p: Participant, reason: LeaveReason): void {
		this.#presence.remove(p, reason);
		for (const { producer } of p.producers.values()) producer.close();
		p.close(reason);
		this.#recording.sync(p.id);
		this.#presence.announceLeft(p, reason);
		if (this.#presence.all().length === 0) this.emptySince = Date.now();
	}

	/** Called by the engine when a worker died: under the origin it takes everyone's media, under an edge router only its viewers'. */
	handleWorkerLost(dead: WorkerSlot): void {
		const lost = this.#router.lost(dead);
		for (const p of this.#presence.all()) {
			if (p.home !== undefined) continue;
			// Another worker took at most the media of those receiving on it (their transports closed with it).
			if (lost === 'other' && ![...p.transports.values()].some((t) => t.transport.closed)) continue;
			p.notify({ type: 'disconnected', reason: 'media-failure' });
			this.#remove(p, 'media-failure');
		}
	}

	#remove(participant: Participant, reason: LeaveReason): void {
		this.#presence.remove(participant, reason);
		participant.close(reason);
		this.#recording.sync(participant.id);
		this.#events.emit('participant.left', {
			participantId: participant.id,
			role: participant.role,
			connectionId: participant.connectionId,
			reason,
		});
		this.#presence.announceLeft(participant, reason);
		if (this.#presence.all().length === 0) this.emptySince = Date.now();
	}

	#assertLive(participant: Participant): void {
		assertLive(this.#state, participant, this.#presence.get(participant.id));
	}
}
