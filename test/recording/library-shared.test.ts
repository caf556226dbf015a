import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EngineError } from '@luwte/engine';
import { AttendanceLog } from '@luwte/engine/attendance';
import { type AddItemInput, Library, type LibraryOptions } from '@luwte/engine/library';
import { afterAll, describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/wait.ts';

/**
 * Several hosts on one library folder: each host is a Library with its own host name and its own
 * data directory (attendance), sharing only `dir`, as hosts sharing an NFS mount do.
 */
const dirs: string[] = [];
const logs: AttendanceLog[] = [];
afterAll(async () => {
	for (const l of logs) await l.close();
	for (const d of dirs) await rm(d, { recursive: true, force: true });
});

async function tempDir(prefix: string): Promise<string> {
	const d = await mkdtemp(join(tmpdir(), prefix));
	dirs.push(d);
	return d;
}

async function openHost(libraryDir: string, hostId: string, extra: Partial<LibraryOptions> = {}): Promise<Library> {
	const dataDir = await tempDir(`luwte-${hostId}-`);
	const attendance = await AttendanceLog.open(dataDir);
	logs.push(attendance);
	return Library.open(dataDir, { attendance, dir: libraryDir, hostId, ...extra });
}

async function item(title: string, extra: Partial<AddItemInput> = {}): Promise<AddItemInput> {
	const sourceDir = await tempDir('luwte-pp-');
	await writeFile(join(sourceDir, 'final.mp4'), `video of ${title}`);
	return {
		tenantId: 'zorg-a',
		title,
		module: 'fit-en-vitaal',
		durationSeconds: 600,
		recordedAt: Date.parse('2026-11-20T10:00:00Z'),
		sourceDir,
		media: 'final.mp4',
		...extra,
	};
}

async function codeOf(p: Promise<unknown>): Promise<string> {
	try {
		await p;
	} catch (err) {
		if (err instanceof EngineError) return err.code;
		throw err;
	}
	return 'resolved';
}

/** The ID of a process that has ended. */
async function deadPid(): Promise<number> {
	const child = spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' });
	await new Promise((resolve) => child.once('exit', resolve));
	return child.pid!;
}

const ids = async (library: Library) => (await library.list('zorg-a')).map((i) => i.id).sort();

describe('library folder shared by several hosts', () => {
	it('shows what another host adds, changes and deletes, without a restart', async () => {
		const shared = await tempDir('luwte-shared-');
		const a = await openHost(shared, 'host-a');
		const b = await openHost(shared, 'host-b');
		expect(await b.list('zorg-a')).toEqual([]);

		const added = await a.addItem(await item('Stoelyoga'));
		// One item: from disk at once (a link host A handed out works on host B).
		expect(await b.get('zorg-a', added.id)).toEqual(added);
		expect(await readFile(b.filePath(await b.get('zorg-a', added.id), 'media')!, 'utf8')).toBe('video of Stoelyoga');
		// Lists: within the refresh bound (2 s by default).
		await waitFor(async () => (await ids(b)).includes(added.id), 30_000, "host B's list shows host A's item");
		expect((await b.modules('zorg-a')).find((m) => m.module === 'fit-en-vitaal')?.total).toBe(1);

		const renamed = await b.update('zorg-a', added.id, { title: 'Stoelyoga voor iedereen' });
		expect((await a.get('zorg-a', added.id)).title).toBe('Stoelyoga voor iedereen');
		await waitFor(async () => (await a.list('zorg-a'))[0]?.title === renamed.title, 30_000, "host A's list shows host B's title");
		expect((await a.unpublish('zorg-a', added.id)).status).toBe('unpublished');
		expect((await b.get('zorg-a', added.id)).status).toBe('unpublished');

		await b.delete('zorg-a', added.id);
		expect(await codeOf(a.get('zorg-a', added.id))).toBe('not_found');
		expect(await codeOf(a.update('zorg-a', added.id, { title: 'Weg' }))).toBe('not_found');
		await waitFor(async () => (await ids(a)).length === 0, 30_000, "host A's list drops the item host B deleted");
		expect(await readdir(join(shared, 'items'))).toEqual([]);
	});

	it('loses no change when two hosts change one item at the same time', async () => {
		const shared = await tempDir('luwte-shared-');
		const a = await openHost(shared, 'host-a');
		const b = await openHost(shared, 'host-b');
		const it1 = await a.addItem(await item('Wandelen'));
		// Each round both hosts read-modify-write item.json at once, each its own field: without the
		// lock one host writes over the other's change with the version both read.
		for (let n = 0; n < 25; n++) {
			await Promise.all([
				a.update('zorg-a', it1.id, { title: `titel ${n}` }),
				b.update('zorg-a', it1.id, { description: `beschrijving ${n}` }),
				n % 5 === 0 ? b.unpublish('zorg-a', it1.id).then(() => a.publish('zorg-a', it1.id)) : Promise.resolve(),
			]);
			const seen = await b.get('zorg-a', it1.id);
			expect({ title: seen.title, description: seen.description, status: seen.status }).toEqual({
				title: `titel ${n}`,
				description: `beschrijving ${n}`,
				status: 'published',
			});
		}
		// No lock or temporary file is left behind.
		expect((await readdir(join(shared, 'items', it1.id))).sort()).toEqual(['item.json', 'media.mp4']);
	});

	it('refuses with conflict while another host holds the item, and takes over a dead holder', async () => {
		const shared = await tempDir('luwte-shared-');
		const a = await openHost(shared, 'host-a', { lockWaitMs: 300 });
		const it1 = await a.addItem(await item('Koken'));
		const lock = join(shared, 'items', it1.id, '.lock');
		// Another host is in the middle of a change (its lock has not expired).
		await writeFile(lock, JSON.stringify({ host: 'host-c', pid: 4242, token: 'other', expiresAt: Date.now() + 60_000 }));
		const refused = await a.update('zorg-a', it1.id, { title: 'Bakken' }).catch((e: EngineError) => e);
		expect(refused).toBeInstanceOf(EngineError);
		expect(refused).toMatchObject({ code: 'conflict' });
		expect((await a.get('zorg-a', it1.id)).title).toBe('Koken');
		// That host died: its lock expired and is taken over.
		await writeFile(lock, JSON.stringify({ host: 'host-c', pid: 4242, token: 'other', expiresAt: Date.now() - 1 }));
		expect((await a.update('zorg-a', it1.id, { title: 'Bakken' })).title).toBe('Bakken');
		// A lock of this host's own earlier process (crashed, restarted): taken over at once.
		await writeFile(
			lock,
			JSON.stringify({ host: 'host-a', pid: await deadPid(), token: 'mine-before', expiresAt: Date.now() + 60_000 }),
		);
		expect((await a.update('zorg-a', it1.id, { title: 'Braden' })).title).toBe('Braden');
		expect(await readdir(join(shared, 'items', it1.id))).not.toContain('.lock');
	});

	it("leaves another host's add in progress alone when it opens, and removes only leftovers", async () => {
		const shared = await tempDir('luwte-shared-');
		const a = await openHost(shared, 'host-a');
		const kept = await a.addItem(await item('Zingen'));
		const itemsDir = join(shared, 'items');
		const incoming = (name: string) => join(itemsDir, `.incoming-li_${name.padEnd(22, 'A')}`);
		const stage = async (name: string, owner: { host: string; pid: number } | undefined, ageMs = 0) => {
			await mkdir(incoming(name));
			await writeFile(join(incoming(name), 'media.mp4'), 'part of a video');
			if (owner) await writeFile(join(incoming(name), '.owner.json'), JSON.stringify({ ...owner, at: Date.now() - ageMs }));
			if (ageMs > 0) {
				const then = new Date(Date.now() - ageMs);
				await utimes(join(incoming(name), 'media.mp4'), then, then);
				if (owner) await utimes(join(incoming(name), '.owner.json'), then, then);
				await utimes(incoming(name), then, then);
			}
		};
		// Host C is copying a recording in right now (its process runs elsewhere: it cannot be checked from here).
		await stage('fresh', { host: 'host-c', pid: 999_999 });
		// Host C started one two hours ago and never finished: it died.
		await stage('old', { host: 'host-c', pid: 999_999 }, 2 * 3_600_000);
		// This host's own earlier process crashed mid-add (same host name, process gone).
		await stage('crashed', { host: 'host-b', pid: await deadPid() });
		// From before owners were written, recent: kept (an hour decides).
		await stage('unowned', undefined);
		// A process of this host that runs (this test's own): kept.
		await stage('running', { host: 'host-b', pid: process.pid });

		const b = await openHost(shared, 'host-b');
		const left = (await readdir(itemsDir)).sort();
		expect(left).toEqual([kept.id, ...['fresh', 'unowned', 'running'].map((n) => incoming(n).slice(itemsDir.length + 1))].sort());
		// Staging folders are never listed as items.
		expect(await ids(b)).toEqual([kept.id]);
	});

	it('completes on one host an item another host lists as processing, copying across filesystems', async () => {
		// The library on another filesystem than the post-processor's folder (tmpfs here, a network
		// share in a cluster): the media is copied and synced, then its source removed.
		const shared = existsSync('/dev/shm') ? await mkdtemp('/dev/shm/luwte-shared-') : await tempDir('luwte-shared-');
		if (!dirs.includes(shared)) dirs.push(shared);
		const a = await openHost(shared, 'host-a');
		const b = await openHost(shared, 'host-b');
		const p = await a.createProcessing({
			tenantId: 'zorg-a',
			title: 'Tuinieren',
			module: 'vaardig-en-creatief',
			recordedAt: Date.now(),
		});
		expect((await b.get('zorg-a', p.id)).status).toBe('processing');
		const source = await item('Tuinieren');
		const done = await a.complete('zorg-a', p.id, { sourceDir: source.sourceDir, media: 'final.mp4', durationSeconds: 321 });
		expect(done).toMatchObject({ status: 'published', durationSeconds: 321, files: { media: `items/${p.id}/media.mp4` } });
		const seen = await b.get('zorg-a', p.id);
		expect(seen).toEqual(done);
		expect(await readFile(b.filePath(seen, 'media')!, 'utf8')).toBe('video of Tuinieren');
		expect(await readdir(source.sourceDir)).toEqual([]);
		// A second completion is refused on the other host too, and gives the post-processor its file back.
		const again = await item('Tuinieren opnieuw');
		expect(await codeOf(b.complete('zorg-a', p.id, { sourceDir: again.sourceDir, media: 'final.mp4', durationSeconds: 1 }))).toBe(
			'conflict',
		);
		expect(await readdir(again.sourceDir)).toEqual(['final.mp4']);
		expect((await readdir(join(shared, 'items'))).filter((n) => n.startsWith('.'))).toEqual([]);
	});
});
