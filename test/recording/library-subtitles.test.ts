import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EngineError } from '@luwte/engine';
import { AttendanceLog } from '@luwte/engine/attendance';
import { checkSubtitles, Library, MAX_SUBTITLE_BYTES } from '@luwte/engine/library';
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

const DUTCH =
	'WEBVTT\n\n00:01.000 --> 00:04.000\nGoedemorgen allemaal.\n\n00:05.000 --> 00:09.500\nWe beginnen met <b>rustig</b> ademen.\n';

/** The problems of a refused file (`details.problems`), or 'accepted'. */
function problemsOf(input: string | Uint8Array, duration = 600): { line?: number; message: string }[] | 'accepted' {
	try {
		checkSubtitles(input, duration);
		return 'accepted';
	} catch (err) {
		if (!(err instanceof EngineError) || err.code !== 'invalid_argument') throw err;
		return (err.details as { problems: { line?: number; message: string }[] }).problems;
	}
}

describe('checking a WebVTT file', () => {
	it('accepts a good file, with a BOM, CRLF line ends, a header line, NOTE blocks and markup', () => {
		expect(checkSubtitles(DUTCH, 600)).toMatchObject({ cues: 2, bytes: Buffer.byteLength(DUTCH) });
		const tolerant =
			'\uFEFFWEBVTT - les 3\r\nKind: captions\r\n\r\nNOTE door de begeleider\r\n\r\nintro\r\n00:00:01.000 --> 00:00:03.000 line:80% align:middle\r\nFijn & rustig <i>hoor</i>\r\n';
		expect(checkSubtitles(tolerant, 600).cues).toBe(1);
		expect(checkSubtitles(new TextEncoder().encode(DUTCH), 600).cues).toBe(2);
	});

	it('refuses what would lose or misplace a cue, saying where', () => {
		expect(problemsOf('1\n00:00:01,000 --> 00:00:02,000\nSRT, not WebVTT\n')).toEqual([
			{ line: 1, message: 'a WebVTT file starts with the line WEBVTT' },
		]);
		expect(problemsOf('WEBVTT\n\n00:01.000 --> 00:0x.000\nkapot\n')).toEqual([{ line: 3, message: expect.stringMatching(/digits/) }]);
		expect(problemsOf('WEBVTT\n\n00:05.000 --> 00:06.000\ntwee\n\n00:01.000 --> 00:02.000\neen\n')).toEqual([
			{ line: 6, message: expect.stringMatching(/^Start timestamp is not greater than or equal/) },
		]);
		expect(problemsOf('WEBVTT\n\n00:03.000 --> 00:02.000\nachteruit\n')).toEqual([
			{ line: 3, message: 'End timestamp is not greater than start timestamp.' },
		]);
		expect(problemsOf('WEBVTT\n\nNOTE alleen een opmerking\n')).toEqual([{ message: 'the file has no cues' }]);
		expect(problemsOf('')).toEqual([{ message: 'the file is empty' }]);
	});

	it("refuses cues outside the item's length (one second of slack at the end)", () => {
		expect(problemsOf(DUTCH, 9)).toEqual('accepted');
		expect(problemsOf(DUTCH, 8)).toEqual([
			{ message: 'the cue 00:00:05.000 --> 00:00:09.500 is outside the video, which is 00:00:08.000 long' },
		]);
		expect(problemsOf(DUTCH, 4)).toHaveLength(1);
	});

	it('refuses bytes that are not UTF-8, replacement characters, NUL and files over the limit', () => {
		const latin1 = Buffer.from('WEBVTT\n\n00:01.000 --> 00:02.000\nCaf\xe9\n', 'latin1');
		expect(problemsOf(latin1)).toEqual([{ message: 'the file is not UTF-8 text (save it as UTF-8)' }]);
		expect(problemsOf(new TextDecoder().decode(latin1))).toEqual([{ message: 'the file is not UTF-8 text (save it as UTF-8)' }]);
		expect(problemsOf('WEBVTT\n\n00:01.000 --> 00:02.000\n\ud800\n')).toEqual([
			{ message: 'the file is not UTF-8 text (save it as UTF-8)' },
		]);
		expect(problemsOf('WEBVTT\n\n00:01.000 --> 00:02.000\na\0b\n')).toEqual([
			{ message: 'the file holds a NUL character: it is not a text file' },
		]);
		const big = `${DUTCH}NOTE ${'x'.repeat(MAX_SUBTITLE_BYTES)}\n`;
		expect(problemsOf(big)).toEqual([{ message: expect.stringMatching(/limited to 1048576 bytes/) }]);
	});
});

