import { randomBytes } from 'node:crypto';
import type { Engine } from '@luwte/engine';
import type { SessionInfo } from '@luwte/engine/session';
import { stimulusProfileId } from '@luwte/engine/abr';
import { issueJoinToken } from '@luwte/engine/auth';
import type { SessionResource, sessionRoutes } from '@luwte/sdk/admin';
import { HostError } from '../errors.ts';
import type { Handlers } from './handlers.ts';
import { jsonResponse } from './json-response.ts';

export type SessionRouteId = keyof typeof sessionRoutes;

/** Health, sessions, participants and join tokens. */
export function sessionHandlers(engine: Engine): Handlers<SessionRouteId> {
	return {
		health: () => {
			const h = engine.health();
			const body = { status: h.workers > 0 ? ('ok' as const) : ('degraded' as const), workers: h.workers, sessions: h.sessions };
			// A load balancer reads the status code: no media workers, no traffic.
			return body.status === 'ok' ? body : jsonResponse(body, 503);
		},
		createSession: ({ tenant, body }) => publicSession(engine.createSession({ tenantId: tenant.id, ...body })),
		listSessions: ({ tenant }) => ({ sessions: engine.listSessions(tenant.id).map(publicSession) }),
		getSession: ({ tenant, params }) => publicSession(engine.session(tenant.id, params.sessionId).info()),
		endSession: ({ tenant, params }) => publicSession(engine.endSession(tenant.id, params.sessionId)),
		listParticipants: ({ tenant, params }) => ({
			participants: publicSession(engine.session(tenant.id, params.sessionId).info()).participants,
		}),
		createToken: async ({ tenant, params, body }) => {
			const session = engine.session(tenant.id, params.sessionId);
			if (session.state === 'ended') throw new HostError('session_ended', 'this session has ended');
			const participantId = body.participantId ?? `p_${randomBytes(8).toString('base64url')}`;
			const { token, expiresAt } = await issueJoinToken(tenant, {
				sessionId: session.id,
				participantId,
				role: body.role,
				stimulusProfile: body.stimulusProfile,
				ttlSeconds: body.ttlSeconds,
			});
			session.noteInvitation(participantId, body.role);
			return {
				token,
				sessionId: session.id,
				participantId,
				role: body.role,
				stimulusProfile: stimulusProfileId(body.stimulusProfile),
				expiresAt: new Date(expiresAt).toISOString(),
			};
		},
	};
}

const iso = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString());

function publicSession(info: SessionInfo): SessionResource {
	return {
		id: info.id,
		title: info.title ?? null,
		module: info.module ?? null,
		kind: info.kind,
		schedule: info.schedule ? { startsAt: iso(info.schedule.startsAt)!, endsAt: iso(info.schedule.endsAt)! } : null,
		state: info.state,
		participantsSeeEachOther: info.policy.participantsSeeEachOther,
		createdAt: iso(info.createdAt)!,
		startedAt: iso(info.startedAt),
		endedAt: iso(info.endedAt),
		participants: info.participants.map((p) => ({ participantId: p.participantId, role: p.role, joinedAt: iso(p.joinedAt)! })),
	};
}
