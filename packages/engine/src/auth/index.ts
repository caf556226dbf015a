/** `@luwte/engine/auth`: tenants and their API keys, join tokens for sessions and viewer tokens for the library. */
export { TenantRegistry, tenantSchema, hashApiKey, newApiKey, newTokenSecret, type Tenant } from './tenants.ts';
export { issueJoinToken, verifyJoinToken, type JoinGrant } from './join-token.ts';
export { issueLibraryToken, verifyLibraryToken, mediaSignature, verifyMediaSignature, type LibraryGrant } from './library-token.ts';
