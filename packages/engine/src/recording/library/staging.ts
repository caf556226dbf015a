import { mkdir, readdir, readFile, stat, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type Owner, ownerGone } from './owner.ts';

/** Inside a staging folder: who is filling it. */
const OWNER_FILE = '.owner.json';

/** A staging folder untouched this long belongs to nobody any more, whoever made it. */
export const STALE_STAGING_MS = 3_600_000;

/**
 * Makes a staging folder (`.incoming-…`) where an item's files are gathered before they are
 * renamed into place, marked with its owner so that another host opening the library leaves it
 * alone while it is being filled.
 */
export async function makeStaging(path: string, owner: Owner): Promise<void> {
	await mkdir(path);
	await writeFile(join(path, OWNER_FILE), JSON.stringify({ ...owner, at: Date.now() }));
}

/** Removes the owner mark before the folder becomes an item's. */
export async function unmarkStaging(path: string): Promise<void> {
	await unlink(join(path, OWNER_FILE)).catch((err: unknown) => {
		if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
	});
}

/**
 * Whether a staging folder is a leftover that may go: one of this machine's processes made it
 * and that process is gone (a crash and restart), or nothing in it changed for an hour (a host
 * that died, or a folder from before owners were written). A copy in progress keeps changing
 * its file, so a slow copy of a long recording onto a network share stays fresh.
 */
export async function isStaleStaging(path: string, self: Owner, now: number): Promise<boolean> {
	const owner = await readOwner(path);
	if (owner !== undefined && ownerGone(owner, self)) return true;
	let newest = (await stat(path)).mtimeMs;
	for (const name of await readdir(path)) {
		const st = await stat(join(path, name)).catch(() => undefined);
		if (st !== undefined) newest = Math.max(newest, st.mtimeMs);
	}
	return now - newest > STALE_STAGING_MS;
}

async function readOwner(path: string): Promise<Owner | undefined> {
	try {
		const o = JSON.parse(await readFile(join(path, OWNER_FILE), 'utf8')) as Partial<Owner>;
		return typeof o.host === 'string' && typeof o.pid === 'number' ? { host: o.host, pid: o.pid } : undefined;
	} catch {
		return undefined;
	}
}
