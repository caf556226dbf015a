import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { EngineError, invalidInput } from '../errors.ts';
import type { EngineEvents, SessionEndReason, TypedEmitter } from '../events.ts';
import type { Logger } from '../log/logger.ts';
import { activityModules, offerKinds, scheduleSchema, type Schedule } from './activity.ts';
import {
	effectiveLifecycle,
	effectiveQuotas,
	joinWindow,
	lifecycleSchema,
	type LifecycleInput,
	type Quotas,
	type QuotasInput,
} from './lifecycle.ts';
import type { Role } from './roles.ts';
import { SessionEvents } from './session-events.ts';
import type { Session, SessionInfo, SessionOptions } from './session.ts';
import { MAX_INVITATIONS, type ListQuery, type SessionRecord } from './store/record.ts';
import type { SessionStore } from './store/session-store.ts';

export const createSessionSchema = z
	.object({
		tenantId: z.string().min(1),
		title: z.string().min(1).max(200).optional(),
		module: z.enum(activityModules).optional(),
		kind: z.enum(offerKinds).default('online'),
		schedule: scheduleSchema.optional(),
		participantsSeeEachOther: z.boolean().default(true),
		lifecycle: lifecycleSchema.optional(),
	})
	.strict();
export type CreateSessionOptions = z.input<typeof createSessionSchema>;

/** What may change about a session after it was planned (`null` removes a title or schedule). */
export const updateSessionSchema = z
	.object({
		title: z.string().min(1).max(200).nullable().optional(),
		module: z.enum(activityModules).nullable().optional(),
		schedule: scheduleSchema.nullable().optional(),
		lifecycle: lifecycleSchema.optional(),
	})
	.strict();
export type UpdateSessionOptions = z.input<typeof updateSessionSchema>;

/** A tenant's settings the programme applies (from the tenant registry; absent: the defaults). */
export interface TenantPolicy {
	lifecycle?: LifecycleInput | undefined;
	quotas?: QuotasInput | undefined;
}
export type PolicyOf = (tenantId: string) => TenantPolicy | undefined;

/** Default token lifetime of an unscheduled session; also how long one nobody joined is kept open. */
export const UNSCHEDULED_TTL_MS = 4 * 3600 * 1000;
/** Longest token lifetime. */
const MAX_TOKEN_TTL_MS = 7 * 24 * 3600 * 1000;
/** How often the idle and overdue rules are checked. */
const SWEEP_MS = 1000;
/** How long a join under way counts as a live session (creating the router takes a moment); a failed join stops counting then. */
const JOIN_START_MS = 30_000;

interface Entry {
	session: Session;
	invitations: SessionRecord['invitations'];
	lastInvitedAt: number | undefined;
	recordingId: string | undefined;
	revision: number;
	/** Writes of this session, one after the other (revisions in order). */
	writing: Promise<void>;
	/** A join passed the `liveSessions` check and may still be making this session live until then (ms). */
	startingUntil: number | undefined;
}

/** What the programme asks of a cluster of hosts (docs/scaling.md, "Across hosts"). */
export interface ProgrammeCluster {
	/** Whether someone is connected to another host in this session (then it is not idle). */
	elsewhere(sessionId: string): boolean;
	/** Whether the shared store (Redis) answers now: a session not held here cannot be loaded without it. */
	reachable(): boolean;
	/**
	 * Before a join: links the session to the other hosts and learns who is there (so the newcomer's
	 * peers are complete); rejects when it may not be joined here now (`unavailable` without Redis).
	 */
	admit(session: Session): Promise<void>;
}

export interface ProgrammeOptions {
	store: SessionStore;
	events: TypedEmitter<EngineEvents>;
	log: Logger;
	/** Builds a live `Session` object for a record (the engine supplies its workers and config). */
	newSession: (opts: SessionOptions) => Session;
	policyOf?: PolicyOf | undefined;
}

/**
 * The sessions of every tenant as planned and kept (docs/sessions.md): creates, changes, cancels
 * and ends them, enforces the join window and the tenant's quotas, ends empty and overdue
 * sessions by themselves, and writes every change to the store before it is acknowledged. Holds a
 * `Session` object for each scheduled or live session; ended ones are read from the store.
 */
