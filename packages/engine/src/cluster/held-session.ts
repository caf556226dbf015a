import { messageOf } from '@luwte/errors';
import type { types } from 'mediasoup';
import { EngineError } from '../errors.ts';
import type { Logger } from '../log/logger.ts';
import { routes, type Role } from '../session/roles.ts';
import type { Session } from '../session/session.ts';
import type { ClusterBus } from './bus.ts';
import type { HostMessage, ProducerInfo, SessionMessage } from './messages.ts';
import { SessionPipes, type PipeOptions } from './pipes.ts';

/** How long a first join on this host waits for the other hosts' `state` (a slow host costs its peers list, not the join). */
const STATE_WAIT_MS = 2_000;

/** A producer of someone on another host, as announced; piped here once someone here receives it. */
interface RemoteProducer {
	home: string;
	epoch: string;
	info: ProducerInfo;
	/** Under way or made: the pipe producer here. */
	pulling: Promise<void> | undefined;
	producer: types.Producer | undefined;
}

type Outgoing = Parameters<ClusterBus['publishSession']>[1];

/**
 * One session while someone is connected to it through this host: its channel to the other hosts
 * holding it (docs/scaling.md, "Across hosts"). Tells them who is here and what they publish,
 * takes in who is there, pulls the producers someone here receives over `SessionPipes`, serves
 * the others' pulls, and applies their host controls and consent.
 */
export class HeldSession {
	readonly session: Session;
	readonly pipes: SessionPipes;
	/** Linked, and every other host known to hold the session has said who is there (or 2 s passed). */
	readonly ready: Promise<void>;
	readonly #bus: ClusterBus;
	readonly #log: Logger;
	readonly #remote = new Map<string, RemoteProducer>();
	/** Hosts whose `state` this host still waits for. */
	readonly #awaiting: Set<string>;
	#answered: () => void = () => undefined;
	/** Outgoing messages, in order (a producer is never announced before its participant). */
	#out: Promise<void>;
	readonly #subscribed: Promise<void>;
	#released = false;

	/** `expected`: the hosts known to hold the session now (their answers are awaited by `ready`). */
	constructor(session: Session, deps: { bus: ClusterBus; log: Logger; pipes: PipeOptions; expected: Iterable<string> }) {
		this.session = session;
		this.#bus = deps.bus;
		this.#log = deps.log;
		this.pipes = new SessionPipes(() => session.mediaRouter(), deps.pipes);
		this.#awaiting = new Set(deps.expected);
		const answered = new Promise<void>((resolve) => {
			this.#answered = resolve;
		});
		this.#subscribed = this.#bus.subscribeSession(session.id, (m) => this.#onMessage(m));
		// The hello goes out first: the others answer with who and what they hold.
		this.#out = this.#subscribed
			.then(() => this.#bus.publishSession(session.id, { type: 'hello' }))
			.catch((err: unknown) => this.#log.warn('cluster.link_failed', { sessionId: session.id, error: messageOf(err) }));
		this.ready = this.#out.then(() => {
			if (this.#awaiting.size === 0) return;
			let timer: NodeJS.Timeout | undefined;
			const late = new Promise<void>((resolve) => {
				timer = setTimeout(resolve, STATE_WAIT_MS);
			});
			return Promise.race([answered, late]).finally(() => clearTimeout(timer));
		});
		session.link = {
			mute: (_home, participantId, source) => this.send({ type: 'mute', participantId, source }),
			spotlight: (participantId) => this.send({ type: 'spotlight', participantId }),
			consent: (participantId, consent, by) => this.send({ type: 'consent', participantId, consent, by }),
		};
	}

	/** Producers of other hosts piped in now. */
	get pipedIn(): number {
		let n = 0;
		for (const r of this.#remote.values()) if (r.producer && !r.producer.closed) n++;
		return n;
	}

	/** Sends on the session's channel, after what this host sent before. */
	send(m: Outgoing): void {
		if (this.#released) return;
		this.#out = this.#out
			.then(() => this.#bus.publishSession(this.session.id, m))
			.catch((err: unknown) =>
				this.#log.warn('cluster.publish_failed', { sessionId: this.session.id, message: m.type, error: messageOf(err) }),
			);
	}

	/** Who is connected here, what they publish, how many watch: the answer to a `hello` (and after a Redis outage). */
	sendState(): void {
		const s = this.session;
		const local = s.remote.local();
		const producers: ProducerInfo[] = [];
		for (const p of local) {
			for (const { producer, source } of p.producers.values()) {
				producers.push({ participantId: p.id, producerId: producer.id, kind: producer.kind, source, paused: producer.paused });
			}
		}
		this.send({
			type: 'state',
			participants: local.filter((p) => p.role !== 'viewer').map((p) => ({ participantId: p.id, role: p.role })),
			producers,
			viewers: s.remote.localViewers,
			spotlight: s.spotlight,
		});
	}

	/** Pulls every remote producer someone here receives (or a recorder here takes) and that is not piped here yet. */
	pullNeeded(): void {
		// Not before the subscription: a pull's answer and the producers' pauses must both reach us.
		void this.#subscribed.then(() => {
			for (const r of this.#remote.values()) {
				if (r.pulling !== undefined) continue;
				const sender = this.session.remote.get(r.info.participantId);
				if (!sender || !this.#needed(sender.role)) continue;
				r.pulling = this.#pull(r).catch((err: unknown) => {
					r.pulling = undefined;
					if (this.#remote.get(r.info.producerId) === r)
						this.#log.warn('cluster.pull_failed', {
							sessionId: this.session.id,
							producerId: r.info.producerId,
							error: messageOf(err),
						});
				});
			}
		});
	}

