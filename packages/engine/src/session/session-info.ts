import type { SessionEndReason } from '../events.ts';
import type { ActivityModule, OfferKind, Schedule } from './activity.ts';
import type { Lifecycle, LifecycleInput } from './lifecycle.ts';
import type { Participant } from './participant.ts';
import type { Role, RoutingPolicy } from './roles.ts';

// What a session is made from and what it tells of itself (the admin API, the programme and the store read `SessionInfo`).

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

/** A session as `sessionInfo` reads it. */
export type DescribedSession = Omit<SessionInfo, 'rules' | 'participants'> & { rules(): Lifecycle };

/** A session's description, as copies: changing it changes nothing in the session. */
export function sessionInfo(s: DescribedSession, participants: readonly Participant[]): SessionInfo {
	return {
		id: s.id,
		tenantId: s.tenantId,
		title: s.title,
		module: s.module,
		kind: s.kind,
		schedule: s.schedule ? { ...s.schedule } : undefined,
		state: s.state,
		lifecycle: { ...s.lifecycle },
		rules: s.rules(),
		endReason: s.endReason,
		createdAt: s.createdAt,
		startedAt: s.startedAt,
		endedAt: s.endedAt,
		policy: { ...s.policy },
		participants: participants.map((p) => ({ participantId: p.id, role: p.role, joinedAt: p.joinedAt })),
	};
}
