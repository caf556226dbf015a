export type { SessionStore } from './session-store.ts';
export { MemorySessionStore } from './memory-store.ts';
export { FileSessionStore, type FileSessionStoreOptions } from './file-store.ts';
export { RedisSessionStore, type RedisSessionStoreOptions } from './redis-store.ts';
export {
	sessionRecordSchema,
	sessionStates,
	listQuerySchema,
	MAX_INVITATIONS,
	type SessionRecord,
	type StoredSessionState,
	type ListQuery,
	type SessionPage,
} from './record.ts';
