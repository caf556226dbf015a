import type { ApiRoute } from './route-types.ts';
import { consentSchema, consentSetSchema, recordingListSchema, recordingSchema, sessionRecordingSchema } from './recording-schemas.ts';

/** Recording live sessions into the on-demand library, and recording consent. */
export const recordingRoutes = {
	startRecording: {
		method: 'post',
		path: '/v1/sessions/{sessionId}/recording',
		auth: 'tenant',
		summary: 'Start recording a live session (hosts always; others only with consent)',
		response: recordingSchema,
		status: 201,
	},
	stopRecording: {
		method: 'post',
		path: '/v1/sessions/{sessionId}/recording/stop',
		auth: 'tenant',
		summary: 'Stop the recording; the library item is made from it in the background',
		response: recordingSchema,
		status: 200,
	},
	getSessionRecording: {
		method: 'get',
		path: '/v1/sessions/{sessionId}/recording',
		auth: 'tenant',
		summary: "A session's recording state and everyone's consent",
		response: sessionRecordingSchema,
		status: 200,
	},
	setRecordingConsent: {
		method: 'post',
		path: '/v1/sessions/{sessionId}/participants/{participantId}/consent',
		auth: 'tenant',
		summary: "Register a participant's consent to being recorded (or its withdrawal)",
		body: consentSetSchema,
		response: consentSchema,
		status: 200,
	},
	listRecordings: {
		method: 'get',
		path: '/v1/recordings',
		auth: 'tenant',
		summary: "The tenant's recordings, newest first",
		response: recordingListSchema,
		status: 200,
	},
	getRecording: {
		method: 'get',
		path: '/v1/recordings/{recordingId}',
		auth: 'tenant',
		summary: 'One recording, with post-processing progress',
		response: recordingSchema,
		status: 200,
	},
} as const satisfies Record<string, ApiRoute>;
