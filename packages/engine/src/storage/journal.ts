import { mkdir, open, rename, rm, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { EngineError } from '../errors.ts';

/**
 * A durable JSON-lines file for small state that must survive a crash (the session programme):
 * `append` resolves once its lines are on disk (write + fdatasync); appends arriving together
 * share one write and one sync (group commit). `rewrite` replaces the whole file atomically
 * (temporary file, fsync, rename, fsync of the folder), so a crash leaves the old file or the new
 * one, never a mix. At open a torn last line (a crash mid-write) is cut off.
 *
 * The attendance ledger (attendance/event-log.ts) predates this and keeps its own writer, which
 * also de-duplicates event IDs and replays from disk.
 */
export class Journal {
	readonly path: string;
	#fh: FileHandle;
	#queue: { text: string; resolve: () => void; reject: (err: unknown) => void }[] = [];
	#flushing: Promise<void> | undefined;
	#failed: unknown;
	#closed = false;
	/** Set while `rewrite` swaps the file: appends wait for it, so none lands in the replaced file. */
	#rewriting: Promise<void> | undefined;

	private constructor(path: string, fh: FileHandle) {
		this.path = path;
		this.#fh = fh;
	}

	/** Opens (creating) the file; returns the journal and its complete lines. */
	static async open(path: string): Promise<{ journal: Journal; lines: string[] }> {
		await mkdir(dirname(path), { recursive: true });
		// A rewrite that crashed before its rename left only the temporary file: the old one is whole.
		await rm(`${path}.rewrite`, { force: true });
		const fh = await open(path, 'a+', 0o600);
		try {
			const data = await fh.readFile();
			const end = data.lastIndexOf(0x0a) + 1;
			if (end < data.length) {
				await fh.truncate(end);
				await fh.sync();
			}
			const lines = data
				.subarray(0, end)
				.toString('utf8')
				.split('\n')
				.filter((l) => l !== '');
			return { journal: new Journal(path, fh), lines };
		} catch (err) {
			await fh.close();
			throw err;
		}
	}

	/** Appends lines (without their newline); resolves once they are durable. */
	append(lines: readonly string[]): Promise<void> {
		if (this.#closed) return Promise.reject(new EngineError('unavailable', `${this.path} is closed`));
		if (this.#failed !== undefined) return Promise.reject(this.#unwritable());
		const text = lines.map((l) => `${l}\n`).join('');
		const done = new Promise<void>((resolve, reject) => this.#queue.push({ text, resolve, reject }));
		this.#flushing ??= this.#flush();
		return done;
	}

	/** Replaces the whole file with these lines, atomically; appends wait for it. */
	async rewrite(lines: readonly string[]): Promise<void> {
		while (this.#rewriting !== undefined) await this.#rewriting.catch(() => undefined);
		await this.#idle();
		const swap = this.#swap(lines);
		this.#rewriting = swap;
		try {
			await swap;
		} finally {
			this.#rewriting = undefined;
		}
	}

	async #swap(lines: readonly string[]): Promise<void> {
		const tmp = `${this.path}.rewrite`;
		const out = await open(tmp, 'w', 0o600);
		try {
			await writeAll(out, Buffer.from(lines.map((l) => `${l}\n`).join(''), 'utf8'));
			await out.sync();
		} finally {
			await out.close();
		}
		await rename(tmp, this.path);
		await syncDir(dirname(this.path));
		const old = this.#fh;
		this.#fh = await open(this.path, 'a+', 0o600);
		await old.close();
	}

	async close(): Promise<void> {
		if (this.#closed) return;
		this.#closed = true;
		await this.#idle();
		await this.#fh.close();
	}

	async #idle(): Promise<void> {
		while (this.#flushing !== undefined) await this.#flushing;
	}

	async #flush(): Promise<void> {
		// Appends made in the same tick join the first batch.
		await new Promise<void>((resolve) => setImmediate(resolve));
		while (this.#rewriting !== undefined) await this.#rewriting.catch(() => undefined);
		while (this.#queue.length > 0) {
			const batch = this.#queue;
			this.#queue = [];
			try {
				if (this.#failed !== undefined) throw this.#failed;
				await writeAll(this.#fh, Buffer.from(batch.map((b) => b.text).join(''), 'utf8'));
				await this.#fh.datasync();
				for (const b of batch) b.resolve();
			} catch (err) {
				// The file may end in a partial batch now (the next open cuts it off); nothing more
				// can be promised durable until the process restarts.
				this.#failed ??= err;
				for (const b of [...batch, ...this.#queue]) b.reject(this.#unwritable());
				this.#queue = [];
			}
		}
		this.#flushing = undefined;
	}

	#unwritable(): EngineError {
		return new EngineError('unavailable', `${this.path} could not be written; restart the host`, { cause: this.#failed });
	}
}

async function writeAll(fh: FileHandle, bytes: Buffer): Promise<void> {
	let written = 0;
	while (written < bytes.length) written += (await fh.write(bytes, written)).bytesWritten;
}

async function syncDir(dir: string): Promise<void> {
	const fh = await open(dir, 'r');
	try {
		await fh.sync();
	} finally {
		await fh.close();
	}
}