export class Programme {
	readonly #store: SessionStore;
	readonly #events: TypedEmitter<EngineEvents>;
	readonly #log: Logger;
	readonly #newSession: ProgrammeOptions['newSession'];
	readonly #policyOf: PolicyOf;
	readonly #active = new Map<string, Entry>();
	/** Per tenant, the times of the tokens issued in the last minute (this host's share of the quota). */
	readonly #tokenTimes = new Map<string, number[]>();
	/** Per tenant, creations under way (stored but not yet counted by the store, or not yet stored). */
	readonly #creating = new Map<string, number>();
	readonly #sweeper: NodeJS.Timeout;
	#draining = false;
	#cluster: ProgrammeCluster | undefined;

	constructor(opts: ProgrammeOptions) {
		this.#store = opts.store;
		this.#events = opts.events;
		this.#log = opts.log;
		this.#newSession = opts.newSession;
		this.#policyOf = opts.policyOf ?? (() => undefined);
		// A session's state changes (live, ended) are written as they happen.
		this.#events.on('session.started', (e) => this.#changed(e.sessionId));
		this.#events.on('session.ended', (e) => this.#changed(e.sessionId, true));
		this.#events.on('recording.started', (e) => this.#setRecording(e.sessionId, e.recordingId));
		this.#events.on('recording.stopped', (e) => this.#setRecording(e.sessionId, undefined));
		this.#sweeper = setInterval(() => this.sweep(), SWEEP_MS);
		this.#sweeper.unref();
	}

