import { spawn } from 'node:child_process';
import { appendFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { EngineError } from '@luwte/engine';
import { AttendanceLog, type AttendanceEvent } from '@luwte/engine/attendance';
import { Library, type AddItemInput } from '@luwte/engine/library';
import { afterAll, describe, expect, it } from 'vitest';

const dirs: string[] = [];
afterAll(async () => {
	for (const d of dirs) await rm(d, { recursive: true, force: true });
});

async function tempDir(prefix: string): Promise<string> {
	const d = await mkdtemp(join(tmpdir(), prefix));
	dirs.push(d);
	return d;
}

async function openLibrary(dataDir: string) {
	const attendance = await AttendanceLog.open(dataDir);
	const library = await Library.open(dataDir, { attendance });
	return { attendance, library };
}

/** A post-processor's output folder (the bytes stand in for a video; the library does not decode them). */
async function processed(
	name: string,
	opts: { thumbnail?: boolean } = {},
): Promise<{ sourceDir: string; media: string; thumbnail?: string }> {
	const sourceDir = await tempDir('luwte-pp-');
	await writeFile(join(sourceDir, 'final.mp4'), `video of ${name}`);
	if (opts.thumbnail) await writeFile(join(sourceDir, 'poster.jpg'), `poster of ${name}`);
	return { sourceDir, media: 'final.mp4', ...(opts.thumbnail ? { thumbnail: 'poster.jpg' } : {}) };
}

async function item(tenantId: string, title: string, extra: Partial<AddItemInput> = {}): Promise<AddItemInput> {
	return {
		tenantId,
		title,
		module: 'fit-en-vitaal',
		description: 'Rustig bewegen op muziek',
		durationSeconds: 600,
		recordedAt: Date.parse('2026-11-20T10:00:00Z'),
		...(await processed(title, { thumbnail: true })),
		...extra,
	};
}

/** The ID of a process that has ended. */
async function deadPid(): Promise<number> {
	const child = spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' });
	await new Promise((resolve) => child.once('exit', resolve));
	return child.pid!;
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

async function readEvents(log: AttendanceLog, type?: string): Promise<AttendanceEvent[]> {
	const out: AttendanceEvent[] = [];
	for await (const e of log.replay(type ? { type } : {})) out.push(e);
	return out;
}

describe('library store', () => {
	it('keeps items and their files across a restart, and moves the post-processor output in', async () => {
		const dataDir = await tempDir('luwte-lib-');
		const first = await openLibrary(dataDir);
		const input = await item('zorg-a', 'Stoelyoga');
		const a = await first.library.addItem(input);
		const b = await first.library.addItem(
			await item('zorg-a', 'Geheugentraining', { module: 'communicatie', recordedAt: Date.parse('2026-11-21T10:00:00Z') }),
		);
		const c = await first.library.createProcessing({
			tenantId: 'zorg-a',
			title: 'Tuinieren',
			module: 'vaardig-en-creatief',
			recordedAt: Date.now(),
		});
		expect(a.id).toMatch(/^li_[A-Za-z0-9_-]{22}$/);
		expect(a.id).not.toBe(b.id);
		expect(a).toMatchObject({
			status: 'published',
			title: 'Stoelyoga',
			files: { media: `items/${a.id}/media.mp4`, thumbnail: `items/${a.id}/thumbnail.jpg` },
		});
		expect(a.publishedAt).toBeTypeOf('number');
		// Moved, not copied: the post-processor's folder is empty afterwards.
		expect(await readdir(input.sourceDir)).toEqual([]);
		expect(await readFile(first.library.filePath(a, 'media')!, 'utf8')).toBe('video of Stoelyoga');
		expect(c.status).toBe('processing');
		const before = await first.library.list('zorg-a');
		// Newest recording first.
		expect(before.map((i) => i.title)).toEqual(['Tuinieren', 'Geheugentraining', 'Stoelyoga']);
		await first.attendance.close();

		const second = await openLibrary(dataDir);
		expect(await second.library.list('zorg-a')).toEqual(before);
		expect(second.library.skippedAtOpen).toEqual([]);
		expect(await readFile(second.library.filePath(await second.library.get('zorg-a', b.id), 'thumbnail')!, 'utf8')).toBe(
			'poster of Geheugentraining',
		);
		// Filters.
		expect((await second.library.list('zorg-a', { module: 'communicatie' })).map((i) => i.id)).toEqual([b.id]);
		expect((await second.library.list('zorg-a', { status: 'processing' })).map((i) => i.id)).toEqual([c.id]);
		const counts = await second.library.modules('zorg-a');
		expect(counts.map((m) => m.module)).toEqual([
			'communicatie',
			'eigen-regie',
			'fit-en-vitaal',
			'vaardig-en-creatief',
			'talent-en-ambitie',
		]);
		expect(counts.find((m) => m.module === 'vaardig-en-creatief')).toMatchObject({
			label: 'Vaardig en creatief',
			total: 1,
			byStatus: { processing: 1, published: 0 },
		});
		await second.attendance.close();
	});

	it('shows a recording as processing, then published (or failed) when post-processing ends', async () => {
		const { library, attendance } = await openLibrary(await tempDir('luwte-lib-'));
		const p = await library.createProcessing({
			tenantId: 'zorg-a',
			title: 'Koken',
			module: 'eigen-regie',
			recordedAt: Date.now(),
			sessionId: 's_abc',
		});
		expect(p.files).toBeUndefined();
		const done = await library.complete('zorg-a', p.id, { ...(await processed('Koken')), durationSeconds: 1234.5 });
		expect(done).toMatchObject({
			status: 'published',
			durationSeconds: 1234.5,
			sessionId: 's_abc',
			files: { media: `items/${p.id}/media.mp4` },
		});
		expect(await codeOf(library.complete('zorg-a', p.id, { ...(await processed('Koken')), durationSeconds: 1 }))).toBe('conflict');

		const q = await library.createProcessing({
			tenantId: 'zorg-a',
			title: 'Zingen',
			module: 'talent-en-ambitie',
			recordedAt: Date.now(),
		});
		const failed = await library.markFailed('zorg-a', q.id, 'ffmpeg exited with code 1');
		expect(failed).toMatchObject({ status: 'failed', error: 'ffmpeg exited with code 1' });
		expect(await codeOf(library.publish('zorg-a', q.id))).toBe('conflict');
		await attendance.close();
	});

	it('survives a crash mid-write: earlier items stay whole, half-made ones vanish', async () => {
		const dataDir = await tempDir('luwte-lib-');
		const { library, attendance } = await openLibrary(dataDir);
		const a = await library.addItem(await item('zorg-a', 'Wandelen'));
		await attendance.close();
		const itemsDir = join(dataDir, 'library', 'items');
		// What a crash leaves: a half-written replacement of a's metadata, and an add that never
		// finished, made by this machine's earlier process (gone now).
		await writeFile(join(itemsDir, a.id, '.item.json.tmp-0a1b2c'), '{"id":"li_');
		const incoming = join(itemsDir, '.incoming-li_AAAAAAAAAAAAAAAAAAAAAA');
		await mkdir(incoming);
		await writeFile(join(incoming, 'media.mp4'), 'half a vid');
		await writeFile(join(incoming, '.owner.json'), JSON.stringify({ host: hostname(), pid: await deadPid() }));

		const again = await openLibrary(dataDir);
		expect(await again.library.list('zorg-a')).toEqual([a]);
		expect((await readdir(itemsDir)).sort()).toEqual([a.id]);
		expect((await readdir(join(itemsDir, a.id))).sort()).toEqual(['item.json', 'media.mp4', 'thumbnail.jpg']);
		await again.attendance.close();
	});

	it('loses nothing it confirmed when the process is killed in the middle of writing', async () => {
		const dataDir = await tempDir('luwte-lib-');
		const engineSrc = join(import.meta.dirname, '..', '..', 'packages', 'engine', 'src');
		const attendanceIndex = join(engineSrc, 'attendance', 'index.ts');
		const libraryIndex = join(engineSrc, 'recording', 'library', 'index.ts');
		const srcDir = await tempDir('luwte-pp-');
		// A writer that adds items, renames them over and over and logs watch events, reporting
		// each change once it resolved (= durable); it is killed without warning.
		const writer = `
			import { writeFile } from 'node:fs/promises';
			import { AttendanceLog } from ${JSON.stringify(attendanceIndex)};
			import { Library } from ${JSON.stringify(libraryIndex)};
			const attendance = await AttendanceLog.open(${JSON.stringify(dataDir)});
			const library = await Library.open(${JSON.stringify(dataDir)}, { attendance });
			const ids = [];
			for (let n = 0; ; n++) {
				if (n % 10 === 0) {
					await writeFile(${JSON.stringify(srcDir)} + '/v' + n + '.mp4', 'x'.repeat(50000));
					const it = await library.addItem({ tenantId: 'zorg-a', title: 'item ' + n, module: 'communicatie', durationSeconds: 900, recordedAt: n, sourceDir: ${JSON.stringify(srcDir)}, media: 'v' + n + '.mp4' });
					ids.push(it.id);
					process.stdout.write('added ' + it.id + ' ' + n + '\\n');
				}
				const id = ids[n % ids.length];
				await Promise.all([
					library.update('zorg-a', id, { title: 'title ' + n }).then(() => process.stdout.write('titled ' + id + ' ' + n + '\\n')),
					library.recordWatch('zorg-a', id, 'client-1', { event: 'progress', positionSeconds: n }).then(() => process.stdout.write('watched ' + id + ' ' + n + '\\n')),
				]);
			}`;
		const child = spawn(process.execPath, ['--input-type=module', '-e', writer], { stdio: ['ignore', 'pipe', 'pipe'] });
		let out = '';
		let err = '';
		child.stdout!.on('data', (d) => (out += d));
		child.stderr!.on('data', (d) => (err += d));
		await new Promise<void>((resolve, reject) => {
			child.stdout!.on('data', () => {
				if ((out.match(/^added /gm) ?? []).length >= 6) resolve();
			});
			child.once('exit', (code) => reject(new Error(`writer exited ${code}: ${err}`)));
		});
		const exited = new Promise((resolve) => child.once('exit', resolve));
		child.kill('SIGKILL');
		await exited;

		// Complete lines only: the last piece may have been cut by the kill.
		const confirmed = out.split('\n').slice(0, -1);
		const added = new Map<string, number>();
		const titled = new Map<string, number>();
		let lastWatch: { id: string; n: number } | undefined;
		for (const line of confirmed) {
			const [what, id, n] = line.split(' ') as [string, string, string];
			if (what === 'added') added.set(id, Number(n));
			if (what === 'titled') titled.set(id, Math.max(titled.get(id) ?? -1, Number(n)));
			if (what === 'watched') lastWatch = { id, n: Number(n) };
		}
		const { library, attendance } = await openLibrary(dataDir);
		const items = new Map((await library.list('zorg-a')).map((i) => [i.id, i]));
		for (const [id] of added) expect(items.has(id)).toBe(true);
		for (const [id, n] of titled) {
			// The last confirmed title, or a later one whose write made it before the kill.
			expect(Number(items.get(id)!.title.split(' ')[1])).toBeGreaterThanOrEqual(n);
		}
		const watched = await readEvents(attendance, 'library.watch');
		expect(watched.length).toBeGreaterThanOrEqual(confirmed.filter((l) => l.startsWith('watched')).length);
		expect(lastWatch).toBeDefined();
		expect(watched.some((e) => e.itemId === lastWatch!.id && e.positionSeconds === lastWatch!.n)).toBe(true);
		// The log takes new events after the crash.
		expect((await attendance.append({ tenantId: 'zorg-a', type: 'test.after-crash' })).stored).toBe(true);
		await attendance.close();
	});

	it('keeps tenants apart: another tenant gets not_found for everything', async () => {
		const { library, attendance } = await openLibrary(await tempDir('luwte-lib-'));
		const a = await library.addItem(await item('zorg-a', 'Muziekquiz'));
		expect(await library.list('zorg-b')).toEqual([]);
		expect((await library.modules('zorg-b')).every((m) => m.total === 0)).toBe(true);
		expect(await codeOf(library.get('zorg-b', a.id))).toBe('not_found');
		expect(await codeOf(library.update('zorg-b', a.id, { title: 'Overgenomen' }))).toBe('not_found');
		expect(await codeOf(library.unpublish('zorg-b', a.id))).toBe('not_found');
		expect(await codeOf(library.delete('zorg-b', a.id))).toBe('not_found');
		expect(await codeOf(library.recordWatch('zorg-b', a.id, 'client-9', { event: 'started', positionSeconds: 0 }))).toBe('not_found');
		expect((await library.get('zorg-a', a.id)).title).toBe('Muziekquiz');
		await attendance.close();
	});

	it('refuses to publish an item with flash warnings until a person approves it', async () => {
		const { library, attendance } = await openLibrary(await tempDir('luwte-lib-'));
		const flash = { windows: [{ startSeconds: 61, endSeconds: 63.5, maxFlashesPerSecond: 5 }] };
		const f = await library.addItem(await item('zorg-a', 'Discoavond', { flash }));
		expect(f.status).toBe('flagged');
		expect(f.publishedAt).toBeUndefined();
		const refused = await library.publish('zorg-a', f.id).catch((e: EngineError) => e);
		expect(refused).toMatchObject({ code: 'conflict' });
		expect((refused as Error).message).toContain('approve');
		expect((await library.get('zorg-a', f.id)).status).toBe('flagged');
		expect(await codeOf(library.approve('zorg-a', f.id, 'Jan de Vries'))).toBe('invalid_argument'); // a name is not a pseudonymous ID

		const ok = await library.approve('zorg-a', f.id, 'medewerker-12');
		expect(ok).toMatchObject({ status: 'published', approvedBy: 'medewerker-12', flash });
		expect(ok.approvedAt).toBeTypeOf('number');
		// Approval sticks: unpublish and publish again need no second approval.
		expect((await library.unpublish('zorg-a', f.id)).status).toBe('unpublished');
		expect((await library.publish('zorg-a', f.id)).status).toBe('published');

		// An item without warnings needs no approval; an empty report is no warning.
		const calm = await library.addItem(await item('zorg-a', 'Stilte', { flash: { windows: [] } }));
		expect(calm.status).toBe('published');
		expect(await codeOf(library.approve('zorg-a', calm.id, 'medewerker-12'))).toBe('conflict');
		await attendance.close();
	});

	it('validates every input and changes nothing on a bad one', async () => {
		const dataDir = await tempDir('luwte-lib-');
		const { library, attendance } = await openLibrary(dataDir);
		const good = await item('zorg-a', 'Schilderen');
		expect(await codeOf(library.addItem({ ...good, module: 'dansen' as never }))).toBe('invalid_argument');
		expect(await codeOf(library.addItem({ ...good, media: '../etc/passwd' }))).toBe('invalid_argument');
		expect(await codeOf(library.addItem({ ...good, media: 'missing.mp4' }))).toBe('invalid_argument');
		expect(
			await codeOf(library.addItem({ ...good, flash: { windows: [{ startSeconds: 5, endSeconds: 2, maxFlashesPerSecond: 4 }] } })),
		).toBe('invalid_argument');
		expect(await library.list('zorg-a')).toEqual([]);
		expect(await readdir(join(dataDir, 'library', 'items'))).toEqual([]);
		expect((await readdir(good.sourceDir)).sort()).toEqual(['final.mp4', 'poster.jpg']);
		const a = await library.addItem(good);
		expect(await codeOf(library.update('zorg-a', a.id, { title: '   ' }))).toBe('invalid_argument');
		expect(await codeOf(library.update('zorg-a', a.id, { module: 'x' as never }))).toBe('invalid_argument');
		expect(await codeOf(library.recordWatch('zorg-a', a.id, 'client-1', { event: 'paused' as never, positionSeconds: 1 }))).toBe(
			'invalid_argument',
		);
		expect(await codeOf(library.recordWatch('zorg-a', a.id, 'client-1', { event: 'progress', positionSeconds: -3 }))).toBe(
			'invalid_argument',
		);
		expect(await library.get('zorg-a', a.id)).toEqual(a);
		expect(await readEvents(attendance)).toEqual([]);
		await attendance.close();
	});

	it('records watching in the attendance stream and remembers where each client stopped', async () => {
		const dataDir = await tempDir('luwte-lib-');
		const { library, attendance } = await openLibrary(dataDir);
		const fit = await library.addItem(await item('zorg-a', 'Ochtendgym'));
		const own = await library.addItem(await item('zorg-a', 'Weekplanning maken', { module: 'eigen-regie' }));

		expect(library.resumePosition('zorg-a', fit.id, 'client-1')).toBeUndefined();
		await library.recordWatch('zorg-a', fit.id, 'client-1', { event: 'started', positionSeconds: 0 });
		await library.recordWatch('zorg-a', fit.id, 'client-1', { event: 'progress', positionSeconds: 15.04 });
		const r = await library.recordWatch('zorg-a', fit.id, 'client-1', {
			event: 'progress',
			positionSeconds: 192,
			clientEventId: 'evt-000000001',
		});
		expect(r).toEqual({ stored: true, resumeSeconds: 192 });
		// A retry of the same event is ignored.
		expect(
			await library.recordWatch('zorg-a', fit.id, 'client-1', {
				event: 'progress',
				positionSeconds: 192,
				clientEventId: 'evt-000000001',
			}),
		).toEqual({
			stored: false,
			resumeSeconds: 192,
		});
		// Positions are per client and per item.
		expect(library.resumePosition('zorg-a', fit.id, 'client-2')).toBeUndefined();
		await library.recordWatch('zorg-a', own.id, 'client-1', { event: 'progress', positionSeconds: 40 });
		expect(library.resumePosition('zorg-a', own.id, 'client-1')).toBe(40);

		const events = await readEvents(attendance, 'library.watch');
		expect(events.map((e) => [e.event, e.positionSeconds, e.module])).toEqual([
			['started', 0, 'fit-en-vitaal'],
			['progress', 15, 'fit-en-vitaal'],
			['progress', 192, 'fit-en-vitaal'],
			['progress', 40, 'eigen-regie'],
		]);
		expect(events[0]).toMatchObject({ tenantId: 'zorg-a', itemId: fit.id, participantId: 'client-1', durationSeconds: 600 });
		expect(new Set(events.map((e) => e.id)).size).toBe(4);
		await attendance.close();

		// Resume positions come back from the stream after a restart; finishing resets them.
		const again = await openLibrary(dataDir);
		expect(again.library.resumePosition('zorg-a', fit.id, 'client-1')).toBe(192);
		expect(
			(await again.library.recordWatch('zorg-a', fit.id, 'client-1', { event: 'finished', positionSeconds: 600 })).resumeSeconds,
		).toBeUndefined();
		expect(again.library.resumePosition('zorg-a', fit.id, 'client-1')).toBeUndefined();
		// Deleting an item removes its files and forgets its positions.
		await again.library.delete('zorg-a', own.id);
		expect(again.library.resumePosition('zorg-a', own.id, 'client-1')).toBeUndefined();
		expect(await readdir(join(dataDir, 'library', 'items'))).toEqual([fit.id]);
		await again.attendance.close();
	});
});

describe('attendance event log', () => {
	it('ignores a torn last line after a crash and keeps every earlier event', async () => {
		const dataDir = await tempDir('luwte-att-');
		const log = await AttendanceLog.open(dataDir);
		const written = await Promise.all(
			Array.from({ length: 50 }, (_, i) => log.append({ tenantId: 'zorg-a', type: 'test.event', n: i, nested: { ok: true } })),
		);
		expect(written.every((w) => w.stored)).toBe(true);
		await log.close();
		// The crash: half a line at the end.
		await appendFile(log.path, '{"id":"torn","at":17000000,"tenantId":"zor');

		const again = await AttendanceLog.open(dataDir);
		const events = await readEvents(again);
		expect(events.map((e) => e.n)).toEqual(Array.from({ length: 50 }, (_, i) => i));
		expect(events[3]).toMatchObject({ tenantId: 'zorg-a', type: 'test.event', nested: { ok: true } });
		await again.append({ id: 'after-crash-1', tenantId: 'zorg-a', type: 'test.event', n: 50 });
		await again.close();
		const lines = (await readFile(log.path, 'utf8')).split('\n');
		expect(lines.at(-1)).toBe('');
		expect(lines.slice(0, -1).map((l) => JSON.parse(l).n)).toEqual(Array.from({ length: 51 }, (_, i) => i));
	});

	it('stores an event ID once, also when the retry comes before the first write is on disk', async () => {
		const log = await AttendanceLog.open(await tempDir('luwte-att-'));
		const [first, retry] = await Promise.all([
			log.append({ id: 'evt-1', tenantId: 'zorg-a', type: 'test.event', n: 1 }),
			log.append({ id: 'evt-1', tenantId: 'zorg-a', type: 'test.event', n: 2 }),
		]);
		expect(first.stored).toBe(true);
		expect(retry).toMatchObject({ stored: false, event: { n: 1 } });
		expect((await log.append({ id: 'evt-1', tenantId: 'zorg-a', type: 'test.event', n: 3 })).stored).toBe(false);
		expect((await readEvents(log)).map((e) => e.n)).toEqual([1]);
		expect(await codeOf(log.append({ tenantId: 'zorg-a', type: 'Bad Type' }))).toBe('invalid_argument');
		expect(await codeOf(log.append({ tenantId: '', type: 'test.event' }))).toBe('invalid_argument');
		await log.close();
	});
});
