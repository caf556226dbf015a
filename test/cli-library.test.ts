import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHost, type TestHost } from './helpers/host.ts';

const bin = join(import.meta.dirname, '..', 'apps', 'host-cli', 'bin', 'luwte.mjs');

describe('luwte library', () => {
	let t: TestHost;
	let dir = '';
	let env: NodeJS.ProcessEnv;
	beforeAll(async () => {
		t = await startTestHost();
		dir = await mkdtemp(join(tmpdir(), 'luwte-cli-lib-'));
		env = { PATH: process.env.PATH, LUWTE_SERVER: t.host.url, LUWTE_API_KEY: t.tenants[0]!.apiKey };
	});
	afterAll(async () => {
		await t?.close();
		if (dir) await rm(dir, { recursive: true, force: true });
	});

	function luwte(args: string[], environment: NodeJS.ProcessEnv = env): Promise<{ code: number | null; out: string; err: string }> {
		const child = spawn(process.execPath, [bin, 'library', ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: environment });
		let out = '';
		let err = '';
		child.stdout!.on('data', (d) => (out += d));
		child.stderr!.on('data', (d) => (err += d));
		return new Promise((resolve) => child.once('exit', (code) => resolve({ code, out, err })));
	}

	async function add(title: string, extra: Record<string, unknown> = {}) {
		await writeFile(join(dir, `${title}.mp4`), 'video');
		return t.host.library.addItem({
			tenantId: 'zorg-a',
			title,
			module: 'vaardig-en-creatief',
			durationSeconds: 1530,
			recordedAt: Date.parse('2026-11-18T13:00:00Z'),
			sourceDir: dir,
			media: `${title}.mp4`,
			...extra,
		});
	}

	it('lists items as a table or JSON, and publishes, approves and unpublishes them', async () => {
		const clay = await add('Kleien');
		const disco = await add('Disco', {
			module: 'talent-en-ambitie',
			flash: { windows: [{ startSeconds: 3, endSeconds: 4, maxFlashesPerSecond: 5 }] },
		});

		const table = await luwte(['list']);
		expect(table.code).toBe(0);
		const lines = table.out.trim().split('\n');
		expect(lines[0]).toMatch(/^ID\s+STATUS\s+MODULE\s+LENGTH\s+RECORDED\s+TITLE$/);
		expect(lines.find((l) => l.startsWith(clay.id))).toMatch(/published\s+vaardig-en-creatief\s+25:30\s+2026-11-18\s+Kleien$/);
		expect(lines.find((l) => l.startsWith(disco.id))).toMatch(/flagged\s+talent-en-ambitie/);

		const flagged = await luwte(['list', '--status', 'flagged', '--json']);
		expect(JSON.parse(flagged.out).map((i: { id: string }) => i.id)).toEqual([disco.id]);
		expect(
			JSON.parse((await luwte(['list', '--module', 'vaardig-en-creatief', '--json'])).out).map((i: { id: string }) => i.id),
		).toEqual([clay.id]);

		// A recording with flash warnings is not published before someone approved it.
		const refused = await luwte(['publish', disco.id]);
		expect(refused.code).toBe(1);
		expect(refused.err).toContain('approve');
		const approved = await luwte(['approve', disco.id, '--by', 'medewerker-8', '--json']);
		expect(approved.code).toBe(0);
		expect(JSON.parse(approved.out)).toMatchObject({ id: disco.id, status: 'published', approvedBy: 'medewerker-8' });

		const hidden = await luwte(['unpublish', clay.id]);
		expect(hidden).toMatchObject({ code: 0, out: `${clay.id} is now unpublished: Kleien\n` });
		expect((await luwte(['publish', clay.id])).out).toBe(`${clay.id} is now published: Kleien\n`);
		expect((await t.host.library.get('zorg-a', clay.id)).status).toBe('published');
	});

	it('explains what is missing or wrong', async () => {
		const noKey = await luwte(['list'], { PATH: process.env.PATH, LUWTE_SERVER: t.host.url });
		expect(noKey.code).toBe(2);
		expect(noKey.err).toContain('LUWTE_API_KEY');
		const badStatus = await luwte(['list', '--status', 'hidden']);
		expect(badStatus.code).toBe(2);
		expect(badStatus.err).toContain('--status');
		expect((await luwte(['publish'])).code).toBe(2);
		const unknown = await luwte(['publish', 'li_AAAAAAAAAAAAAAAAAAAAAA']);
		expect(unknown.code).toBe(1);
		expect(unknown.err).toContain('not found');
		// Another organisation's key does not see this one's items.
		const other = await luwte(['list', '--json'], { ...env, LUWTE_API_KEY: t.tenants[1]!.apiKey });
		expect(JSON.parse(other.out)).toEqual([]);
	});

	it('adds, lists, replaces and removes subtitles, and lists every fault of a refused file', async () => {
		const film = await add('Ondertiteld');
		const nl = join(dir, 'nl.vtt');
		await writeFile(nl, 'WEBVTT\n\n00:00:01.000 --> 00:00:04.000\nGoedemiddag.\n\n00:00:05.000 --> 00:00:08.000\nWe gaan kleien.\n');
		const added = await luwte(['subtitles', 'add', film.id, 'nl', nl]);
		expect(added).toEqual({ code: 0, out: `${film.id}: nl subtitles (Nederlands) saved, 2 cues\n`, err: '' });
		const en = join(dir, 'en.vtt');
		await writeFile(en, 'WEBVTT\n\n00:00:01.000 --> 00:00:04.000\nGood afternoon.\n');
		expect((await luwte(['subtitles', 'add', film.id, 'en', en, '--label', 'English (UK)', '--json'])).out).toMatch(
			/^\{"lang":"en","label":"English \(UK\)","cues":1,/,
		);

		const table = await luwte(['subtitles', 'list', film.id]);
		expect(table.code).toBe(0);
		expect(table.out.split('\n').slice(0, 3)).toEqual([
			expect.stringMatching(/^LANG\s+CUES\s+CHANGED\s+LABEL$/),
			expect.stringMatching(/^nl\s+2\s+\d{4}-\d\d-\d\d \d\d:\d\d\s+Nederlands$/),
			expect.stringMatching(/^en\s+1\s+.+English \(UK\)$/),
		]);

		// Replaced: the label stays, the cues are the new file's.
		await writeFile(
			nl,
			'WEBVTT\n\n00:00:01.000 --> 00:00:04.000\nGoedemiddag.\n\n00:00:05.000 --> 00:00:08.000\nWe gaan kleien.\n\n00:00:09.000 --> 00:00:11.000\nPak de klei.\n',
		);
		expect((await luwte(['subtitles', 'add', film.id, 'nl', nl])).out).toBe(`${film.id}: nl subtitles (Nederlands) saved, 3 cues\n`);

		// Refused by the host (exit 1), every fault listed; refused here (not UTF-8, missing file); nothing changed.
		const bad = join(dir, 'bad.vtt');
		await writeFile(bad, 'WEBVTT\n\n00:00:05.000 --> 00:00:04.000\nachteruit\n\n00:00:01.000 --> 00:00:0x.000\nkapot\n');
		const refused = await luwte(['subtitles', 'add', film.id, 'nl', bad]);
		expect(refused.code).toBe(1);
		expect(refused.err).toMatch(/the host answered 400 \(invalid_params\): invalid subtitles: line 3: End timestamp/);
		expect(refused.err).toContain('  line 6: Must be exactly two digits.');
		const latin1 = join(dir, 'latin1.vtt');
		await writeFile(latin1, Buffer.from('WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nCaf\xe9\n', 'latin1'));
		expect(await luwte(['subtitles', 'add', film.id, 'nl', latin1])).toMatchObject({
			code: 1,
			err: expect.stringContaining('is not UTF-8 text'),
		});
		expect((await luwte(['subtitles', 'add', film.id, 'nl', join(dir, 'missing.vtt')])).code).toBe(1);
		expect((await luwte(['subtitles', 'add', film.id, 'nl'])).code).toBe(2);
		expect(await luwte(['subtitles', 'add', film.id, 'nederlands!', nl])).toMatchObject({
			code: 2,
			err: expect.stringContaining('BCP-47'),
		});
		expect((await t.host.library.get('zorg-a', film.id)).subtitles?.map((s) => [s.lang, s.cues])).toEqual([
			['nl', 3],
			['en', 1],
		]);

		expect(await luwte(['subtitles', 'remove', film.id, 'en'])).toEqual({
			code: 0,
			out: `${film.id}: en subtitles removed\n`,
			err: '',
		});
		expect((await luwte(['subtitles', 'remove', film.id, 'en'])).code).toBe(1);
		expect(JSON.parse((await luwte(['subtitles', 'list', film.id, '--json'])).out).map((s: { lang: string }) => s.lang)).toEqual([
			'nl',
		]);
	});
});
