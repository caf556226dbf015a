import type { LibraryGrant, Tenant } from '@luwte/engine/auth';

/** What the middleware puts into a request's context for the handlers. */
export type Env = {
	Variables: {
		/** The caller's tenant: from its API key, or from the library token. */
		tenant: Tenant;
		/** The library token's grant (viewer routes). */
		grant: LibraryGrant;
	};
};
