export * from './messages.ts';
export * from './media-schemas.ts';
