import { open, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { type LibraryItem, libraryItemIdSchema, libraryItemSchema } from './item.ts';

export const ITEM_FILE = 'item.json';

/** How long a list may be served from memory before the folder is read again (default). */
export const DEFAULT_LIST_REFRESH_MS = 2_000;
/** Item files read at once during a refresh (a network share answers each with a round trip). */
const PARALLEL_READS = 16;

interface Entry {
	item: LibraryItem;
	/** The item.json as read: an unchanged file is not parsed again. */
	text: string;
	/** Inode, size and mtime: each write replaces the file (a new inode), so any change shows. */
	version: string;
}

/**
 * What the library folder holds, as seen from this process. The folder is the truth: other
 * hosts sharing it add, change and delete items too. One item is always read from disk (one
 * small file, re-parsed only when it changed), so a link another host hands out works at once;
 * the whole list is re-checked (a readdir and a stat per item) when it is older than `refreshMs`,
 * so another host's change shows in lists within that bound (plus the share's attribute cache).
 * This process's own changes show at once.
 */
export class ItemIndex {
	readonly #dir: string;
	readonly #refreshMs: number;
	readonly #now: () => number;
	readonly #entries = new Map<string, Entry>();
	#refreshedAt = Number.NEGATIVE_INFINITY;
	#refreshing: Promise<string[]> | undefined;

	constructor(itemsDir: string, opts: { refreshMs?: number | undefined; now?: (() => number) | undefined } = {}) {
		this.#dir = itemsDir;
		this.#refreshMs = opts.refreshMs ?? DEFAULT_LIST_REFRESH_MS;
		this.#now = opts.now ?? Date.now;
	}

	/** The item as it is on disk now; undefined when it is gone or unreadable. */
	async read(id: string): Promise<LibraryItem | undefined> {
		const r = await this.#load(id);
		return typeof r === 'string' ? undefined : r;
	}

	/** The item as this process last saw it (for its own bookkeeping, never for answers). */
	cached(id: string): LibraryItem | undefined {
		return this.#entries.get(id)?.item;
	}

	/** Every item, refreshed from disk when the last look is older than the bound. */
	async all(): Promise<LibraryItem[]> {
		if (this.#now() - this.#refreshedAt >= this.#refreshMs) await this.refresh();
		return [...this.#entries.values()].map((e) => e.item);
	}

	/**
	 * Reads the folder again: new items are read, changed ones re-read, missing ones dropped.
	 * Returns the item folders that could not be read. Refreshes asked for together share one.
	 */
	refresh(): Promise<string[]> {
		this.#refreshing ??= this.#scan().finally(() => {
			this.#refreshing = undefined;
		});
		return this.#refreshing;
	}

	/** Records what this process just wrote (the file's version is checked at the next refresh). */
	set(item: LibraryItem, text: string): void {
		this.#entries.set(item.id, { item, text, version: '' });
	}

	delete(id: string): void {
		this.#entries.delete(id);
	}

	async #load(id: string): Promise<LibraryItem | 'gone' | 'unreadable'> {
		const path = join(this.#dir, id, ITEM_FILE);
		let text: string;
		let version: string;
		try {
			// Opening (not a stat alone) also makes an NFS client ask the server (close-to-open).
			const fh = await open(path, 'r');
			try {
				const st = await fh.stat();
				version = `${st.ino}:${st.size}:${st.mtimeMs}`;
				text = await fh.readFile('utf8');
			} finally {
				await fh.close();
			}
		} catch (err) {
			const code = (err as NodeJS.ErrnoException).code;
			if (code !== 'ENOENT' && code !== 'ENOTDIR') throw err;
			this.#entries.delete(id);
			return 'gone';
		}
		const known = this.#entries.get(id);
		if (known?.text === text) {
			known.version = version;
			return known.item;
		}
		const item = parseItem(id, text);
		if (item === undefined) {
			this.#entries.delete(id);
			return 'unreadable';
		}
		this.#entries.set(id, { item, text, version });
		return item;
	}

	async #scan(): Promise<string[]> {
		const started = this.#now();
		const ids = (await readdir(this.#dir, { withFileTypes: true }))
			.filter((e) => e.isDirectory() && libraryItemIdSchema.safeParse(e.name).success)
			.map((e) => e.name);
		const present = new Set(ids);
		for (const id of this.#entries.keys()) if (!present.has(id)) this.#entries.delete(id);
		const unreadable: string[] = [];
		for (let i = 0; i < ids.length; i += PARALLEL_READS) {
			await Promise.all(
				ids.slice(i, i + PARALLEL_READS).map(async (id) => {
					const known = this.#entries.get(id);
					if (known !== undefined) {
						const st = await stat(join(this.#dir, id, ITEM_FILE)).catch(() => undefined);
						if (st !== undefined && `${st.ino}:${st.size}:${st.mtimeMs}` === known.version) return;
					}
					if ((await this.#load(id)) === 'unreadable') unreadable.push(id);
				}),
			);
		}
		this.#refreshedAt = started;
		return unreadable;
	}
}

function parseItem(id: string, text: string): LibraryItem | undefined {
	try {
		const r = libraryItemSchema.safeParse(JSON.parse(text));
		return r.success && r.data.id === id ? r.data : undefined;
	} catch {
		return undefined;
	}
}
