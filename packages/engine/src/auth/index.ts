/** `@luwte/engine/auth`: tenants and their API keys, join tokens for sessions and viewer tokens for the library. */
export {
	TenantRegistry,
	tenantSchema,
	parseTenant,
	patchTenant,
	hashApiKey,
	keyExpired,
	newApiKey,
	newTokenSecret,
	type Tenant,
	type TenantPatch,
} from './tenants.ts';
export type { TenantStore } from './tenant-store.ts';
export { FileTenantStore } from './tenant-file-store.ts';
export { RedisTenantStore, type RedisTenantStoreOptions } from './tenant-redis-store.ts';
export { TenantDirectory } from './tenant-directory.ts';
export { issueJoinToken, verifyJoinToken, type JoinGrant } from './join-token.ts';
export {
	issueLibraryToken,
	verifyLibraryToken,
	mediaSignature,
	verifyMediaSignature,
	type LibraryGrant,
	type MediaFile,
} from './library-token.ts';