	/** Closes pipe producers nobody here receives any more. */
	dropUnneeded(): void {
		for (const r of this.#remote.values()) {
			const sender = this.session.remote.get(r.info.participantId);
			if (!r.producer || (sender && this.#needed(sender.role))) continue;
			r.producer.close();
			r.producer = undefined;
			r.pulling = undefined;
		}
	}

	/** Answers another host's pull of a producer published here. */
	async serve(req: Extract<HostMessage, { type: 'pull' }>): Promise<Extract<HostMessage, { type: 'pulled' }>> {
		const local = this.session.remote.localProducer(req.producerId);
		if (!local) throw new EngineError('not_found', `producer ${req.producerId} is not sent from here`);
		const { tuple, srtp, consumer } = await this.pipes.serve(req, local.producer);
		return {
			type: 'pulled',
			from: this.#bus.hostId,
			epoch: this.#bus.epoch,
			requestId: req.requestId,
			tuple,
			...(srtp ? { srtp } : {}),
			kind: consumer.kind,
			rtpParameters: consumer.rtpParameters as unknown as Record<string, unknown>,
			paused: consumer.producerPaused,
		};
	}

	/** A host (run) is gone: its people, their producers and the pipes to it. */
	hostLost(hostId: string, epoch: string): void {
		for (const [id, r] of this.#remote) {
			if (r.home !== hostId || r.epoch !== epoch) continue;
			this.#remote.delete(id);
			r.producer?.close();
		}
		this.pipes.drop(hostId, epoch);
		this.session.remote.removeAllOf(hostId);
	}

	/** Nobody is connected here any more (or it ended): the pipes close and the others' people are forgotten. */
	release(): void {
		if (this.#released) return;
		this.#released = true;
		this.session.link = undefined;
		this.pipes.close();
		for (const r of this.#remote.values()) r.producer?.close();
		this.#remote.clear();
		this.session.remote.removeAllOf(undefined);
		void this.#out.then(() => this.#bus.unsubscribeSession(this.session.id)).catch(() => undefined);
	}

	/** Waits until what this host sent so far has left (a clean stop). */
	flushed(): Promise<void> {
		return this.#out;
	}

	#onMessage(m: SessionMessage): void {
		if (this.#released) return;
		this.#log.debug('cluster.received', { sessionId: this.session.id, message: m.type, from: m.from });
		const s = this.session;
		switch (m.type) {
			case 'hello':
				this.sendState();
				return;
			case 'state':
				for (const p of m.participants) s.remote.add(p.participantId, p.role, m.from);
				if (this.#awaiting.delete(m.from) && this.#awaiting.size === 0) this.#answered();
				s.remote.setViewersElsewhere(m.from, m.viewers);
				for (const info of m.producers) this.#remember(m.from, m.epoch, info);
				if (m.spotlight !== null && s.spotlight === null) s.remote.applySpotlight(m.spotlight);
				return;
			case 'joined':
				s.remote.add(m.participantId, m.role, m.from);
				return;
			case 'left':
				this.#forgetParticipant(m.participantId, m.from);
				s.remote.remove(m.participantId, m.from);
				return;
			case 'audience':
				s.remote.setViewersElsewhere(m.from, m.viewers);
				return;
			case 'producer':
				this.#remember(m.from, m.epoch, m.producer);
				return;
			case 'producerPaused': {
				const r = this.#remote.get(m.producerId);
				if (!r) return;
				r.info.paused = m.paused;
				if (r.producer && !r.producer.closed && r.producer.paused !== m.paused)
					void (m.paused ? r.producer.pause() : r.producer.resume()).catch(() => undefined);
				return;
			}
			case 'producerClosed': {
				const r = this.#remote.get(m.producerId);
				this.#remote.delete(m.producerId);
				r?.producer?.close();
				return;
			}
			case 'mute':
				void s.applyMute(m.participantId, m.source).catch(() => undefined);
				return;
			case 'spotlight':
				s.remote.applySpotlight(m.participantId);
				return;
			case 'consent':
				s.remote.applyConsent(m.participantId, m.consent, m.by);
				return;
		}
	}

	#remember(home: string, epoch: string, info: ProducerInfo): void {
		const known = this.#remote.get(info.producerId);
		if (known) {
			known.info.paused = info.paused;
			return;
		}
		this.#remote.set(info.producerId, { home, epoch, info: { ...info }, pulling: undefined, producer: undefined });
		this.pullNeeded();
	}

	#forgetParticipant(participantId: string, home: string): void {
		for (const [id, r] of this.#remote) {
			if (r.info.participantId !== participantId || r.home !== home) continue;
			this.#remote.delete(id);
			r.producer?.close();
		}
	}

	/** Whether someone connected here receives media of this role (or a recording here takes it). */
	#needed(senderRole: Role): boolean {
		const s = this.session;
		if (s.recordingStatus().active) return true;
		return s.remote.local().some((p) => routes(senderRole, p.role, s.policy));
	}

	async #pull(r: RemoteProducer): Promise<void> {
		const end = await this.pipes.localEnd(r.home, r.epoch);
		const answer = await this.#bus.request(r.home, {
			type: 'pull',
			sessionId: this.session.id,
			producerId: r.info.producerId,
			tuple: end.tuple,
			...(end.srtp ? { srtp: end.srtp } : {}),
		});
		if (answer.type === 'failed') throw new EngineError('unavailable', `host ${r.home} could not send it: ${answer.message}`);
		if (answer.type !== 'pulled') throw new EngineError('unavailable', `host ${r.home} answered out of turn`);
		if (this.#remote.get(r.info.producerId) !== r || this.#released) return;
		const producer = await this.pipes.receive(r.home, r.epoch, answer, r.info.producerId, {
			source: r.info.source,
			participantId: r.info.participantId,
			piped: r.home,
		});
		if (this.#remote.get(r.info.producerId) !== r) {
			producer.close();
			return;
		}
		r.producer = producer;
		producer.observer.once('close', () => {
			if (r.producer === producer) {
				r.producer = undefined;
				r.pulling = undefined;
			}
		});
		// A pause or resume that crossed the answer on the way.
		if (producer.paused !== r.info.paused) await (r.info.paused ? producer.pause() : producer.resume());
		await this.session.remote.addProducer(r.info.participantId, producer, r.info.source);
	}
}
