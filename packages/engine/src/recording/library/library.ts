import { createHash, randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { basename, extname, join, resolve } from 'node:path';
import { messageOf } from '@luwte/errors';
import type { z } from 'zod';
import type { AttendanceEvent } from '../../attendance/event-log.ts';
import type { LedgerStore } from '../../attendance/store.ts';
import { EngineError, invalidInput } from '../../errors.ts';
import { defaultLogger, type Logger } from '../../log/logger.ts';
import { activityModules, moduleLabels, type ActivityModule } from '../../session/activity.ts';
import { settled } from '../../settled.ts';
import { fsyncPath, moveFileDurably, writeFileAtomic } from './durable-fs.ts';
import { ITEM_FILE, ItemIndex } from './item-index.ts';
import { ItemLock } from './item-lock.ts';
import { removeLeftovers } from './leftovers.ts';
import type { Owner } from './owner.ts';
import { makeStaging, unmarkStaging } from './staging.ts';
import {
	checkSubtitles,
	defaultSubtitleLabel,
	MAX_SUBTITLE_TRACKS,
	setSubtitlesSchema,
	subtitleLangSchema,
	type SetSubtitlesInput,
	type SubtitleTrack,
} from './subtitles.ts';
import {
	addItemSchema,
	completeItemSchema,
	createProcessingSchema,
	libraryItemIdSchema,
	libraryItemSchema,
	libraryStatuses,
	listFilterSchema,
	needsApproval,
	pseudonymSchema,
	updateItemSchema,
	watchInputSchema,
	type AddItemInput,
	type CompleteItemInput,
	type CreateProcessingInput,
	type LibraryItem,
	type LibraryListFilter,
	type LibraryStatus,
	type UpdateItemInput,
	type WatchInput,
} from './item.ts';

/** The attendance event type of watching a library item. */
export const WATCH_EVENT_TYPE = 'library.watch';

export interface ModuleSummary {
	module: ActivityModule;
	label: string;
	total: number;
	byStatus: Record<LibraryStatus, number>;
}

export interface WatchResult {
	/** False when this event (same client event ID) was recorded before. */
	stored: boolean;
	/** Where this participant would resume now; undefined after `finished`. */
	resumeSeconds: number | undefined;
}

export interface LibraryOptions {
	/**
	 * Watch events go to this ledger (the file store or Redis); resume positions are rebuilt from
	 * it at open and follow this library's own watch events after that.
	 */
	attendance: LedgerStore;
	/**
	 * The library folder; default `<dataDir>/library`. Several hosts may share it (e.g. an NFS
	 * mount): docs/operations.md, "Library storage for several hosts".
	 */
	dir?: string | undefined;
	/**
	 * This host's name in what it writes into the shared folder (default the machine's host
	 * name). Hosts sharing a library need distinct names.
	 */
	hostId?: string | undefined;
	/** How long lists may be served from memory before the folder is read again (default 2 s). */
	listRefreshMs?: number | undefined;
	/** How long a change waits for another host's change of the same item (default 10 s, then `conflict`). */
	lockWaitMs?: number | undefined;
	now?: () => number;
	/** Where clean-up failures are reported (files left behind); the engine's default logger when absent. */
	logger?: Logger;
}

/**
 * The on-demand library, in `<dataDir>/library/` or a folder that several hosts share.
 *
 * Storage: every item is a folder `items/<id>/` holding its media and its metadata `item.json`.
 * Metadata is replaced atomically (temp file, fsync, rename, fsync folder), so a crash while one
 * item changes leaves that item's previous version, and never touches another item: there is no
 * shared file whose tail could be torn and no log to compact. New items are assembled in a
 * hidden `.incoming-<id>` folder and renamed into place, so an item appears with all its files or
 * not at all; deletion renames to `.trash-<id>` first.
 *
 * Several hosts: the folder is the truth (`ItemIndex`: one item is read from disk on every
 * `get`, lists are re-checked after a short bound). A change of an item holds the item's lock
 * file (`ItemLock`) while it reads, changes and writes item.json, so two hosts changing one
 * item both succeed, one after the other, or one gets `conflict`. At open only leftovers are
 * removed: another host's `.incoming-` folder is left alone while it is being filled.
 *
 * Every item belongs to one tenant; asking for another tenant's item answers `not_found`.
 */
export class Library {
	/** `<dataDir>/library`; item file paths are relative to it. */
	readonly dir: string;
	/** Item folders whose metadata could not be read at open (left on disk, not listed). */
	readonly skippedAtOpen: string[];
	readonly #itemsDir: string;
	readonly #attendance: LedgerStore;
	readonly #now: () => number;
	readonly #items: ItemIndex;
	readonly #owner: Owner;
	readonly #lockWaitMs: number | undefined;
	/** Changes of one item in this process run one after another; the lock file orders them across hosts. */
	readonly #locks = new Map<string, Promise<unknown>>();
	/** `tenant \0 item \0 participant` → seconds; derived from the attendance stream. */
	readonly #resume = new Map<string, number>();
	readonly #log: Logger;
	/** Told when an item of this host becomes `published` (webhooks); see `onPublished`. */
	readonly #published = new Set<(item: LibraryItem) => void>();

	private constructor(dir: string, opts: LibraryOptions, log: Logger) {
		this.dir = dir;
		this.#itemsDir = join(dir, 'items');
		this.#attendance = opts.attendance;
		this.#now = opts.now ?? Date.now;
		this.#items = new ItemIndex(this.#itemsDir, { refreshMs: opts.listRefreshMs, now: this.#now });
		this.#owner = { host: opts.hostId ?? hostname(), pid: process.pid };
		this.#lockWaitMs = opts.lockWaitMs;
		this.skippedAtOpen = [];
		this.#log = log;
	}

	static async open(dataDir: string, opts: LibraryOptions): Promise<Library> {
		const dir = opts.dir !== undefined ? resolve(opts.dir) : join(resolve(dataDir), 'library');
		const log = opts.logger ?? defaultLogger();
		await mkdir(join(dir, 'items'), { recursive: true });
		const library = new Library(dir, opts, log);
		await removeLeftovers(library.#itemsDir, {
			owner: library.#owner,
			now: library.#now(),
			log,
			tryLock: (id) => library.#lock(id, 0).catch(() => undefined),
		});
		library.skippedAtOpen.push(...(await library.#items.refresh()));
		for await (const e of opts.attendance.replay({ type: WATCH_EVENT_TYPE })) library.#applyWatch(e);
		return library;
	}

	/** Adds a finished item from the post-processor's folder: `published`, or `flagged` when flashes were found. */
	async addItem(input: AddItemInput): Promise<LibraryItem> {
		const data = parse(addItemSchema, input, 'library item');
		const id = newItemId();
		const staging = join(this.#itemsDir, `.incoming-${id}`);
		await makeStaging(staging, this.#owner);
		const moved: [string, string][] = [];
		try {
			const files = await this.#bringFiles(id, staging, data, moved);
			const now = this.#now();
			const item = libraryItemSchema.parse({
				...newItemFields(id, data, now),
				durationSeconds: data.durationSeconds,
				...finishedFields(data, now),
				files,
			});
			return await this.#install(staging, item);
		} catch (err) {
			await this.#giveBack(moved);
			await rm(staging, { recursive: true, force: true });
			throw err;
		}
	}

	/** After a failed add or completion: the post-processor gets its files back, so it can retry. */
	async #giveBack(moved: [string, string][]): Promise<void> {
		for (const [from, to] of moved.reverse()) {
			await rename(to, from).catch((cause: unknown) =>
				this.#log.error('library.source_not_restored', { file: basename(from), error: messageOf(cause) }),
			);
		}
	}

	/** Lists a recording while post-processing runs (status `processing`, no media yet). */
	async createProcessing(input: CreateProcessingInput): Promise<LibraryItem> {
		const data = parse(createProcessingSchema, input, 'library item');
		const id = newItemId();
		const item = libraryItemSchema.parse({ ...newItemFields(id, data, this.#now()), durationSeconds: 0, status: 'processing' });
		const staging = join(this.#itemsDir, `.incoming-${id}`);
		await makeStaging(staging, this.#owner);
		try {
			return await this.#install(staging, item);
		} catch (err) {
			await rm(staging, { recursive: true, force: true });
			throw err;
		}
	}

	/** Makes a staged item folder (with its item.json written here) the item's own, durably. */
	async #install(staging: string, item: LibraryItem): Promise<LibraryItem> {
		const text = JSON.stringify(item);
		await writeFileAtomic(join(staging, ITEM_FILE), text, this.#log);
		await unmarkStaging(staging);
		await rename(staging, join(this.#itemsDir, item.id));
		await fsyncPath(this.#itemsDir);
		this.#items.set(item, text);
		if (item.status === 'published') this.#tellPublished(item);
		return item;
	}

	/**
	 * Calls `listener` once an item this host changed has become `published` (durably): at
	 * completion without flashes, or published or approved by staff. Returns a function that stops it.
	 */
	onPublished(listener: (item: LibraryItem) => void): () => void {
		this.#published.add(listener);
		return () => this.#published.delete(listener);
	}

	#tellPublished(item: LibraryItem): void {
		for (const l of this.#published) {
			try {
				l(item);
			} catch (err) {
				this.#log.error('library.listener_failed', { item: item.id, error: messageOf(err) });
			}
		}
	}

	/**
	 * Post-processing finished: the files come in and the item becomes `published` or `flagged`.
	 * The files are copied into a staging folder first (a long copy onto a network share holds no
	 * lock); under the item's lock they are renamed into its folder.
	 */
	async complete(tenantId: string, itemId: string, input: CompleteItemInput): Promise<LibraryItem> {
		const data = parse(completeItemSchema, input, 'completed item');
		assertCompletable(await this.get(tenantId, itemId));
		const staging = join(this.#itemsDir, `.incoming-${itemId}.${randomBytes(6).toString('hex')}`);
		await makeStaging(staging, this.#owner);
		const moved: [string, string][] = [];
		try {
			const files = await this.#bringFiles(itemId, staging, data, moved);
			const done = await this.#change(tenantId, itemId, async (item, lock) => {
				assertCompletable(item);
				const dir = join(this.#itemsDir, item.id);
				lock.assertHeld();
				for (const rel of [files.media, files.thumbnail]) {
					if (rel === undefined) continue;
					const name = basename(rel);
					await rename(join(staging, name), join(dir, name));
				}
				await fsyncPath(dir);
				const { error: _error, flash: _flash, ...rest } = item;
				const next: LibraryItem = { ...rest, durationSeconds: data.durationSeconds, ...finishedFields(data, this.#now()), files };
				return { next, after: () => this.#removeStale(dir, files) };
			});
			moved.length = 0;
			return done;
		} catch (err) {
			await this.#giveBack(moved);
			throw err;
		} finally {
			await rm(staging, { recursive: true, force: true });
		}
	}

	/** Post-processing failed: the item stays listed for staff as `failed`, with the reason. */
	async markFailed(tenantId: string, itemId: string, error: string): Promise<LibraryItem> {
		const reason = typeof error === 'string' && error.trim() !== '' ? error.trim().slice(0, 2000) : 'post-processing failed';
		return this.#change(tenantId, itemId, (item) => {
			assertCompletable(item);
			return { next: { ...item, status: 'failed', error: reason } };
		});
	}

	/**
	 * The tenant's items, newest recording first. Another host's changes show within the list
	 * bound (`listRefreshMs`); this host's at once.
	 */
	async list(tenantId: string, filter: LibraryListFilter = {}): Promise<LibraryItem[]> {
		const f = parse(listFilterSchema, filter, 'filter');
		return (await this.#items.all())
			.filter(
				(i) =>
					i.tenantId === tenantId &&
					(f.module === undefined || i.module === f.module) &&
					(f.status === undefined || i.status === f.status),
			)
			.sort((a, b) => b.recordedAt - a.recordedAt || b.createdAt - a.createdAt);
	}

	/** Counts per module (all five, also when empty), per status. */
	async modules(tenantId: string): Promise<ModuleSummary[]> {
		const summaries = activityModules.map((module) => ({
			module,
			label: moduleLabels[module],
			total: 0,
			byStatus: Object.fromEntries(libraryStatuses.map((s) => [s, 0])) as Record<LibraryStatus, number>,
		}));
		for (const item of await this.#items.all()) {
			if (item.tenantId !== tenantId) continue;
			const s = summaries.find((m) => m.module === item.module)!;
			s.total++;
			s.byStatus[item.status]++;
		}
		return summaries;
	}

	/**
	 * One item of the tenant, as it is on disk now (also when another host added or changed it);
	 * another tenant's item is `not_found`, like a missing one.
	 */
	async get(tenantId: string, itemId: string): Promise<LibraryItem> {
		const id = parse(libraryItemIdSchema, itemId, 'item ID');
		const item = await this.#items.read(id);
		if (!item || item.tenantId !== tenantId) throw new EngineError('not_found', `library item ${id} not found`);
		return item;
	}

	/** Absolute path of an item's media or thumbnail; undefined when it has none. */
	filePath(item: LibraryItem, which: 'media' | 'thumbnail'): string | undefined {
		const rel = item.files?.[which];
		return rel === undefined ? undefined : join(this.dir, rel);
	}

	/** Absolute path of an item's subtitle file in one language (canonical tag); undefined when it has none. */
	subtitlePath(item: LibraryItem, lang: string): string | undefined {
		const track = item.subtitles?.find((t) => t.lang === lang);
		return track === undefined ? undefined : join(this.dir, track.file);
	}

	/**
	 * Adds or replaces one language's WebVTT subtitles of an item with media. The file is checked
	 * first (UTF-8, signature, cue timings in order and within the item: `checkSubtitles`); a
	 * refused file stores nothing. Each upload gets a new file name and item.json names it in one
	 * atomic write, so a crash leaves the old subtitles or the new ones, never half of either.
	 */
	async setSubtitles(tenantId: string, itemId: string, lang: string, input: SetSubtitlesInput): Promise<SubtitleTrack> {
		const code = parse(subtitleLangSchema, lang, 'subtitle language');
		const data = parse(setSubtitlesSchema, input, 'subtitles');
		const before = await this.get(tenantId, itemId);
		assertHasMedia(before);
		let checked = checkSubtitles(data.vtt, before.durationSeconds);
		let track: SubtitleTrack | undefined;
		await this.#change(tenantId, itemId, async (item, lock) => {
			assertHasMedia(item);
			// Completed again meanwhile with another length: check against the new one.
			if (item.durationSeconds !== before.durationSeconds) checked = checkSubtitles(data.vtt, item.durationSeconds);
			const tracks = item.subtitles ?? [];
			const old = tracks.find((t) => t.lang === code);
			if (!old && tracks.length >= MAX_SUBTITLE_TRACKS) {
				throw new EngineError('conflict', `an item has at most ${MAX_SUBTITLE_TRACKS} subtitle languages; remove one first`);
			}
			const dir = join(this.#itemsDir, item.id);
			lock.assertHeld();
			await this.#removeUnlistedSubtitles(dir, tracks);
			const name = `subtitles.${code}.${randomBytes(6).toString('hex')}.vtt`;
			await writeFileAtomic(join(dir, name), checked.text, this.#log);
			track = {
				lang: code,
				label: data.label ?? old?.label ?? defaultSubtitleLabel(code),
				file: `items/${item.id}/${name}`,
				cues: checked.cues,
				bytes: checked.bytes,
				updatedAt: this.#now(),
			};
			const next = old ? tracks.map((t) => (t === old ? track! : t)) : [...tracks, track];
			return { next: { ...item, subtitles: next }, after: () => this.#removeSubtitleFile(old) };
		});
		return track!;
	}

	/** Removes one language's subtitles of an item (`not_found` when it has none in that language). */
	async removeSubtitles(tenantId: string, itemId: string, lang: string): Promise<void> {
		const code = parse(subtitleLangSchema, lang, 'subtitle language');
		await this.#change(tenantId, itemId, (item) => {
			const old = item.subtitles?.find((t) => t.lang === code);
			if (!old) throw new EngineError('not_found', `library item ${item.id} has no ${code} subtitles`);
			const { subtitles, ...rest } = item;
			const left = subtitles!.filter((t) => t !== old);
			return { next: left.length > 0 ? { ...rest, subtitles: left } : rest, after: () => this.#removeSubtitleFile(old) };
		});
	}

	/** A replaced or removed subtitle file, once item.json no longer names it (no one else will: names are random). */
	async #removeSubtitleFile(track: SubtitleTrack | undefined): Promise<void> {
		if (!track) return;
		await rm(join(this.dir, track.file), { force: true }).catch((err: unknown) =>
			this.#log.warn('library.stale_file_left', { file: basename(track.file), error: messageOf(err) }),
		);
	}

	/**
	 * Subtitle files item.json does not name: left by a crash between writing one and naming it.
	 * Only under the item's lock, which every subtitle write holds, so none of them is in use.
	 */
	async #removeUnlistedSubtitles(dir: string, tracks: readonly SubtitleTrack[]): Promise<void> {
		const listed = new Set(tracks.map((t) => basename(t.file)));
		for (const f of await readdir(dir)) {
			if (!(f.startsWith('subtitles.') || f.startsWith('.subtitles.')) || listed.has(f)) continue;
			await rm(join(dir, f), { force: true }).catch((err: unknown) =>
				this.#log.warn('library.stale_file_left', { file: f, error: messageOf(err) }),
			);
		}
	}

	async update(tenantId: string, itemId: string, patch: UpdateItemInput): Promise<LibraryItem> {
		const data = parse(updateItemSchema, patch, 'item update');
		return this.#change(tenantId, itemId, (item) => ({
			next: {
				...item,
				...(data.title !== undefined ? { title: data.title } : {}),
				...(data.description !== undefined ? { description: data.description } : {}),
				...(data.module !== undefined ? { module: data.module } : {}),
			},
		}));
	}

	/** Makes an item visible to clients. An item with flash warnings needs `approve` first. */
	async publish(tenantId: string, itemId: string): Promise<LibraryItem> {
		return this.#change(tenantId, itemId, (item) => {
			if (item.status === 'published') return { next: item };
			if (item.status === 'processing') throw new EngineError('conflict', 'this recording is still being processed');
			if (item.status === 'failed') throw new EngineError('conflict', 'processing this recording failed; it cannot be published');
			if (needsApproval(item)) {
				throw new EngineError(
					'conflict',
					'this recording has flash warnings: a person must watch the marked moments and approve it before it can be published',
				);
			}
			return { next: { ...item, status: 'published', publishedAt: this.#now() } };
		});
	}

	/** Hides a published item from clients (it stays in the library for staff). */
	async unpublish(tenantId: string, itemId: string): Promise<LibraryItem> {
		return this.#change(tenantId, itemId, (item) => {
			if (item.status === 'unpublished') return { next: item };
			if (item.status !== 'published')
				throw new EngineError('conflict', `only a published item can be unpublished (this one is ${item.status})`);
			const { publishedAt: _p, ...rest } = item;
			return { next: { ...rest, status: 'unpublished' } };
		});
	}

	/**
	 * A person checked the flash warnings of a `flagged` item and found it fit to show: it is
	 * published. `by` is that person's pseudonymous staff ID. Items without warnings need no approval.
	 */
	async approve(tenantId: string, itemId: string, by: string): Promise<LibraryItem> {
		const approvedBy = parse(pseudonymSchema, by, 'approved by');
		return this.#change(tenantId, itemId, (item) => {
			if ((item.flash?.windows.length ?? 0) === 0)
				throw new EngineError('conflict', 'this item has no flash warnings: it needs no approval (publish it)');
			if (item.approvedAt !== undefined) return { next: item };
			if (item.status !== 'flagged') throw new EngineError('conflict', `this item is ${item.status}, not waiting for approval`);
			const now = this.#now();
			return { next: { ...item, status: 'published', approvedAt: now, approvedBy, publishedAt: now } };
		});
	}

	/** Removes an item with its files; its resume positions are forgotten (its watch events stay). */
	async delete(tenantId: string, itemId: string): Promise<void> {
		await this.get(tenantId, itemId);
		const trash = await this.#exclusive(itemId, async () => {
			const lock = await this.#lock(itemId);
			try {
				const item = await this.get(tenantId, itemId);
				const trash = join(this.#itemsDir, `.trash-${item.id}`);
				lock.assertHeld();
				// The lock file goes with the folder: a host waiting for it finds the item gone.
				await rename(join(this.#itemsDir, item.id), trash);
				await fsyncPath(this.#itemsDir);
				this.#items.delete(item.id);
				for (const key of this.#resume.keys()) if (key.startsWith(`${tenantId}\0${item.id}\0`)) this.#resume.delete(key);
				return trash;
			} finally {
				await lock.release(this.#log);
			}
		});
		await rm(trash, { recursive: true, force: true });
	}

	/**
	 * A client watched: `started`, `progress` (every ~15 s) or `finished`, at a position. The event
	 * goes to the attendance stream with the item's module (the billing rules decide from it, e.g.
	 * that Eigen regie is never billable); the resume position follows it.
	 */
	async recordWatch(tenantId: string, itemId: string, participantId: string, input: WatchInput): Promise<WatchResult> {
		const item = await this.get(tenantId, itemId);
		const pid = parse(pseudonymSchema, participantId, 'participant ID');
		const w = parse(watchInputSchema, input, 'watch event');
		if (!item.files) throw new EngineError('conflict', 'this item has no media to watch');
		const position = Math.round(Math.min(w.positionSeconds, item.durationSeconds) * 10) / 10;
		// A client's own event ID, scoped to it, so a retry is stored once and IDs never collide.
		const id = w.clientEventId
			? `lw_${createHash('sha256').update(`${tenantId}\0${pid}\0${w.clientEventId}`).digest('base64url').slice(0, 32)}`
			: undefined;
		const r = await this.#attendance.append({
			...(id ? { id } : {}),
			tenantId,
			type: WATCH_EVENT_TYPE,
			itemId: item.id,
			participantId: pid,
			event: w.event,
			positionSeconds: position,
			durationSeconds: item.durationSeconds,
			module: item.module,
		});
		if (r.stored) this.#applyWatch(r.event);
		return { stored: r.stored, resumeSeconds: this.resumePosition(tenantId, item.id, pid) };
	}

	/** Where this participant stopped watching the item; undefined when never started or finished. */
	resumePosition(tenantId: string, itemId: string, participantId: string): number | undefined {
		return this.#resume.get(`${tenantId}\0${itemId}\0${participantId}`);
	}

	#applyWatch(e: AttendanceEvent): void {
		const { itemId, participantId, event, positionSeconds } = e;
		if (typeof itemId !== 'string' || typeof participantId !== 'string' || typeof positionSeconds !== 'number') return;
		if (this.#items.cached(itemId)?.tenantId !== e.tenantId) return; // deleted since (or another host's)
		const key = `${e.tenantId}\0${itemId}\0${participantId}`;
		if (event === 'finished') this.#resume.delete(key);
		else if (event === 'started' || event === 'progress') this.#resume.set(key, positionSeconds);
	}

	/** Moves (or copies) the media and thumbnail into `dir` as the item's files; returns their library paths. */
	async #bringFiles(
		id: string,
		dir: string,
		data: { sourceDir: string; media: string; thumbnail?: string | undefined; keepSource: boolean },
		moved: [string, string][],
	): Promise<NonNullable<LibraryItem['files']>> {
		const files: { media: string; thumbnail?: string } = { media: '' };
		for (const which of ['media', 'thumbnail'] as const) {
			const name = data[which];
			if (name === undefined) continue;
			const from = join(resolve(data.sourceDir), name);
			const st = await stat(from).catch((err: unknown) => {
				const code = (err as NodeJS.ErrnoException).code;
				if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
				throw err;
			});
			if (!st?.isFile()) throw new EngineError('invalid_argument', `${which} file ${name} not found in ${data.sourceDir}`);
			const target = `${which}${extname(name).toLowerCase()}`;
			await moveFileDurably(from, join(dir, target), data.keepSource);
			if (!data.keepSource) moved.push([from, join(dir, target)]);
			files[which] = `items/${id}/${target}`;
		}
		await fsyncPath(dir);
		return files;
	}

	/** After a second completion with other file types: the old files go (subtitles stay). */
	async #removeStale(dir: string, files: NonNullable<LibraryItem['files']>): Promise<void> {
		const keep = new Set([ITEM_FILE, files.media.split('/').pop(), files.thumbnail?.split('/').pop()]);
		for (const f of await readdir(dir)) {
			// Subtitle files are tidied under the item's lock only (`#removeUnlistedSubtitles`); this runs without it.
			if (keep.has(f) || f.startsWith('.') || f.startsWith('subtitles.')) continue;
			// The item is complete without them; a file that cannot go only takes space.
			await rm(join(dir, f), { force: true }).catch((err: unknown) =>
				this.#log.warn('library.stale_file_left', { file: f, error: messageOf(err) }),
			);
		}
	}

	/**
	 * Reads, changes and durably writes one item under its lock: changes from this process and
	 * from other hosts run one after another, each on the item as the one before left it.
	 */
	#change(
		tenantId: string,
		itemId: string,
		fn: (
			item: LibraryItem,
			lock: ItemLock,
		) => { next: LibraryItem; after?: () => Promise<void> } | Promise<{ next: LibraryItem; after?: () => Promise<void> }>,
	): Promise<LibraryItem> {
		return this.#exclusive(itemId, async () => {
			await this.get(tenantId, itemId);
			const lock = await this.#lock(itemId);
			let changed: { checked: LibraryItem; after: (() => Promise<void>) | undefined };
			try {
				const item = await this.get(tenantId, itemId);
				const { next, after } = await fn(item, lock);
				if (next === item) return item;
				const checked = libraryItemSchema.parse(next);
				const text = JSON.stringify(checked);
				lock.assertHeld();
				await writeFileAtomic(join(this.#itemsDir, item.id, ITEM_FILE), text, this.#log);
				this.#items.set(checked, text);
				if (checked.status === 'published' && item.status !== 'published') this.#tellPublished(checked);
				changed = { checked, after };
			} finally {
				await lock.release(this.#log);
			}
			await changed.after?.();
			return changed.checked;
		});
	}

	/** The item's lock file (`ItemLock`); `waitMs` 0 tries once. */
	#lock(itemId: string, waitMs = this.#lockWaitMs): Promise<ItemLock> {
		return ItemLock.acquire(join(this.#itemsDir, itemId), {
			owner: this.#owner,
			...(waitMs !== undefined ? { waitMs } : {}),
			now: this.#now,
			log: this.#log,
		});
	}

	#exclusive<T>(id: string, fn: () => Promise<T>): Promise<T> {
		const prev = this.#locks.get(id) ?? Promise.resolve();
		const run = prev.then(fn, fn);
		const tail = settled(run);
		this.#locks.set(id, tail);
		void tail.then(() => {
			if (this.#locks.get(id) === tail) this.#locks.delete(id);
		});
		return run;
	}
}

/** Subtitles need the media (and its length) to be timed against. */
function assertHasMedia(item: LibraryItem): void {
	if (!item.files || item.status === 'processing' || item.status === 'failed') {
		throw new EngineError('conflict', `this item is ${item.status}: subtitles can be added once its video is ready`);
	}
}

/** Only a recording being processed (or whose processing failed) takes files or a failure. */
function assertCompletable(item: LibraryItem): void {
	if (item.status !== 'processing' && item.status !== 'failed')
		throw new EngineError('conflict', `this item is ${item.status}, not processing`);
}

function newItemId(): string {
	return `li_${randomBytes(16).toString('base64url')}`;
}

function parse<S extends z.ZodType>(schema: S, input: unknown, what: string): z.output<S> {
	const r = schema.safeParse(input);
	if (r.success) return r.data;
	throw invalidInput('invalid_argument', what, r.error.issues);
}

/** What every new item starts with, from the metadata given. */
function newItemFields(
	id: string,
	data: {
		tenantId: string;
		title: string;
		module: LibraryItem['module'];
		description: string;
		recordedAt: number;
		sessionId?: string | undefined;
	},
	now: number,
) {
	return {
		id,
		tenantId: data.tenantId,
		title: data.title,
		module: data.module,
		description: data.description,
		recordedAt: data.recordedAt,
		createdAt: now,
		...(data.sessionId ? { sessionId: data.sessionId } : {}),
	};
}

/** A finished item: published at once, or flagged (unpublished until approved) when flashes were found. */
function finishedFields(data: { flash?: LibraryItem['flash'] }, now: number): Pick<LibraryItem, 'status' | 'flash' | 'publishedAt'> {
	const flagged = (data.flash?.windows.length ?? 0) > 0;
	return {
		status: flagged ? 'flagged' : 'published',
		...(data.flash ? { flash: data.flash } : {}),
		...(flagged ? {} : { publishedAt: now }),
	};
}
