import type { MediaTypes as ms } from '@luwte/engine';
import type { Engine } from '@luwte/engine';
import type { StimulusProfile } from '@luwte/engine/abr';
import type { JoinGrant, Tenant, TenantRegistry } from '@luwte/engine/auth';
import type { Participant, ParticipantNotification, Session } from '@luwte/engine/session';
import { builtinProfiles, resolveStimulusProfile, stimulusProfileId } from '@luwte/engine/abr';
import { verifyJoinToken } from '@luwte/engine/auth';
import {
	MAX_MESSAGE_BYTES,
	PROTOCOL_VERSION,
	requestEnvelopeSchema,
	requestParams,
	type Method,
	type ResponseResult,
} from '@luwte/sdk/protocol';
import type { z } from 'zod';
import { HostError, toErrorBody } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { HostMetrics } from '../metrics/index.ts';
import { parseOrThrow } from '../zod-error.ts';
import { TokenBucket } from './rate-limit.ts';

/** What the connection needs from its socket; keeps this class testable and transport-agnostic. */
export interface SignalSocket {
	send(text: string): void;
	close(code: number, reason: string): void;
	readonly bufferedAmount: number;
}

type DtlsParameters = ms.DtlsParameters;
type RtpCapabilities = ms.RtpCapabilities;
type RtpParameters = ms.RtpParameters;

/** Messages per second per connection, and the burst allowed (joining takes about ten). */
const RATE_PER_SECOND = 20;
const RATE_BURST = 60;

/** A connection whose unsent notifications pile up beyond this is too slow and is dropped. */
const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;

/** The series a connection reports into (`HostMetrics`). */
export type SignalMetrics = Pick<HostMetrics, 'signalRequests' | 'signalDuration' | 'signalConnections' | 'refused'>;

type MethodParams<M extends Method> = z.output<(typeof requestParams)[M]>;

/**
 * One signalling WebSocket: authenticates with a join token, then relays requests to the
 * engine. Requests run one at a time in arrival order, so a client never races itself.
 * Any bad message gets a typed error response; only this connection is affected.
 */
export class SignalConnection {
	readonly #engine: Engine;
	readonly #tenants: TenantRegistry;
	readonly #socket: SignalSocket;
	readonly #log: Logger;
	readonly #originAllowed: (tenant: Tenant) => boolean;
	#session: Session | undefined;
	#participant: Participant | undefined;
	#joining = false;
	#closed = false;
	#queue: Promise<void> = Promise.resolve();
	readonly #bucket = new TokenBucket(RATE_PER_SECOND, RATE_BURST);
	#warnedRate = false;
	readonly #metrics: SignalMetrics | undefined;
	/** Waits until a ledger event is durable: join and leave are confirmed only then. */
	readonly #ledgerWritten: (eventId: string) => Promise<void>;
	#counted = false;

	constructor(
		engine: Engine,
		tenants: TenantRegistry,
		socket: SignalSocket,
		log: Logger,
		originAllowed: (tenant: Tenant) => boolean = () => true,
		metrics?: SignalMetrics,
		ledgerWritten?: (eventId: string) => Promise<void>,
	) {
		this.#ledgerWritten = ledgerWritten ?? (() => Promise.resolve());
		this.#originAllowed = originAllowed;
		this.#metrics = metrics;
		metrics?.signalConnections.inc();
		this.#counted = metrics !== undefined;
		this.#engine = engine;
		this.#tenants = tenants;
		this.#socket = socket;
		this.#log = log;
	}

	/** Whether a join has succeeded on this connection (the join deadline asks). */
	get joined(): boolean {
		return this.#participant !== undefined;
	}