	/** Reloads every scheduled and live session from the store (at start): live ones come back empty. */
	async restore(): Promise<number> {
		const records = await this.#store.active();
		for (const r of records) if (!this.#active.has(r.id)) this.#materialize(r, true);
		return records.length;
	}

	async create(input: CreateSessionOptions): Promise<SessionInfo> {
		this.#assertOpen();
		const parsed = createSessionSchema.safeParse(input);
		if (!parsed.success) throw invalidInput('invalid_argument', 'session', parsed.error.issues);
		const d = parsed.data;
		const quotas = this.#quotas(d.tenantId);
		// Creations under way count against the daily quota too: concurrent creates share the
		// store's group commit and the quota stays exact on this host.
		const pending = this.#creating.get(d.tenantId) ?? 0;
		this.#creating.set(d.tenantId, pending + 1);
		try {
			const created = await this.#store.countCreatedSince(d.tenantId, Date.now() - 86_400_000);
			if (created + pending >= quotas.sessionsPerDay) {
				throw quotaExceeded('sessionsPerDay', quotas.sessionsPerDay, 'sessions created in the last 24 hours');
			}
			const record: SessionRecord = {
				id: `s_${randomBytes(10).toString('base64url')}`,
				tenantId: d.tenantId,
				...(d.title !== undefined ? { title: d.title } : {}),
				...(d.module !== undefined ? { module: d.module } : {}),
				kind: d.kind,
				...(d.schedule ? { schedule: toSchedule(d.schedule) } : {}),
				participantsSeeEachOther: d.participantsSeeEachOther,
				lifecycle: d.lifecycle ?? {},
				state: 'scheduled',
				createdAt: Date.now(),
				invitations: [],
				revision: 0,
			};
			// Durable before anyone hears of it.
			await this.#store.put(record);
			const s = this.#materialize(record, false).session;
			new SessionEvents(this.#events, s).emit('session.created', {
				title: s.title,
				module: s.module,
				schedule: s.schedule ? { ...s.schedule } : undefined,
			});
			return s.info();
		} finally {
			const left = (this.#creating.get(d.tenantId) ?? 1) - 1;
			if (left === 0) this.#creating.delete(d.tenantId);
			else this.#creating.set(d.tenantId, left);
		}
	}

	/** A scheduled or live session held here; anything else is `not_found` (see `joinable`). */
	session(tenantId: string, sessionId: string): Session {
		const e = this.#active.get(sessionId);
		if (!e || e.session.tenantId !== tenantId) throw new EngineError('not_found', `session ${sessionId} not found`);
		return e.session;
	}

	/**
	 * The session a join token names, ready to be joined: loaded from the store when another host
	 * created it; ended, cancelled or unknown sessions refused with their own code.
	 */
	async joinable(tenantId: string, sessionId: string): Promise<Session> {
		if (this.#draining) throw new EngineError('unavailable', 'the host is restarting; reconnect in a moment');
		let e = this.#active.get(sessionId);
		if (!e) {
			// Not waiting for a store that is down (its client queues): the client tries again shortly.
			if (this.#cluster && !this.#cluster.reachable()) {
				throw new EngineError('unavailable', 'the cluster store (Redis) cannot be reached; try again in a moment');
			}
			const r = await this.#store.get(tenantId, sessionId);
			if (!r) throw new EngineError('not_found', `session ${sessionId} not found`);
			if (r.state === 'cancelled') throw new EngineError('session_cancelled', 'this session was cancelled');
			if (r.state === 'ended') throw new EngineError('session_ended', 'this session has ended');
			e = this.#active.get(sessionId) ?? this.#materialize(r, true);
		}
		if (e.session.tenantId !== tenantId) throw new EngineError('not_found', `session ${sessionId} not found`);
		const s = e.session;
		s.assertJoinable();
		await this.#cluster?.admit(s);
		if (s.state === 'scheduled') {
			// Joins under way count as live: concurrent joins of several sessions all pass this check
			// before any of them turns its session live. A second join of the same session is not one more.
			const now = Date.now();
			const starting = (x: Entry) => x.session.state === 'scheduled' && (x.startingUntil ?? 0) > now;
			if (!starting(e)) {
				const limit = this.#quotas(tenantId).liveSessions;
				const live = [...this.#active.values()].filter(
					(x) => x.session.tenantId === tenantId && (x.session.state === 'live' || starting(x)),
				).length;
				if (live >= limit) throw quotaExceeded('liveSessions', limit, 'sessions live at the same time');
				e.startingUntil = now + JOIN_START_MS;
			}
		}
		return s;
	}

	/** One session as it is now: live from memory, ended or cancelled from the store. */
	async info(tenantId: string, sessionId: string): Promise<SessionInfo> {
		const e = this.#active.get(sessionId);
		if (e && e.session.tenantId === tenantId) return e.session.info();
		const r = await this.#store.get(tenantId, sessionId);
		if (!r) throw new EngineError('not_found', `session ${sessionId} not found`);
		return this.#infoOf(r);
	}

	/** One page of a tenant's sessions in order of when they take place (filters and cursor: `ListQuery`). */
	async list(tenantId: string, query: ListQuery = {}): Promise<{ sessions: SessionInfo[]; nextCursor: string | undefined }> {
		const page = await this.#store.list(tenantId, query);
		return {
			sessions: page.sessions.map((r) => {
				const e = this.#active.get(r.id);
				return e && e.session.tenantId === tenantId ? e.session.info() : this.#infoOf(r);
			}),
			nextCursor: page.nextCursor,
		};
	}

	/** Retitles or reschedules a session; a live one may only change its end (and title, module, lifecycle). */
	async update(tenantId: string, sessionId: string, input: UpdateSessionOptions): Promise<SessionInfo> {
		this.#assertOpen();
		const parsed = updateSessionSchema.safeParse(input);
		if (!parsed.success) throw invalidInput('invalid_argument', 'session change', parsed.error.issues);
		const s = await this.#activeSession(tenantId, sessionId);
		const p = parsed.data;
		if (p.schedule !== undefined && s.state === 'live') {
			const next = p.schedule ? toSchedule(p.schedule) : undefined;
			if (!next || !s.schedule || next.startsAt !== s.schedule.startsAt) {
				throw new EngineError('conflict', 'a live session keeps its start; only its end can move');
			}
		}
		const before = { title: s.title, module: s.module, schedule: s.schedule, lifecycle: s.lifecycle };
		if (p.title !== undefined) s.title = p.title ?? undefined;
		if (p.module !== undefined) s.module = p.module ?? undefined;
		if (p.schedule !== undefined) {
			s.schedule = p.schedule ? toSchedule(p.schedule) : undefined;
			s.endingNoticeAt = undefined;
		}
		if (p.lifecycle !== undefined) s.lifecycle = { ...s.lifecycle, ...p.lifecycle };
		try {
			await this.#write(s.id);
		} catch (err) {
			// Not stored: not changed.
			Object.assign(s, before);
			throw err;
		}
		new SessionEvents(this.#events, s).emit('session.updated', {
			module: s.module,
			schedule: s.schedule ? { ...s.schedule } : undefined,
			revision: this.#active.get(s.id)!.revision,
		});
		return s.info();
	}

	/** Cancels a session that has not taken place: its tokens are refused from now on. */
	async cancel(tenantId: string, sessionId: string): Promise<SessionInfo> {
		this.#assertOpen();
		const s = await this.#activeSession(tenantId, sessionId);
		s.cancel();
		await this.#written(s.id);
		return s.info();
	}

	async end(tenantId: string, sessionId: string, reason: SessionEndReason = 'ended'): Promise<SessionInfo> {
		const s = await this.#activeSession(tenantId, sessionId);
		s.end(reason);
		await this.#written(s.id);
		return s.info();
	}

	/**
	 * Notes an invitation before its join token is issued: checks the session can still be joined
	 * and the tenant's token quota, stores the invitation, and says until when the token may live
	 * (never past the join window: a token does not outlive its session).
	 */
	async invite(
		tenantId: string,
		sessionId: string,
		invitation: { participantId: string; role: Role; ttlSeconds?: number | undefined },
	): Promise<{ expiresAt: number }> {
		this.#assertOpen();
		const s = await this.#activeSession(tenantId, sessionId);
		const now = Date.now();
		const window = joinWindow(s.schedule, s.rules());
		if (window && now >= window.closesAt) throw new EngineError('session_ended', 'this session is past its end');
		const limit = this.#quotas(tenantId).tokensPerMinute;
		const times = this.#tokenTimes.get(tenantId) ?? [];
		// Issue times are in order: the expired ones are a prefix (no copy of the whole minute per token).
		let expired = 0;
		while (expired < times.length && times[expired]! <= now - 60_000) expired++;
		if (expired > 0) times.splice(0, expired);
		if (times.length >= limit) {
			const retryAfterSeconds = Math.max(1, Math.ceil((times[0]! + 60_000 - now) / 1000));
			throw quotaExceeded('tokensPerMinute', limit, 'join tokens in the last minute', retryAfterSeconds);
		}
		times.push(now);
		this.#tokenTimes.set(tenantId, times);
		const closesAt = window?.closesAt ?? now + MAX_TOKEN_TTL_MS;
		const wanted =
			invitation.ttlSeconds !== undefined ? now + invitation.ttlSeconds * 1000 : window ? closesAt : now + UNSCHEDULED_TTL_MS;
		const expiresAt = Math.min(wanted, closesAt);
		const e = this.#active.get(s.id)!;
		e.invitations = [
			...e.invitations.filter((i) => i.participantId !== invitation.participantId),
			{ participantId: invitation.participantId, role: invitation.role, expiresAt },
		].slice(-MAX_INVITATIONS);
		e.lastInvitedAt = now;
		await this.#write(s.id);
		s.noteInvitation(invitation.participantId, invitation.role);
		return { expiresAt };
	}

	/** Joins the hosts of a cluster: the idle end counts those connected elsewhere, joins ask the cluster. */
	useCluster(cluster: ProgrammeCluster | undefined): void {
		this.#cluster = cluster;
	}

	/** A scheduled or live session held here (any tenant), for the cluster. */
	held(sessionId: string): Session | undefined {
		return this.#active.get(sessionId)?.session;
	}

	/** Another host of the cluster ended or cancelled a session: so does this host's copy. */
	endedElsewhere(sessionId: string, reason: SessionEndReason): void {
		const s = this.#active.get(sessionId)?.session;
		if (!s) return;
		if (reason === 'cancelled' && s.state === 'scheduled') s.cancel();
		else s.end(reason);
	}

	/** Another host changed a session's plan (stored before it said so): this host's copy follows the store. */
	async followStore(tenantId: string, sessionId: string): Promise<void> {
		const e = this.#active.get(sessionId);
		if (!e) return;
		const r = await this.#store.get(tenantId, sessionId);
		if (!r) return;
		const s = e.session;
		if (r.state === 'ended' || r.state === 'cancelled') {
			this.endedElsewhere(sessionId, (r.endReason as SessionEndReason | undefined) ?? 'ended');
			return;
		}
		if (r.revision <= e.revision) return;
		e.revision = r.revision;
		s.title = r.title;
		s.module = r.module;
		s.schedule = r.schedule ? { ...r.schedule } : undefined;
		s.lifecycle = { ...r.lifecycle };
		e.invitations = r.invitations;
	}

	/** Counts for health: sessions held here by state. */
	counts(): { live: number; scheduled: number } {
		let live = 0;
		let scheduled = 0;
		for (const { session } of this.#active.values()) {
			if (session.state === 'live') live++;
			else if (session.state === 'scheduled') scheduled++;
		}
		return { live, scheduled };
	}

	/** Every session held here (the engine's worker-loss handling, diagnostics). */
	sessions(): IterableIterator<Session> {
		return [...this.#active.values()].map((e) => e.session).values();
	}

	/**
	 * The idle and overdue rules (docs/sessions.md), checked every second: an empty live session
	 * ends after its idle period; an overdue one (past end + grace) ends, its participants told a
	 * few minutes before; a scheduled one nobody joined ends when its window closes; an
	 * unscheduled one nobody joined, 4 hours after its creation or last invitation.
	 */
	sweep(now = Date.now()): void {
		if (this.#draining) return;
		for (const { session: s, lastInvitedAt } of [...this.#active.values()]) {
			const rules = s.rules();
			const window = joinWindow(s.schedule, rules);
			if (s.state === 'live') {
				const idle = s.participantCount === 0 && s.emptySince !== undefined && now - s.emptySince >= rules.idleEndSeconds * 1000;
				if (idle && !this.#cluster?.elsewhere(s.id)) {
					s.end('idle');
				} else if (window && now >= window.closesAt) {
					s.end('overdue');
				} else if (window && now >= window.closesAt - rules.overdueNoticeSeconds * 1000 && s.participantCount > 0) {
					s.noticeEnding(window.closesAt);
				}
			} else if (s.state === 'scheduled') {
				if (window && now >= window.closesAt) s.end('overdue');
				else if (!window && now - Math.max(s.createdAt, lastInvitedAt ?? 0) >= UNSCHEDULED_TTL_MS) s.end('idle');
			}
		}
	}

	/**
	 * Before a restart: no new joins; everyone told to reconnect (their sessions stay live in the
	 * store); running recordings stopped so their parts are complete; every write finished.
	 */
	async drain(): Promise<void> {
		this.#draining = true;
		const sessions = [...this.#active.values()].map((e) => e.session);
		for (const s of sessions) if (s.state === 'live') s.disconnectForRestart();
		await Promise.all(
			sessions
				.filter((s) => s.recordingStatus().active)
				.map((s) =>
					s
						.stopRecording()
						.catch((err: unknown) =>
							this.#log.error('session.drain_recording_failed', { sessionId: s.id, error: String(err) }),
						),
				),
		);
		await Promise.all(sessions.map((s) => this.#written(s.id)));
	}

	/** Ends every session held here (an engine without a durable store closing). */
	endAll(reason: SessionEndReason): void {
		for (const { session } of [...this.#active.values()]) session.end(reason);
	}

	/** Waits for every write, then stops the sweeper (the store is closed by its owner). */
	async close(): Promise<void> {
		clearInterval(this.#sweeper);
		this.#draining = true;
		await Promise.all([...this.#active.keys()].map((id) => this.#written(id)));
	}

	get durable(): boolean {
		return this.#store.durable;
	}

	/** A `Session` for a record: a new one, or one `loaded` from the store (at start, or created by another host). */
	#materialize(r: SessionRecord, loaded: boolean): Entry {
		const session = this.#newSession({
			id: r.id,
			tenantId: r.tenantId,
			title: r.title,
			module: r.module,
			kind: r.kind,
			schedule: r.schedule,
			policy: { participantsSeeEachOther: r.participantsSeeEachOther },
			lifecycle: r.lifecycle,
			rules: () => effectiveLifecycle(this.#policyOf(r.tenantId)?.lifecycle, session.lifecycle),
			restored: { createdAt: r.createdAt, state: r.state === 'live' ? 'live' : 'scheduled', startedAt: r.startedAt },
		});
		if (r.recordingId !== undefined) {
			// A crash stopped it; its parts so far are processed into an item at start (RecordingService.resumePending).
			this.#log.warn('session.recording_cut', { sessionId: r.id, recordingId: r.recordingId });
		}
		const entry: Entry = {
			session,
			invitations: r.invitations,
			lastInvitedAt: undefined,
			recordingId: undefined,
			revision: r.revision,
			writing: Promise.resolve(),
			startingUntil: undefined,
		};
		this.#active.set(r.id, entry);
		if (loaded)
			new SessionEvents(this.#events, session).emit('session.restored', {
				module: r.module,
				state: r.state === 'live' ? 'live' : 'scheduled',
			});
		// A restored recording reference is cleared with the next write: nothing records now.
		if (r.recordingId !== undefined) void this.#write(r.id).catch(() => undefined);
		return entry;
	}

	async #activeSession(tenantId: string, sessionId: string): Promise<Session> {
		const e = this.#active.get(sessionId);
		if (e && e.session.tenantId === tenantId) return e.session;
		const r = await this.#store.get(tenantId, sessionId);
		if (!r) throw new EngineError('not_found', `session ${sessionId} not found`);
		if (r.state === 'cancelled') throw new EngineError('session_cancelled', 'this session was cancelled');
		if (r.state === 'ended') throw new EngineError('session_ended', 'this session has ended');
		return (this.#active.get(sessionId) ?? this.#materialize(r, true)).session;
	}

	/** Writes the session's record now (after any write in progress); rejects when the store fails. */
	#write(sessionId: string): Promise<void> {
		const e = this.#active.get(sessionId);
		if (!e) return Promise.resolve();
		const run = () => this.#store.put(this.#recordOf(e));
		const next = e.writing.then(run, run);
		e.writing = next.catch(() => undefined);
		return next;
	}

	/** Waits until what is known of the session now is stored (logged, not thrown: the change already happened). */
	async #written(sessionId: string): Promise<void> {
		await this.#active.get(sessionId)?.writing;
		await this.#finished.get(sessionId);
	}

	/** Writes of sessions that ended, until they are stored (then they leave memory). */
	readonly #finished = new Map<string, Promise<void>>();

	#changed(sessionId: string, ended = false): void {
		const e = this.#active.get(sessionId);
		if (!e) return;
		const done = this.#write(sessionId).catch((err: unknown) =>
			this.#log.error('session.store_failed', { sessionId, state: e.session.state, error: String(err) }),
		);
		if (!ended) return;
		// Ended sessions are read from the store from now on.
		const finished = done.then(() => {
			this.#active.delete(sessionId);
			this.#finished.delete(sessionId);
		});
		this.#finished.set(sessionId, finished);
	}

	#setRecording(sessionId: string, recordingId: string | undefined): void {
		const e = this.#active.get(sessionId);
		if (!e) return;
		e.recordingId = recordingId;
		void this.#write(sessionId).catch((err: unknown) => this.#log.error('session.store_failed', { sessionId, error: String(err) }));
	}

	#recordOf(e: Entry): SessionRecord {
		const s = e.session;
		e.revision++;
		return {
			id: s.id,
			tenantId: s.tenantId,
			...(s.title !== undefined ? { title: s.title } : {}),
			...(s.module !== undefined ? { module: s.module } : {}),
			kind: s.kind,
			...(s.schedule ? { schedule: { ...s.schedule } } : {}),
			participantsSeeEachOther: s.policy.participantsSeeEachOther,
			lifecycle: { ...s.lifecycle },
			state: s.state,
			createdAt: s.createdAt,
			...(s.startedAt !== undefined ? { startedAt: s.startedAt } : {}),
			...(s.endedAt !== undefined ? { endedAt: s.endedAt } : {}),
			...(s.endReason !== undefined ? { endReason: s.endReason } : {}),
			invitations: e.invitations,
			...(e.recordingId !== undefined ? { recordingId: e.recordingId } : {}),
			revision: e.revision,
		};
	}

	#infoOf(r: SessionRecord): SessionInfo {
		return {
			id: r.id,
			tenantId: r.tenantId,
			title: r.title,
			module: r.module,
			kind: r.kind,
			schedule: r.schedule ? { ...r.schedule } : undefined,
			state: r.state,
			lifecycle: { ...r.lifecycle },
			rules: effectiveLifecycle(this.#policyOf(r.tenantId)?.lifecycle, r.lifecycle),
			endReason: r.endReason as SessionEndReason | undefined,
			createdAt: r.createdAt,
			startedAt: r.startedAt,
			endedAt: r.endedAt,
			policy: { participantsSeeEachOther: r.participantsSeeEachOther },
			participants: [],
		};
	}

	#quotas(tenantId: string): Quotas {
		return effectiveQuotas(this.#policyOf(tenantId)?.quotas);
	}

	#assertOpen(): void {
		if (this.#draining) throw new EngineError('unavailable', 'the host is restarting; try again in a moment');
	}
}

function toSchedule(s: { startsAt: string; endsAt: string }): Schedule {
	return { startsAt: Date.parse(s.startsAt), endsAt: Date.parse(s.endsAt) };
}

function quotaExceeded(quota: keyof Quotas, limit: number, what: string, retryAfterSeconds?: number): EngineError {
	return new EngineError('quota_exceeded', `quota reached: at most ${limit} ${what} (${quota})`, {
		details: { quota, limit, ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}) },
	});
}
