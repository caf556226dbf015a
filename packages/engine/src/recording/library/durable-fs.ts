import { randomBytes } from 'node:crypto';
import { copyFile, open, rename, rm, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { messageOf } from '@luwte/errors';
import type { Logger } from '../../log/logger.ts';

/**
 * Small durable-filesystem steps. A rename is atomic, but only an fsync of the file (its data)
 * and of the folder (the new name) makes it survive a power cut; without them a crash can leave
 * an empty or missing file under the new name.
 */

export async function fsyncPath(path: string): Promise<void> {
	const fh = await open(path, 'r');
	try {
		await fh.sync();
	} finally {
		await fh.close();
	}
}

/**
 * Writes `data` to `path` so that after a crash the path holds either the old or the new content.
 * `log`: where a temporary file that could not be removed is reported (the library removes such
 * files when it next opens).
 */
export async function writeFileAtomic(path: string, data: string, log?: Logger): Promise<void> {
	const tmp = join(dirname(path), `.${basename(path)}.tmp-${randomBytes(6).toString('hex')}`);
	const fh = await open(tmp, 'wx', 0o600);
	try {
		await fh.writeFile(data, 'utf8');
		await fh.sync();
	} finally {
		await fh.close();
	}
	try {
		await rename(tmp, path);
	} catch (err) {
		// `force`: already gone is fine (the failed rename may have been a folder removed under it).
		await rm(tmp, { force: true }).catch((cleanup: unknown) =>
			log?.warn('library.temp_file_left', { file: basename(tmp), error: messageOf(cleanup) }),
		);
		throw err;
	}
	await fsyncPath(dirname(path));
}

/** Moves a file (or copies it when `keep`), across filesystems too, and makes its data durable. */
export async function moveFileDurably(from: string, to: string, keep: boolean): Promise<void> {
	if (!keep) {
		try {
			await rename(from, to);
			await fsyncPath(to);
			return;
		} catch (err) {
			if ((err as NodeJS.ErrnoException).code !== 'EXDEV') throw err;
		}
	}
	await copyFile(from, to);
	await fsyncPath(to);
	// The source goes only once the copy is on disk.
	if (!keep) await unlink(from);
}
