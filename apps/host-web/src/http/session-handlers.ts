import { randomBytes } from 'node:crypto';
import type { Engine } from '@luwte/engine';
import { joinWindow, type SessionInfo } from '@luwte/engine/session';
import { resolveStimulusProfile, stimulusProfileId } from '@luwte/engine/abr';
import { issueJoinToken } from '@luwte/engine/auth';
import type { SessionResource, sessionRoutes } from '@luwte/sdk/admin';
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
		createSession: async ({ tenant, body }) => publicSession(await engine.createSession({ tenantId: tenant.id, ...body })),
		listSessions: async ({ tenant, query }) => {
			const page = await engine.listSessions(tenant.id, {
				...query,
				from: query.from === undefined ? undefined : Date.parse(query.from),
				to: query.to === undefined ? undefined : Date.parse(query.to),
			});
			return { sessions: page.sessions.map(publicSession), nextCursor: page.nextCursor ?? null };
		},
		getSession: async ({ tenant, params }) => publicSession(await engine.sessionInfo(tenant.id, params.sessionId)),
		updateSession: async ({ tenant, params, body }) => publicSession(await engine.updateSession(tenant.id, params.sessionId, body)),
		cancelSession: async ({ tenant, params }) => publicSession(await engine.cancelSession(tenant.id, params.sessionId)),
		endSession: async ({ tenant, params }) => publicSession(await engine.endSession(tenant.id, params.sessionId)),
		listParticipants: async ({ tenant, params }) => ({
			participants: publicSession(await engine.sessionInfo(tenant.id, params.sessionId)).participants,
		}),
		createToken: async ({ tenant, params, body }) => {
			const participantId = body.participantId ?? `p_${randomBytes(8).toString('base64url')}`;
			// A profile that does not resolve is refused before anything is stored.
			resolveStimulusProfile(tenant, body.stimulusProfile);
			// Checks the session can still be joined and the token quota, stores the invitation, and
			// caps the token's life at the join window's end.
			const { expiresAt: until } = await engine.programme.invite(tenant.id, params.sessionId, {
				participantId,
				role: body.role,
				ttlSeconds: body.ttlSeconds,
			});
			const { token, expiresAt } = await issueJoinToken(tenant, {
				sessionId: params.sessionId,
				participantId,
				role: body.role,
				stimulusProfile: body.stimulusProfile,
				ttlSeconds: Math.max(1, Math.floor((until - Date.now()) / 1000)),
			});
			const session = { id: params.sessionId };
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
	const window = joinWindow(info.schedule, info.rules);
	return {
		id: info.id,
		title: info.title ?? null,
		module: info.module ?? null,
		kind: info.kind,
		schedule: info.schedule ? { startsAt: iso(info.schedule.startsAt)!, endsAt: iso(info.schedule.endsAt)! } : null,
		state: info.state,
		endReason: info.endReason ?? null,
		joinWindow: window ? { opensAt: iso(window.opensAt)!, closesAt: iso(window.closesAt)! } : null,
		lifecycle: { ...info.rules },
		participantsSeeEachOther: info.policy.participantsSeeEachOther,
		createdAt: iso(info.createdAt)!,
		startedAt: iso(info.startedAt),
		endedAt: iso(info.endedAt),
		participants: info.participants.map((p) => ({ participantId: p.participantId, role: p.role, joinedAt: iso(p.joinedAt)! })),
	};
}
