import { EngineError } from '../errors.ts';
import type { SessionEndReason } from '../events.ts';
import type { Schedule } from './activity.ts';
import { assertNotEnded } from './guards.ts';
import { joinWindow, type Lifecycle } from './lifecycle.ts';
import type { Participant } from './participant.ts';
import type { SessionState } from './session-info.ts';

/**
 * The moments of a session that its lifecycle sets. They stay public fields of the `Session` (the
 * programme, the store and `info()` read them there, the programme clears a notice on reschedule);
 * apart from that, only `SessionLifecycle` writes them.
 */
export interface SessionMoments {
	readonly schedule: Schedule | undefined;
	startedAt: number | undefined;
	endedAt: number | undefined;
	endReason: SessionEndReason | undefined;
	emptySince: number | undefined;
	endingNoticeAt: number | undefined;
}

/**
 * Where a session is in its life: scheduled → live → ended (or cancelled, never having taken
 * place), the join window and the rules in force (docs/sessions.md), the idle clock and the notice
 * of an overdue end. The session decides who arrives and leaves; this keeps the state they move.
 */
export class SessionLifecycle {
	readonly #session: SessionMoments;
	readonly #rules: () => Lifecycle;
	#state: SessionState = 'scheduled';

	/** `restored`: a stored session brought back, with its state and start. */
	constructor(
		session: SessionMoments,
		rules: () => Lifecycle,
		restored: { state: 'scheduled' | 'live'; startedAt: number | undefined } | undefined,
	) {
		this.#session = session;
		this.#rules = rules;
		if (restored) {
			this.#state = restored.state;
			session.startedAt = restored.startedAt;
			// Back after a restart: empty until its participants reconnect.
			if (this.#state === 'live') session.emptySince = Date.now();
		}
	}

	get state(): SessionState {
		return this.#state;
	}

	/** Ended or cancelled: nobody arrives any more and nothing changes. */
	get over(): boolean {
		return this.#state === 'ended' || this.#state === 'cancelled';
	}

	/** The lifecycle rules in force now (the tenant's may change while the session waits). */
	rules(): Lifecycle {
		return this.#rules();
	}

	/**
	 * Refuses a join outside the join window: before it opens `not_started` (with the start and the
	 * opening time, so a client can wait), after it closes `session_ended`.
	 */
	assertJoinable(now = Date.now()): void {
		assertNotEnded(this.#state);
		const schedule = this.#session.schedule;
		const window = joinWindow(schedule, this.rules());
		if (!schedule || !window) return;
		if (now < window.opensAt) {
			const startsAt = new Date(schedule.startsAt).toISOString();
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

	/** Someone arrived: the idle clock stops, and a scheduled session goes live (true: it started now). */
	arrived(): boolean {
		this.#session.emptySince = undefined;
		if (this.#state !== 'scheduled') return false;
		this.#state = 'live';
		this.#session.startedAt = Date.now();
		return true;
	}

	/** Someone left: with nobody remaining, the idle end counts from now. */
	left(remaining: number): void {
		if (remaining === 0) this.#session.emptySince = Date.now();
	}

	/** Tells everyone in it, quietly, when this overdue session will end (once). */
	noticeEnding(endsAt: number, everyone: Participant[]): void {
		if (this.#session.endingNoticeAt !== undefined) return;
		this.#session.endingNoticeAt = endsAt;
		for (const p of everyone) this.tellEnding(p);
	}

	/** Tells one participant of the ending notice, if one was given (newcomers learn what the others were told). */
	tellEnding(p: Participant): void {
		const endsAt = this.#session.endingNoticeAt;
		if (endsAt !== undefined) p.notify({ type: 'sessionEnding', endsAt: new Date(endsAt).toISOString(), reason: 'overdue' });
	}

	/** Only a session that never took place is cancelled (a live one is ended). */
	cancel(): void {
		if (this.#state !== 'scheduled') throw new EngineError('conflict', `a ${this.#state} session cannot be cancelled; end it instead`);
		this.#over('cancelled', 'cancelled');
	}

	ended(reason: SessionEndReason): void {
		this.#over('ended', reason);
	}

	#over(state: 'ended' | 'cancelled', reason: SessionEndReason): void {
		this.#state = state;
		this.#session.endedAt = Date.now();
		this.#session.endReason = reason;
	}
}
