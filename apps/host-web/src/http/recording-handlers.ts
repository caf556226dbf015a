import type { Engine } from '@luwte/engine';
import type { recordingRoutes } from '@luwte/sdk/admin';
import type { Handlers } from './handlers.ts';

export type RecordingRouteId = keyof typeof recordingRoutes;

export function recordingHandlers(_engine: Engine): Handlers<RecordingRouteId> {
	return {};
}
