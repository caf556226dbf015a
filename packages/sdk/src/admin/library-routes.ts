import type { AdminRoute } from './routes.ts';

/** The on-demand library: modules, items, publishing, watch events. */
export const libraryRoutes = {} as const satisfies Record<string, AdminRoute>;
