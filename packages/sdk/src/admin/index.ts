export * from './schemas.ts';
export * from './routes.ts';
export { libraryRoutes } from './library-routes.ts';
export { recordingRoutes } from './recording-routes.ts';
export { openApiDocument } from './openapi.ts';
export { AdminClient, AdminApiError, type AdminClientOptions } from './client.ts';
export * from './operator.ts';
