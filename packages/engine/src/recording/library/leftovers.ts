import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { messageOf } from '@luwte/errors';
import type { Logger } from '../../log/logger.ts';
import { libraryItemIdSchema } from './item.ts';
import { ITEM_FILE } from './item-index.ts';
import { type ItemLock, LOCK_FILE } from './item-lock.ts';
import type { Owner } from './owner.ts';
import { isStaleStaging } from './staging.ts';

/**
 * Removes what interrupted adds, deletes and writes left in `items/`, and only that: another host
 * sharing the folder may be filling its own `.incoming-` folder or writing an item right now.
 * Nothing here is needed for correctness; what cannot go now is tried again at the next open.
 */
export async function removeLeftovers(
	itemsDir: string,
	opts: { owner: Owner; now: number; log: Logger; tryLock: (itemId: string) => Promise<ItemLock | undefined> },
): Promise<void> {
	const warn = (what: string) => (err: unknown) => opts.log.warn('library.leftover_kept', { what, error: messageOf(err) });
	for (const entry of await readdir(itemsDir, { withFileTypes: true })) {
		const path = join(itemsDir, entry.name);
		if (entry.name.startsWith('.trash-')) {
			// A delete that did not finish: the item is gone already (another host may be removing it too).
			await rm(path, { recursive: true, force: true }).catch(warn(entry.name));
			continue;
		}
		if (entry.name.startsWith('.incoming-')) {
			const stale = await isStaleStaging(path, opts.owner, opts.now).catch(() => false);
			if (stale) await rm(path, { recursive: true, force: true }).catch(warn(entry.name));
			continue;
		}
		if (!entry.isDirectory() || !libraryItemIdSchema.safeParse(entry.name).success) continue;
		const names = await readdir(path).catch(() => [] as string[]);
		const temps = names.filter((f) => f.startsWith(`.${ITEM_FILE}.tmp-`) || f.startsWith(`${LOCK_FILE}.`));
		if (temps.length === 0) continue;
		// Temporary files of item.json are written only under the item's lock: holding it, none is
		// in use. A lock busy now is someone's write in progress; its leftovers wait for the next open.
		const lock = await opts.tryLock(entry.name);
		if (lock === undefined) continue;
		try {
			for (const f of temps) await rm(join(path, f), { force: true }).catch(warn(f));
		} finally {
			await lock.release(opts.log);
		}
	}
}
