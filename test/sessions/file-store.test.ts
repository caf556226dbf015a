import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileSessionStore, type SessionRecord } from '@luwte/engine/session';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { record, sessionStoreSuite, T0 } from './store-suite.ts';

// The embedded store: `<dataDir>/sessions/sessions.jsonl`.
const dirs: string[] = [];
afterAll(() => {
	for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
function tempDir(): string {
	const dir = mkdtempSync(join(tmpdir(), 'luwte-sessions-'));
	dirs.push(dir);
	return dir;
}
const fileOf = (dir: string) => join(dir, 'sessions', 'sessions.jsonl');
const linesOf = (dir: string) => readFileSync(fileOf(dir), 'utf8').split('\n').filter(Boolean);

sessionStoreSuite('embedded file', {
	async fresh() {
		const dir = tempDir();
		return {
			async open() {
				const store = await FileSessionStore.open(dir);
				// Every line on disk is one whole record, also after a compaction.
				for (const line of linesOf(dir)) JSON.parse(line);
				expect(store.skippedAtOpen).toBe(0);
				return store;
			},
		};
	},
});

describe('session store: embedded file, on disk', () => {
	const open: FileSessionStore[] = [];
	async function openStore(dir: string, opts?: Parameters<typeof FileSessionStore.open>[1]) {
		const s = await FileSessionStore.open(dir, opts);
		open.push(s);
		return s;
	}
	afterEach(async () => {
		for (const s of open.splice(0)) await s.close();
	});

	it('cuts a torn last line (a crash mid-write) and writes whole lines after it', async () => {
		const dir = tempDir();
		let store = await openStore(dir);
		await store.put(record('s_1', { startsAt: T0 }));
		await store.put(record('s_2', { startsAt: T0 + 1000 }));
		await store.close();
		// The crash: half of a newer revision of s_2 reached the disk, without its newline.
		const torn = JSON.stringify(record('s_2', { startsAt: T0 + 1000, state: 'cancelled', revision: 1 }));
		appendFileSync(fileOf(dir), torn.slice(0, 40));
		store = await openStore(dir);
		// Cut, not counted as a bad line: it was never acknowledged.
		expect(store.skippedAtOpen).toBe(0);
		expect((await store.get('zorg-a', 's_2'))!.state).toBe('scheduled');
		expect(readFileSync(fileOf(dir), 'utf8').endsWith('}\n')).toBe(true);
		await store.put(record('s_3', { startsAt: T0 + 2000 }));
		await store.close();
		store = await openStore(dir);
		expect(store.skippedAtOpen).toBe(0);
		expect((await store.list('zorg-a')).sessions.map((r) => r.id)).toEqual(['s_1', 's_2', 's_3']);
		for (const line of linesOf(dir)) JSON.parse(line);
	});

	it('skips a garbage line in the middle (counted in skippedAtOpen) and keeps everything around it', async () => {
		const dir = tempDir();
		let store = await openStore(dir);
		await store.put(record('s_1', { startsAt: T0 }));
		await store.close();
		appendFileSync(fileOf(dir), 'not json at all\n');
		// Valid JSON, but not a session record.
		appendFileSync(fileOf(dir), `${JSON.stringify({ id: 's_x', state: 'paused' })}\n`);
		appendFileSync(fileOf(dir), `${JSON.stringify(record('s_2', { startsAt: T0 + 1000 }))}\n`);
		store = await openStore(dir);
		expect(store.skippedAtOpen).toBe(2);
		expect((await store.list('zorg-a')).sessions.map((r) => r.id)).toEqual(['s_1', 's_2']);
		expect(await store.get('zorg-a', 's_x')).toBeUndefined();
		// The compaction at open dropped the garbage: the next open finds none.
		expect(linesOf(dir)).toHaveLength(2);
		await store.close();
		store = await openStore(dir);
		expect(store.skippedAtOpen).toBe(0);
		expect((await store.list('zorg-a')).sessions.map((r) => r.id)).toEqual(['s_1', 's_2']);
	});

	it('compacts at open: one line per session, its newest revision (whatever order the lines were in)', async () => {
		const dir = tempDir();
		let store = await openStore(dir);
		const newest = new Map<string, SessionRecord>();
		for (let rev = 0; rev < 5; rev++) {
			await Promise.all(
				Array.from({ length: 40 }, (_, i) => {
					const r = record(`s_${i}`, { startsAt: T0 + i * 1000, title: `versie ${rev}`, revision: rev });
					newest.set(r.id, r);
					return store.put(r);
				}),
			);
		}
		// A stale write that arrived last.
		await store.put(record('s_0', { startsAt: T0, title: 'te laat', revision: 1 }));
		expect(linesOf(dir)).toHaveLength(201);
		await store.close();
		store = await openStore(dir);
		const lines = linesOf(dir).map((l) => JSON.parse(l) as SessionRecord);
		expect(lines).toHaveLength(40);
		expect(new Set(lines.map((r) => r.id)).size).toBe(40);
		for (const r of lines) expect(r).toEqual(newest.get(r.id));
		expect((await store.get('zorg-a', 's_0'))!.title).toBe('versie 4');
		// Nothing left to compact: a second open leaves the file as it is.
		const before = readFileSync(fileOf(dir), 'utf8');
		await store.close();
		store = await openStore(dir);
		expect(readFileSync(fileOf(dir), 'utf8')).toBe(before);
	});

	it('drops ended and cancelled sessions past their retention at open, never active ones', async () => {
		const dir = tempDir();
		const day = 86_400_000;
		let store = await openStore(dir);
		await store.put(record('s_old_ended', { createdAt: T0 - 500 * day, state: 'ended', endedAt: T0 - 450 * day }));
		await store.put(record('s_recent_ended', { createdAt: T0 - 20 * day, state: 'ended', endedAt: T0 - 10 * day }));
		await store.put(record('s_old_cancelled', { createdAt: T0 - 500 * day, state: 'cancelled' }));
		await store.put(record('s_old_scheduled', { createdAt: T0 - 500 * day }));
		await store.close();
		store = await openStore(dir, { now: () => T0, retentionDays: 400 });
		expect((await store.list('zorg-a')).sessions.map((r) => r.id).sort()).toEqual(['s_old_scheduled', 's_recent_ended']);
		expect(linesOf(dir)).toHaveLength(2);
	});

	it('opens an empty data directory, and a file with only a torn line', async () => {
		const dir = tempDir();
		let store = await openStore(dir);
		expect((await store.list('zorg-a')).sessions).toEqual([]);
		await store.close();
		writeFileSync(fileOf(dir), '{"id":"s_1","ten');
		store = await openStore(dir);
		expect(store.skippedAtOpen).toBe(0);
		expect((await store.list('zorg-a')).sessions).toEqual([]);
		expect(readFileSync(fileOf(dir), 'utf8')).toBe('');
	});
});