	/** Handles one incoming frame. */
	onMessage(data: Buffer | string, isBinary: boolean): void {
		if (!this.#bucket.take()) {
			this.#metrics?.refused.inc({ door: 'signal_messages' });
			// Answered without parsing: a flood costs us as little as possible.
			if (!this.#warnedRate) {
				this.#warnedRate = true;
				this.#log.warn('signal.rate_limited', { participant: this.#participant?.id });
			}
			this.#sendError(null, new HostError('rate_limited', `at most ${RATE_PER_SECOND} messages per second`));
			return;
		}
		const size = typeof data === 'string' ? Buffer.byteLength(data) : data.byteLength;
		if (size > MAX_MESSAGE_BYTES) {
			this.#sendError(null, new HostError('message_too_large', `messages are limited to ${MAX_MESSAGE_BYTES} bytes`));
			return;
		}
		if (isBinary) {
			this.#sendError(null, new HostError('bad_request', 'binary frames are not part of the protocol'));
			return;
		}
		let json: unknown;
		try {
			json = JSON.parse(typeof data === 'string' ? data : data.toString('utf8'));
		} catch {
			this.#sendError(null, new HostError('bad_request', 'a message must be a JSON object'));
			return;
		}
		const envelope = requestEnvelopeSchema.safeParse(json);
		if (!envelope.success) {
			const maybeId = (json as { id?: unknown } | null)?.id;
			const id = typeof maybeId === 'number' || typeof maybeId === 'string' ? maybeId : null;
			this.#sendError(id, new HostError('bad_request', 'a request needs "id" and "method" (and optional "params")'));
			return;
		}
		const { id, method, params } = envelope.data;
		this.#queue = this.#queue.then(async () => {
			if (this.#closed) return;
			// Only the protocol's method names as labels: a client's made-up names stay out.
			const label = Object.hasOwn(requestParams, method) ? method : 'unknown';
			const end = this.#metrics?.signalDuration.startTimer({ method: label });
			try {
				const result = await this.#dispatch(method, params ?? {});
				this.#send({ id, ok: true, result });
				end?.();
				this.#metrics?.signalRequests.inc({ method: label, outcome: 'ok' });
			} catch (err) {
				const body = toErrorBody(err);
				end?.();
				this.#metrics?.signalRequests.inc({ method: label, outcome: body.code });
				if (body.code === 'internal') this.#log.error('signal.request_failed', { method, error: String(err) });
				this.#sendError(id, err);
			}
		});
	}

	/** The socket closed: leave the session (the engine records why). */
	onClose(): void {
		// Counted down once, also when a notification closed the connection first.
		if (this.#counted) this.#metrics?.signalConnections.dec();
		this.#counted = false;
		if (this.#closed) return;
		this.#closed = true;
		if (this.#session && this.#participant) this.#session.leave(this.#participant, 'disconnected');
		this.#participant = undefined;
	}

	async #dispatch(method: string, rawParams: unknown): Promise<unknown> {
		if (!Object.hasOwn(requestParams, method)) {
			throw new HostError('unknown_method', `unknown method "${method}"`);
		}
		const m = method as Method;
		const handler = this.#handlers[m] as (p: unknown) => Promise<unknown>;
		return handler(parseOrThrow(requestParams[m], rawParams, `params for ${m}`));
	}

	/**
	 * The token's profile with the tenant's definitions as they are now. One deleted or changed
	 * since the token was minted falls back to calm, the safe side.
	 */
	#profileFor(tenant: Tenant, grant: JoinGrant): StimulusProfile {
		try {
			return resolveStimulusProfile(tenant, grant.stimulusProfile);
		} catch {
			this.#log.warn('signal.profile_fallback', {
				tenant: grant.tenantId,
				session: grant.sessionId,
				participant: grant.participantId,
				profile: stimulusProfileId(grant.stimulusProfile),
				fallback: 'calm',
			});
			return builtinProfiles.calm;
		}
	}

	#joined(): { session: Session; participant: Participant } {
		if (!this.#session || !this.#participant) throw new HostError('not_joined', 'join the session first');
		if (this.#participant.closed) throw new HostError('not_joined', 'this connection has left the session');
		return { session: this.#session, participant: this.#participant };
	}

	readonly #handlers: { [M in Method]: (p: MethodParams<M>) => Promise<ResponseResult<M>> } = {
		join: async (p) => {
			if (this.#participant || this.#joining) throw new HostError('already_joined', 'this connection has already joined');
			if (p.protocol !== undefined && p.protocol !== PROTOCOL_VERSION) {
				throw new HostError('bad_request', `protocol ${p.protocol} is not supported (server speaks ${PROTOCOL_VERSION})`);
			}
			this.#joining = true;
			try {
				const grant = await verifyJoinToken(this.#tenants, p.token);
				const tenant = this.#tenants.get(grant.tenantId);
				if (!tenant || !this.#originAllowed(tenant)) {
					throw new HostError('origin_not_allowed', 'this website is not allowed to show sessions of this care organisation');
				}
				if (p.sessionId !== undefined && p.sessionId !== grant.sessionId) {
					throw new HostError('forbidden', 'this join token is for another session');
				}
				const session = await this.#engine.programme.joinable(grant.tenantId, grant.sessionId);
				const { participant, rtpCapabilities } = await session.join(grant.participantId, grant.role, (n) => this.#notify(n), {
					stimulusProfile: this.#profileFor(tenant, grant),
				});
				if (this.#closed) {
					session.leave(participant, 'disconnected');
					throw new HostError('not_joined', 'connection closed while joining');
				}
				this.#session = session;
				this.#participant = participant;
				// Confirmed only once its `participant.joined` is durable (billing counts on it).
				await this.#ledgerWritten(`${participant.connectionId}.joined`);
				this.#log.info('signal.joined', {
					tenant: grant.tenantId,
					session: grant.sessionId,
					participant: grant.participantId,
					role: grant.role,
				});
				return {
					sessionId: session.id,
					participantId: participant.id,
					role: participant.role,
					routerRtpCapabilities: rtpCapabilities as ResponseResult<'join'>['routerRtpCapabilities'],
					peers: session.peersOf(participant),
					spotlight: session.spotlight,
					iceServers: this.#engine.iceServersFor(participant.id),
				};
			} finally {
				this.#joining = false;
			}
		},
		createTransport: async (p) => {
			const { session, participant } = this.#joined();
			return session.createTransport(participant, p.direction);
		},
		connectTransport: async (p) => {
			const { session, participant } = this.#joined();
			await session.connectTransport(participant, p.transportId, p.dtlsParameters as DtlsParameters);
			return {};
		},
		ready: async (p) => {
			const { session, participant } = this.#joined();
			await session.ready(participant, p.rtpCapabilities as RtpCapabilities);
			return {};
		},
		produce: async (p) => {
			const { session, participant } = this.#joined();
			const producerId = await session.produce(
				participant,
				p.transportId,
				p.kind,
				p.rtpParameters as RtpParameters,
				p.source,
				p.paused,
			);
			return { producerId };
		},
		pauseProducer: async (p) => {
			const { session, participant } = this.#joined();
			await session.setProducerPaused(participant, p.producerId, true);
			return {};
		},
		resumeProducer: async (p) => {
			const { session, participant } = this.#joined();
			await session.setProducerPaused(participant, p.producerId, false);
			return {};
		},
		closeProducer: async (p) => {
			const { session, participant } = this.#joined();
			session.closeProducer(participant, p.producerId);
			return {};
		},
		resumeConsumer: async (p) => {
			const { session, participant } = this.#joined();
			await session.resumeConsumer(participant, p.consumerId);
			return {};
		},
		muteParticipant: async (p) => {
			const { session, participant } = this.#joined();
			await session.muteParticipant(participant, p.participantId, p.source);
			return {};
		},
		spotlight: async (p) => {
			const { session, participant } = this.#joined();
			session.setSpotlight(participant, p.participantId);
			return {};
		},
		endSession: async () => {
			const { session, participant } = this.#joined();
			session.endBy(participant);
			return {};
		},
		startRecording: async () => {
			const { session, participant } = this.#joined();
			const status = await session.startRecording(participant);
			this.#log.info('signal.recording_started', { session: session.id, participant: participant.id, recording: status.recordingId });
			return { recordingId: status.recordingId! };
		},
		stopRecording: async () => {
			const { session, participant } = this.#joined();
			const { recordingId } = await session.stopRecording(participant);
			return { recordingId };
		},
		setRecordingConsent: async (p) => {
			const { session, participant } = this.#joined();
			const participantId = p.participantId ?? participant.id;
			const record = session.setRecordingConsent(participant, participantId, p.consent);
			this.#log.info('signal.recording_consent', {
				session: session.id,
				participant: participantId,
				consent: p.consent,
				by: record.by,
			});
			return { participantId, consent: record.consent, at: new Date(record.at).toISOString() };
		},
		leave: async () => {
			const { session, participant } = this.#joined();
			session.leave(participant, 'left');
			await this.#ledgerWritten(`${participant.connectionId}.left`);
			return {};
		},
	};

	#notify(n: ParticipantNotification): void {
		const { type, ...data } = n;
		this.#send({ notification: type, data });
		if (n.type === 'disconnected' || n.type === 'sessionEnded') {
			// The engine has dropped this connection's media; the socket has nothing left to do.
			this.#closed = true;
			setImmediate(() => this.#socket.close(4000, n.type));
		}
	}

	#sendError(id: string | number | null, err: unknown): void {
		this.#send({ id, ok: false, error: toErrorBody(err) });
	}

	#send(message: unknown): void {
		if (this.#socket.bufferedAmount > MAX_BUFFERED_BYTES) {
			this.#log.warn('signal.slow_client', { participant: this.#participant?.id });
			this.#socket.close(1013, 'too slow');
			return;
		}
		try {
			this.#socket.send(JSON.stringify(message));
		} catch {
			// Socket already closing; onClose will clean up.
		}
	}
}
