import type { AdminRoute } from './routes.ts';

/** Recording live sessions. */
export const recordingRoutes = {} as const satisfies Record<string, AdminRoute>;
