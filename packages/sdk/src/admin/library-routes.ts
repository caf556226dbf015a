import type { AdminRoute } from './routes.ts';
import {
	libraryApproveSchema,
	libraryDeletedSchema,
	libraryItemListSchema,
	libraryItemResourceSchema,
	libraryItemUpdateSchema,
	libraryListQuerySchema,
	libraryModuleListSchema,
	libraryTokenCreateSchema,
	libraryTokenSchema,
} from './library-schemas.ts';

/** The on-demand library: modules, items, publishing, library tokens for clients. */
export const libraryRoutes = {
	listLibraryModules: {
		method: 'get',
		path: '/v1/library/modules',
		summary: 'The five modules with item counts per status',
		response: libraryModuleListSchema,
		status: 200,
	},
	listLibraryItems: {
		method: 'get',
		path: '/v1/library/items',
		summary: "The tenant's library items, newest recording first (filter by module and status)",
		query: libraryListQuerySchema,
		response: libraryItemListSchema,
		status: 200,
	},
	getLibraryItem: { method: 'get', path: '/v1/library/items/{itemId}', summary: 'One library item', response: libraryItemResourceSchema, status: 200 },
	updateLibraryItem: {
		method: 'post',
		path: '/v1/library/items/{itemId}',
		summary: 'Change title, description or module',
		body: libraryItemUpdateSchema,
		response: libraryItemResourceSchema,
		status: 200,
	},
	publishLibraryItem: {
		method: 'post',
		path: '/v1/library/items/{itemId}/publish',
		summary: 'Show an item to clients (409 for an item with flash warnings that is not approved)',
		response: libraryItemResourceSchema,
		status: 200,
	},
	unpublishLibraryItem: {
		method: 'post',
		path: '/v1/library/items/{itemId}/unpublish',
		summary: 'Hide a published item from clients',
		response: libraryItemResourceSchema,
		status: 200,
	},
	approveLibraryItem: {
		method: 'post',
		path: '/v1/library/items/{itemId}/approve',
		summary: 'A person checked the flash warnings of a flagged item: publish it',
		body: libraryApproveSchema,
		response: libraryItemResourceSchema,
		status: 200,
	},
	deleteLibraryItem: {
		method: 'delete',
		path: '/v1/library/items/{itemId}',
		summary: 'Delete an item and its media',
		response: libraryDeletedSchema,
		status: 200,
	},
	createLibraryToken: {
		method: 'post',
		path: '/v1/library/tokens',
		summary: 'Issue a library token: one pseudonymous client may watch the published library',
		body: libraryTokenCreateSchema,
		response: libraryTokenSchema,
		status: 201,
	},
} as const satisfies Record<string, AdminRoute>;
