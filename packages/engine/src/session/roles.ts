/**
 * Who sends what to whom. Kept pure so the rules can be read (and tested) in one place.
 *
 * - host (begeleider): publishes; receives everyone.
 * - location (a day-care room device standing for the clients on site): publishes; receives everyone.
 * - participant (a client at home): publishes; receives hosts and locations, and other
 *   participants when the session allows it (default: yes, it is a group activity).
 * - viewer (broadcast audience): never publishes; receives hosts and locations only, so that
 *   clients at home are never shown to a broadcast audience.
 */
export const roles = ['host', 'participant', 'location', 'viewer'] as const;
export type Role = (typeof roles)[number];

export const mediaSources = ['camera', 'microphone', 'screen'] as const;
export type MediaSource = (typeof mediaSources)[number];

export interface RoutingPolicy {
	/** Participants at home see and hear each other (not only the host and the room). */
	participantsSeeEachOther: boolean;
}

export function canPublish(role: Role): boolean {
	return role !== 'viewer';
}

/** Whether a receiver with `receiver` role gets media published by a `sender`. */
export function routes(sender: Role, receiver: Role, policy: RoutingPolicy): boolean {
	if (!canPublish(sender)) return false;
	switch (receiver) {
		case 'host':
		case 'location':
			return true;
		case 'participant':
			return sender !== 'participant' || policy.participantsSeeEachOther;
		case 'viewer':
			return sender === 'host' || sender === 'location';
	}
}

/**
 * Whether `observer` is told that `subject` is present (joined/left, peer lists). It follows the
 * media: you know of those whose media reaches you. Hosts also know of everyone else (they run
 * the activity), except viewers: nobody is told of a viewer one by one, hosts get the audience as
 * a number (`audienceChanged`). So viewers learn nothing about clients at home, and a broadcast
 * with thousands of viewers floods nobody with arrivals (nor a host's screen with tiles).
 */
export function knowsOf(observer: Role, subject: Role, policy: RoutingPolicy): boolean {
	if (subject === 'viewer') return false;
	return observer === 'host' || routes(subject, observer, policy);
}
