import type { AdminRoute } from './routes.ts';
import { consentSchema, consentSetSchema, recordingListSchema, recordingSchema, sessionRecordingSchema } from './recording-schemas.ts';

/** Recording live sessions into the on-demand library, and recording consent. */
export const recordingRoutes = {
	startRecording: {
		method: 'post',
		path: '/v1/sessions/{sessionId}/recording',
		summary: 'Start recording a live session (hosts always; others only with consent)',
		response: recordingSchema,
		status: 201,
	},
	stopRecording: {
		method: 'post',
		path: '/v1/sessions/{sessionId}/recording/stop',
		summary: 'Stop the recording; the library item is made from it in the background',
		response: recordingSchema,
		status: 200,
	},
	getSessionRecording: {
		method: 'get',
		path: '/v1/sessions/{sessionId}/recording',
		summary: "A session's recording state and everyone's consent",
		response: sessionRecordingSchema,
		status: 200,
	},
	setRecordingConsent: {
		method: 'post',
		path: '/v1/sessions/{sessionId}/participants/{participantId}/consent',
		summary: "Register a participant's consent to being recorded (or its withdrawal)",
		body: consentSetSchema,
		response: consentSchema,
		status: 200,
	},
	listRecordings: { method: 'get', path: '/v1/recordings', summary: "The tenant's recordings, newest first", response: recordingListSchema, status: 200 },
	getRecording: {
		method: 'get',
		path: '/v1/recordings/{recordingId}',
		summary: 'One recording, with post-processing progress',
		response: recordingSchema,
		status: 200,
	},
} as const satisfies Record<string, AdminRoute>;
