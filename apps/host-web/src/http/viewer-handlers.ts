import type { Tenant } from '@luwte/engine/auth';
import type { Library, LibraryItem } from '@luwte/engine/library';
import type { ViewerItem, ViewerRouteId } from '@luwte/sdk/admin';
import { HostError } from '../errors.ts';
import type { Handlers } from './handlers.ts';
import { publishedItem, signedMediaPath } from './library-media.ts';

/**
 * The library for clients: published items only, for the tenant and client a library token
 * names (never a tenant key). Media and thumbnails are signed links to `library-media.ts`.
 */
export function viewerHandlers(given: Library | undefined): Handlers<ViewerRouteId> {
	const library = (): Library => {
		if (!given) throw new HostError('unavailable', 'this host has no library');
		return given;
	};
	return {
		listViewerModules: async ({ tenant }) => ({
			modules: (await library().modules(tenant.id)).map((m) => ({ module: m.module, label: m.label, count: m.byStatus.published })),
		}),
		listViewerItems: async ({ tenant, query }) => {
			const items = await library().list(tenant.id, { status: 'published', ...(query.module ? { module: query.module } : {}) });
			return { items: items.map((i) => viewerItem(library(), tenant, i)) };
		},
		getViewerItem: async ({ tenant, grant, params }) => {
			const item = await publishedItem(library(), tenant.id, params.itemId);
			return {
				...viewerItem(library(), tenant, item),
				mediaUrl: signedMediaPath(tenant, item, 'media'),
				subtitles: (item.subtitles ?? []).map((t) => ({
					lang: t.lang,
					label: t.label,
					// `v` (not signed: it only names the version) changes with each upload, so a browser's cached copy of replaced subtitles is not used.
					url: `${signedMediaPath(tenant, item, `subtitles.${t.lang}.vtt`)}&v=${t.file.slice(-16, -4)}`,
				})),
				resumeSeconds: library().resumePosition(tenant.id, item.id, grant.participantId) ?? null,
			};
		},
		recordViewerWatch: async ({ tenant, grant, params, body }) => {
			const item = await publishedItem(library(), tenant.id, params.itemId);
			const r = await library().recordWatch(tenant.id, item.id, grant.participantId, {
				event: body.event,
				positionSeconds: body.positionSeconds,
				...(body.eventId ? { clientEventId: body.eventId } : {}),
			});
			return { stored: r.stored, resumeSeconds: r.resumeSeconds ?? null };
		},
	};
}

function viewerItem(library: Library, tenant: Tenant, item: LibraryItem): ViewerItem {
	return {
		id: item.id,
		title: item.title,
		module: item.module,
		description: item.description,
		durationSeconds: item.durationSeconds,
		recordedAt: new Date(item.recordedAt).toISOString(),
		thumbnailUrl: library.filePath(item, 'thumbnail') ? signedMediaPath(tenant, item, 'thumbnail') : null,
		flashWarning: (item.flash?.windows.length ?? 0) > 0,
	};
}
