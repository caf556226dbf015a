import { randomBytes } from 'node:crypto';
import { link, open, readFile, rename, stat, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { messageOf } from '@luwte/errors';
import { EngineError } from '../../errors.ts';
import type { Logger } from '../../log/logger.ts';
import { type Owner, ownerGone } from './owner.ts';

/** The lock file inside an item's folder. */
export const LOCK_FILE = '.lock';

export interface ItemLockOptions {
	/** Who takes it: this host and process. */
	owner: Owner;
	/** A lock older than this is taken over: its holder died (default 30 s; a change takes milliseconds). */
	ttlMs?: number;
	/** How long to wait for a held lock before refusing with `conflict` (default 10 s). */
	waitMs?: number;
	now?: () => number;
	log?: Logger;
}

interface LockBody extends Owner {
	token: string;
	expiresAt: number;
}

const DEFAULT_TTL_MS = 30_000;
const DEFAULT_WAIT_MS = 10_000;
/** Whatever the clock says, a wait never tries more often than this. */
const MAX_ATTEMPTS = 200;

/**
 * One writer at a time for an item folder, across processes and hosts sharing the library
 * folder: a lock file `items/<id>/.lock` holding its owner, a random token and an expiry.
 *
 * Why a lock file and not compare-and-rename: `rename` replaces unconditionally, so a version
 * check before it still lets two hosts that read the same version both write. The lock is made
 * by writing its content to a temporary file and `link`ing it to `.lock`: `link` fails with
 * EEXIST when the name exists, atomically on local filesystems and on NFS (where `O_EXCL` was
 * not atomic before NFSv3), and the lock appears with its content, so a reader never finds it
 * empty. A holder that dies leaves the lock until it expires (or, when it was a process of this
 * same host, until this host sees that process gone); then the next writer moves it aside and
 * checks that it moved that one. The expiry compares host clocks: they must
 * agree to well under the TTL (NTP). A holder checks its own expiry before it writes
 * (`assertHeld`), so a stalled host does not write after another took over.
 */
export class ItemLock {
	readonly #path: string;
	readonly #token: string;
	readonly #expiresAt: number;
	readonly #now: () => number;

	private constructor(path: string, token: string, expiresAt: number, now: () => number) {
		this.#path = path;
		this.#token = token;
		this.#expiresAt = expiresAt;
		this.#now = now;
	}

	/**
	 * Takes the lock of the item folder `dir`, waiting while another holds it. Rejects with
	 * `not_found` when the folder is gone (deleted meanwhile) and `conflict` when the wait ends.
	 */
	static async acquire(dir: string, opts: ItemLockOptions): Promise<ItemLock> {
		const now = opts.now ?? Date.now;
		const ttl = opts.ttlMs ?? DEFAULT_TTL_MS;
		const deadline = now() + (opts.waitMs ?? DEFAULT_WAIT_MS);
		const path = join(dir, LOCK_FILE);
		for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
			const body: LockBody = { ...opts.owner, token: randomBytes(12).toString('base64url'), expiresAt: now() + ttl };
			if (await tryCreate(path, body)) return new ItemLock(path, body.token, body.expiresAt, now);
			const held = await readLock(path);
			if (held !== undefined && (held.expiresAt < now() || ownerGone(held, opts.owner))) {
				opts.log?.warn('library.lock_taken_over', { host: held.host, pid: held.pid });
				await takeAway(path, held.token);
				continue;
			}
			if (now() >= deadline) break;
			// Short first waits (a change takes milliseconds), with jitter so two hosts do not retry in step.
			await delay(Math.min(5 * 2 ** attempt, 200) * (0.5 + Math.random()));
		}
		throw new EngineError('conflict', 'another host is changing this library item right now; try again');
	}

	/** Throws `conflict` when the lock may have expired: another host may have taken it over. */
	assertHeld(): void {
		// A margin for the write that follows (temporary file, fsync, rename).
		if (this.#now() > this.#expiresAt - 5_000) {
			throw new EngineError('conflict', 'this change of a library item took too long; try again');
		}
	}

	/** Removes the lock if it is still ours (a folder deleted under it took the lock with it). */
	async release(log?: Logger): Promise<void> {
		const held = await readLock(this.#path);
		if (held?.token !== this.#token) {
			if (held !== undefined) log?.warn('library.lock_lost', { host: held.host, pid: held.pid });
			return;
		}
		await unlink(this.#path).catch((err: unknown) => {
			if ((err as NodeJS.ErrnoException).code !== 'ENOENT') log?.warn('library.lock_left', { error: messageOf(err) });
		});
	}
}

/** True when `path` was created with `body`; false when another lock is there. */
async function tryCreate(path: string, body: LockBody): Promise<boolean> {
	const tmp = `${path}.${body.token}`;
	let fh: Awaited<ReturnType<typeof open>>;
	try {
		fh = await open(tmp, 'wx', 0o600);
	} catch (err) {
		if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new EngineError('not_found', 'this library item is gone');
		throw err;
	}
	try {
		await fh.writeFile(JSON.stringify(body), 'utf8');
	} finally {
		await fh.close();
	}
	try {
		await link(tmp, path);
		return true;
	} catch (err) {
		const code = (err as NodeJS.ErrnoException).code;
		if (code === 'EEXIST') return false;
		// The folder is gone (deleted), or only our temporary file (removed as a leftover by a host
		// opening the library while it holds the lock): then this is just another try.
		if (code === 'ENOENT') {
			if ((await stat(dirname(path)).catch(() => undefined)) === undefined)
				throw new EngineError('not_found', 'this library item is gone');
			return false;
		}
		throw err;
	} finally {
		await unlink(tmp).catch(() => undefined); // gone with a deleted folder, or never made
	}
}

async function readLock(path: string): Promise<LockBody | undefined> {
	try {
		const body = JSON.parse(await readFile(path, 'utf8')) as Partial<LockBody>;
		if (typeof body.token === 'string' && typeof body.expiresAt === 'number') {
			return { host: String(body.host), pid: Number(body.pid), token: body.token, expiresAt: body.expiresAt };
		}
	} catch {
		// Released meanwhile, or not a lock of ours: treated as free (the next create decides).
	}
	return undefined;
}

/**
 * Removes an expired lock. Renaming it aside first and reading what was moved tells whether it
 * was the expired one: another writer may have taken it over and locked anew in between, and
 * that fresh lock is put back.
 */
async function takeAway(path: string, expiredToken: string): Promise<void> {
	const aside = `${path}.expired-${randomBytes(6).toString('hex')}`;
	try {
		await rename(path, aside);
	} catch (err) {
		if ((err as NodeJS.ErrnoException).code === 'ENOENT') return; // released, or taken away by another
		throw err;
	}
	const moved = await readLock(aside);
	if (moved !== undefined && moved.token !== expiredToken) await link(aside, path).catch(() => undefined);
	await unlink(aside).catch(() => undefined);
}
