/** `waiting`: the activity has not started yet; `left`, `ended`, `cancelled`, `gone` and `error` are final. */
export type SessionPhase =
	| 'preview'
	| 'joining'
	| 'waiting'
	| 'joined'
	| 'reconnecting'
	| 'left'
	| 'ended'
	| 'cancelled'
	| 'gone'
	| 'error';

/** Before the room: the camera check and the join button show. */
export function beforeRoom(phase: SessionPhase): boolean {
	return phase === 'preview' || phase === 'joining' || phase === 'waiting';
}

/** In the room (also while the connection is rebuilt): the tiles and the toolbar show. */
export function inRoom(phase: SessionPhase): boolean {
	return phase === 'joined' || phase === 'reconnecting';
}

/** Over for good: the status line says the last word. */
export function isFinal(phase: SessionPhase): boolean {
	return phase === 'left' || phase === 'ended' || phase === 'cancelled' || phase === 'gone' || phase === 'error';
}
