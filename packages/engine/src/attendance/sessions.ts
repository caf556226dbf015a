import type { ActivityModule } from '../session/activity.ts';
import type { LedgerEvent } from './ledger-events.ts';

/** What the ledger says about one live session, gathered from its lifecycle events. */
export interface SessionFacts {
	sessionId: string;
	module: ActivityModule | null;
	scheduledStart: number | null;
	scheduledEnd: number | null;
	startedAt: number | null;
	/** The first `session.ended`: it closes every open presence. */
	endedAt: number | null;
	/** Cancelled before it took place: its invited clients are no no-shows. */
	cancelled: boolean;
	invited: string[];
}

/** Facts per session from events in canonical order (see `canonicalOrder`). */
export function sessionFacts(ordered: readonly LedgerEvent[]): Map<string, SessionFacts> {
	const facts = new Map<string, SessionFacts>();
	const get = (sessionId: string): SessionFacts => {
		let f = facts.get(sessionId);
		if (!f) {
			f = {
				sessionId,
				module: null,
				scheduledStart: null,
				scheduledEnd: null,
				startedAt: null,
				endedAt: null,
				cancelled: false,
				invited: [],
			};
			facts.set(sessionId, f);
		}
		return f;
	};
	for (const e of ordered) {
		switch (e.type) {
			case 'session.scheduled': {
				// A re-planned session: the latest schedule counts; invitations accumulate.
				const f = get(e.sessionId);
				f.scheduledStart = e.startsAt;
				f.scheduledEnd = e.endsAt;
				if (e.module) f.module = e.module;
				f.invited = [...new Set([...f.invited, ...e.invited])].sort();
				break;
			}
			case 'participant.invited': {
				// Only clients can be no-shows; a leader's or a room's token is no invitation.
				if (e.role !== 'participant') break;
				const f = get(e.sessionId);
				f.invited = [...new Set([...f.invited, e.participantId])].sort();
				break;
			}
			case 'session.started': {
				const f = get(e.sessionId);
				f.startedAt ??= e.at;
				if (e.module && !f.module) f.module = e.module;
				break;
			}
			case 'session.ended': {
				const f = get(e.sessionId);
				f.endedAt ??= e.at;
				if (e.reason === 'cancelled') f.cancelled = true;
				break;
			}
			case 'participant.joined': {
				const f = get(e.sessionId);
				if (e.module && !f.module) f.module = e.module;
				break;
			}
			default:
				break;
		}
	}
	return facts;
}
