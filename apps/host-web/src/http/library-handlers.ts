import { randomBytes } from 'node:crypto';
import { issueLibraryToken } from '@luwte/engine/auth';
import type { Library, LibraryItem, SubtitleTrack } from '@luwte/engine/library';
import type { LibraryItemResource, LibrarySubtitle, libraryRoutes } from '@luwte/sdk/admin';
import { HostError } from '../errors.ts';
import type { Handlers } from './handlers.ts';

export type LibraryRouteId = keyof typeof libraryRoutes;

/** Admin routes of the on-demand library (tenant API key). */
export function libraryHandlers(given: Library | undefined): Handlers<LibraryRouteId> {
	const library = (): Library => {
		if (!given) throw new HostError('unavailable', 'this host has no library');
		return given;
	};
	return {
		listLibraryModules: async ({ tenant }) => ({
			modules: (await library().modules(tenant.id)).map((m) => ({
				module: m.module,
				label: m.label,
				total: m.total,
				byStatus: m.byStatus,
			})),
		}),
		listLibraryItems: async ({ tenant, query }) => ({
			items: (
				await library().list(tenant.id, {
					...(query.module ? { module: query.module } : {}),
					...(query.status ? { status: query.status } : {}),
				})
			).map(libraryItemResource),
		}),
		getLibraryItem: async ({ tenant, params }) => libraryItemResource(await library().get(tenant.id, params.itemId!)),
		updateLibraryItem: async ({ tenant, params, body }) =>
			libraryItemResource(
				await library().update(tenant.id, params.itemId!, {
					...(body.title !== undefined ? { title: body.title } : {}),
					...(body.description !== undefined ? { description: body.description } : {}),
					...(body.module !== undefined ? { module: body.module } : {}),
				}),
			),
		publishLibraryItem: async ({ tenant, params }) => libraryItemResource(await library().publish(tenant.id, params.itemId!)),
		unpublishLibraryItem: async ({ tenant, params }) => libraryItemResource(await library().unpublish(tenant.id, params.itemId!)),
		approveLibraryItem: async ({ tenant, params, body }) =>
			libraryItemResource(await library().approve(tenant.id, params.itemId!, body.by)),
		deleteLibraryItem: async ({ tenant, params }) => {
			await library().delete(tenant.id, params.itemId!);
			return { id: params.itemId!, deleted: true as const };
		},
		listLibrarySubtitles: async ({ tenant, params }) => ({
			subtitles: ((await library().get(tenant.id, params.itemId)).subtitles ?? []).map(subtitleResource),
		}),
		putLibrarySubtitles: async ({ tenant, params, body }) =>
			subtitleResource(
				await library().setSubtitles(tenant.id, params.itemId, params.lang, {
					vtt: body.vtt,
					...(body.label !== undefined ? { label: body.label } : {}),
				}),
			),
		deleteLibrarySubtitles: async ({ tenant, params }) => {
			const item = await library().get(tenant.id, params.itemId);
			// Answered with the canonical tag (nl-be → nl-BE), as the list shows it.
			const lang = item.subtitles?.find((t) => t.lang.toLowerCase() === params.lang.toLowerCase())?.lang ?? params.lang;
			await library().removeSubtitles(tenant.id, item.id, lang);
			return { lang, deleted: true as const };
		},
		createLibraryToken: async ({ tenant, body }) => {
			library();
			const participantId = body.participantId ?? `p_${randomBytes(8).toString('base64url')}`;
			const { token, expiresAt } = await issueLibraryToken(tenant, { participantId, ttlSeconds: body.ttlSeconds });
			return { token, participantId, expiresAt: new Date(expiresAt).toISOString() };
		},
	};
}

const iso = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString());

export function libraryItemResource(item: LibraryItem): LibraryItemResource {
	return {
		id: item.id,
		title: item.title,
		module: item.module,
		description: item.description,
		durationSeconds: item.durationSeconds,
		recordedAt: iso(item.recordedAt)!,
		createdAt: iso(item.createdAt)!,
		status: item.status,
		flash: item.flash ? { windows: item.flash.windows.map((w) => ({ ...w })) } : null,
		approvedAt: iso(item.approvedAt),
		approvedBy: item.approvedBy ?? null,
		publishedAt: iso(item.publishedAt),
		sessionId: item.sessionId ?? null,
		hasThumbnail: item.files?.thumbnail !== undefined,
		subtitles: (item.subtitles ?? []).map(subtitleResource),
		error: item.error ?? null,
	};
}

function subtitleResource(t: SubtitleTrack): LibrarySubtitle {
	return { lang: t.lang, label: t.label, cues: t.cues, bytes: t.bytes, updatedAt: iso(t.updatedAt)! };
}
