export * from './protocol/index.ts';
export * from './client/index.ts';
export * from './admin/index.ts';
