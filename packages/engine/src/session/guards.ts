import { EngineError } from '../errors.ts';
import type { Participant } from './participant.ts';
import { canPublish, type Role } from './roles.ts';
import type { SessionState } from './session-info.ts';

// The checks and refusals a session repeats, each written once.

/** A connection that was replaced, left, or dropped with its session or its media worker. */
export function connectionGone(): EngineError {
	return new EngineError('not_found', 'this connection is no longer part of the session');
}

export function notInSession(participantId: string): EngineError {
	return new EngineError('not_found', `participant ${participantId} is not in this session`);
}

export function assertNotEnded(state: SessionState): void {
	if (state === 'ended') throw new EngineError('session_ended', 'this session has ended');
	if (state === 'cancelled') throw new EngineError('session_cancelled', 'this session was cancelled');
}

/** `current`: the participant the session holds under that ID now (a replaced connection is not it). */
export function assertLive(state: SessionState, participant: Participant, current: Participant | undefined): void {
	assertNotEnded(state);
	if (participant.closed || current !== participant) throw connectionGone();
}

export function assertHost(p: Participant, what: string): void {
	if (p.role !== 'host') throw new EngineError('forbidden', `only a host may ${what}`);
}

export function assertMayPublish(role: Role): void {
	if (!canPublish(role)) throw new EngineError('forbidden', `role ${role} may not publish`);
}
