export * from './schemas.ts';
export * from './routes.ts';
export { libraryRoutes } from './library-routes.ts';
export * from './library-schemas.ts';
export { recordingRoutes } from './recording-routes.ts';
export * from './recording-schemas.ts';
export { openApiDocument } from './openapi.ts';
export { AdminClient, AdminApiError, type AdminClientOptions } from './client.ts';
export * from './operator.ts';
