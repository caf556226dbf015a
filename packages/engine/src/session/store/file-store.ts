import { join } from 'node:path';
import { Journal } from '../../storage/journal.ts';
import { MemorySessionStore } from './memory-store.ts';
import { isActive, sessionRecordSchema, type SessionRecord } from './record.ts';

export interface FileSessionStoreOptions {
	/** Ended and cancelled sessions are dropped this long after their end (days; default 400: a year of billing questions). */
	retentionDays?: number;
	now?: () => number;
}

/**
 * The embedded session store: `<dataDir>/sessions/sessions.jsonl`, one line per write (the whole
 * record), the newest revision of a session wins. Every write is fsync'd before it resolves
 * (group commit). At open the file is read into memory and compacted (one line per session,
 * sessions past their retention dropped), atomically. 20,000 sessions are about 8 MB on disk.
 */
export class FileSessionStore extends MemorySessionStore {
	readonly #journal: Journal;
	/** Complete lines that did not parse at open (skipped, reported by the host). */
	readonly skippedAtOpen: number;

	private constructor(journal: Journal, skipped: number) {
		super();
		this.#journal = journal;
		this.skippedAtOpen = skipped;
	}

	static async open(dataDir: string, opts: FileSessionStoreOptions = {}): Promise<FileSessionStore> {
		const { journal, lines } = await Journal.open(join(dataDir, 'sessions', 'sessions.jsonl'));
		const records = lines.map(parse);
		const store = new FileSessionStore(journal, records.filter((r) => r === undefined).length);
		for (const r of records) if (r) store.apply(r);
		const cutoff = (opts.now ?? Date.now)() - (opts.retentionDays ?? 400) * 86_400_000;
		const expired = new Set([...store.all()].filter((r) => !isActive(r) && (r.endedAt ?? r.createdAt) < cutoff).map((r) => r.id));
		store.remove(expired);
		const kept = [...store.all()];
		if (kept.length < lines.length) await journal.rewrite(kept.map((r) => JSON.stringify(r)));
		return store;
	}

	override get durable(): boolean {
		return true;
	}

	override async put(record: SessionRecord): Promise<void> {
		const r = sessionRecordSchema.parse(record);
		// Durable first: memory shows only what a restart would show too.
		await this.#journal.append([JSON.stringify(r)]);
		this.apply(r);
	}

	override async close(): Promise<void> {
		await this.#journal.close();
	}
}

function parse(line: string): SessionRecord | undefined {
	try {
		const r = sessionRecordSchema.safeParse(JSON.parse(line));
		return r.success ? r.data : undefined;
	} catch {
		return undefined;
	}
}