describe('subtitles of a library item', () => {
	async function setUp() {
		const dataDir = await tempDir('luwte-subs-');
		const sourceDir = await tempDir('luwte-subs-src-');
		await writeFile(join(sourceDir, 'final.mp4'), 'video');
		const attendance = await AttendanceLog.open(dataDir);
		const library = await Library.open(dataDir, { attendance });
		const item = await library.addItem({
			tenantId: 'zorg-a',
			title: 'Ochtendgym',
			module: 'fit-en-vitaal',
			durationSeconds: 600,
			recordedAt: Date.parse('2026-11-20T10:00:00Z'),
			sourceDir,
			media: 'final.mp4',
		});
		return { dataDir, attendance, library, item, itemDir: join(library.dir, 'items', item.id) };
	}
	const subtitleFiles = async (dir: string) => (await readdir(dir)).filter((f) => f.includes('subtitles')).sort();

	it('stores a language per file, replaces, removes, survives reopening, and goes with the item', async () => {
		const { dataDir, attendance, library, item, itemDir } = await setUp();
		const nl = await library.setSubtitles('zorg-a', item.id, 'nl', { vtt: DUTCH });
		expect(nl).toMatchObject({ lang: 'nl', label: 'Nederlands', cues: 2 });
		const en = await library.setSubtitles('zorg-a', item.id, 'en-gb', {
			label: 'English',
			vtt: 'WEBVTT\n\n00:01.000 --> 00:04.000\nGood morning.\n',
		});
		expect(en).toMatchObject({ lang: 'en-GB', label: 'English', cues: 1 });
		expect((await library.get('zorg-a', item.id)).subtitles?.map((t) => t.lang)).toEqual(['nl', 'en-GB']);
		expect(await readFile(library.subtitlePath(await library.get('zorg-a', item.id), 'nl')!, 'utf8')).toBe(DUTCH);

		// Replacing keeps the place and the label, and leaves one file per language.
		const newer = `${DUTCH}\n00:10.000 --> 00:12.000\nEn nu de armen omhoog.\n`;
		expect(await library.setSubtitles('zorg-a', item.id, 'nl', { vtt: newer })).toMatchObject({
			lang: 'nl',
			label: 'Nederlands',
			cues: 3,
		});
		expect(await subtitleFiles(itemDir)).toHaveLength(2);

		// Another tenant cannot see or change them; a bad file changes nothing.
		await expect(library.setSubtitles('zorg-b', item.id, 'nl', { vtt: DUTCH })).rejects.toMatchObject({ code: 'not_found' });
		const before = await readFile(join(itemDir, 'item.json'), 'utf8');
		await expect(
			library.setSubtitles('zorg-a', item.id, 'de', { vtt: 'WEBVTT\n\n00:03.000 --> 00:01.000\nx\n' }),
		).rejects.toMatchObject({
			code: 'invalid_argument',
		});
		await expect(library.setSubtitles('zorg-a', item.id, 'not a tag', { vtt: DUTCH })).rejects.toMatchObject({
			code: 'invalid_argument',
		});
		expect(await readFile(join(itemDir, 'item.json'), 'utf8')).toBe(before);
		expect(await subtitleFiles(itemDir)).toHaveLength(2);

		// Reopened (a host restart): the same subtitles with the same text.
		const again = await Library.open(dataDir, { attendance });
		const reopened = await again.get('zorg-a', item.id);
		expect(reopened.subtitles?.map((t) => [t.lang, t.cues])).toEqual([
			['nl', 3],
			['en-GB', 1],
		]);
		expect(await readFile(again.subtitlePath(reopened, 'nl')!, 'utf8')).toBe(newer);

		await again.removeSubtitles('zorg-a', item.id, 'en-GB');
		expect((await again.get('zorg-a', item.id)).subtitles?.map((t) => t.lang)).toEqual(['nl']);
		expect(await subtitleFiles(itemDir)).toHaveLength(1);
		await expect(again.removeSubtitles('zorg-a', item.id, 'en-GB')).rejects.toMatchObject({ code: 'not_found' });

		await again.delete('zorg-a', item.id);
		expect(await readdir(join(library.dir, 'items'))).not.toContain(item.id);
	});

	it('tidies a subtitle file a crash left unnamed at the next upload, and refuses items without video', async () => {
		const { library, item, itemDir } = await setUp();
		await writeFile(join(itemDir, 'subtitles.nl.0123456789ab.vtt'), DUTCH);
		await library.setSubtitles('zorg-a', item.id, 'nl', { vtt: DUTCH });
		expect(await subtitleFiles(itemDir)).toEqual([(await library.get('zorg-a', item.id)).subtitles![0]!.file.split('/').pop()]);

		const processing = await library.createProcessing({
			tenantId: 'zorg-a',
			title: 'Nog bezig',
			module: 'communicatie',
			recordedAt: Date.now(),
		});
		await expect(library.setSubtitles('zorg-a', processing.id, 'nl', { vtt: DUTCH })).rejects.toMatchObject({ code: 'conflict' });
	});
});
