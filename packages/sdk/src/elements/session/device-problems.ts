import type { LuwteDeviceProblem } from '../events.ts';

/** A camera or microphone that cannot be used, as `LocalMedia` reports it. */
export interface DeviceProblemReport {
	device: 'camera' | 'microphone';
	problem: LuwteDeviceProblem;
	/** The browser's error name, when it gave one. */
	error?: string;
}

/**
 * What a failed `getUserMedia` means for the person, from the error's name (the names of the
 * Media Capture and Streams spec, section 9.2.3 getUserMedia; `SecurityError` for a page or
 * policy that forbids capture; old Chromium names seen in the wild too).
 */
export function deviceProblemOf(err: unknown): LuwteDeviceProblem {
	switch (errorNameOf(err)) {
		case 'NotAllowedError':
		case 'PermissionDeniedError':
		case 'SecurityError':
			return 'denied';
		case 'NotFoundError':
		case 'DevicesNotFoundError':
			return 'not-found';
		case 'NotReadableError':
		case 'TrackStartError':
		case 'AbortError':
			return 'in-use';
		default:
			return 'failed';
	}
}

/** The browser's error name for the event's `error` field, if the error has one. */
export function errorNameOf(err: unknown): string | undefined {
	if (typeof err !== 'object' || err === null || !('name' in err)) return undefined;
	const name = (err as { name: unknown }).name;
	return typeof name === 'string' && name ? name : undefined;
}
