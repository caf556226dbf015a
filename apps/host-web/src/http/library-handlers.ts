import type { Engine } from '@luwte/engine';
import type { libraryRoutes } from '@luwte/sdk/admin';
import type { Handlers } from './handlers.ts';

export type LibraryRouteId = keyof typeof libraryRoutes;

export function libraryHandlers(_engine: Engine): Handlers<LibraryRouteId> {
	return {};
}
