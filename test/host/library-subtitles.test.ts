import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mediaSignature } from '@luwte/engine/auth';
import { AdminApiError, AdminClient } from '@luwte/sdk/admin';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHost, type TestHost } from '../helpers/host.ts';

const site = 'https://zorg-a.example';
const DUTCH = 'WEBVTT\n\n00:00:01.000 --> 00:00:04.000\nGoedemorgen allemaal.\n\n00:00:05.000 --> 00:00:09.000\nWe beginnen met ademen.\n';
const ENGLISH = 'WEBVTT\n\n00:00:01.000 --> 00:00:04.000\nGood morning, everyone.\n';

/** An API error's code, status and details, or 'resolved'. */
async function failure(p: Promise<unknown>) {
	try {
		await p;
		return 'resolved';
	} catch (err) {
		if (!(err instanceof AdminApiError)) throw err;
		return { status: err.status, code: err.code, details: err.details as { problems?: { line?: number; message: string }[] } };
	}
}

describe('library subtitles (admin API, signed links, restart)', () => {
	let t: TestHost;
	let dataDir = '';
	const dirs: string[] = [];
	beforeAll(async () => {
		dataDir = await mkdtemp(join(tmpdir(), 'luwte-subs-host-'));
		dirs.push(dataDir);
		t = await startTestHost({ dataDir, allowedOrigins: { a: [site] } });
	});
	afterAll(async () => {
		await t?.close();
		for (const d of dirs) await rm(d, { recursive: true, force: true });
	});

	async function addItem(tenantId: string, title: string) {
		const sourceDir = await mkdtemp(join(tmpdir(), 'luwte-pp-'));
		dirs.push(sourceDir);
		await writeFile(join(sourceDir, 'out.mp4'), 'video bytes');
		return t.host.library.addItem({
			tenantId,
			title,
			module: 'communicatie',
			durationSeconds: 60,
			recordedAt: Date.parse('2026-11-20T10:00:00Z'),
			sourceDir,
			media: 'out.mp4',
		});
	}

	const itemFiles = async (itemId: string) => (await readdir(join(t.host.library.dir, 'items', itemId))).sort();

	async function viewerItem(tenant: TestHost['tenants'][number], itemId: string) {
		const token = (await t.api(tenant, 'POST', '/v1/library/tokens', { participantId: 'client-12' })).json.token as string;
		const res = await fetch(`${t.host.url}/v1/library/viewer/items/${itemId}`, { headers: { authorization: `Bearer ${token}` } });
		expect(res.status).toBe(200);
		return (await res.json()) as { subtitles: { lang: string; label: string; url: string }[] };
	}

	it('uploads, lists, replaces and removes subtitles per language; refused files store nothing', async () => {
		const [a, b] = t.tenants as [TestHost['tenants'][0], TestHost['tenants'][0]];
		const admin = new AdminClient({ server: t.host.url, apiKey: a.apiKey });
		const item = await addItem('zorg-a', 'Praten over vroeger');

		const nl = await admin.putLibrarySubtitles(item.id, 'nl', { vtt: DUTCH });
		expect(nl).toMatchObject({ lang: 'nl', label: 'Nederlands', cues: 2, bytes: Buffer.byteLength(DUTCH) });
		expect(await admin.putLibrarySubtitles(item.id, 'en-gb', { vtt: ENGLISH, label: 'English' })).toMatchObject({
			lang: 'en-GB',
			label: 'English',
			cues: 1,
		});
		expect((await admin.listLibrarySubtitles(item.id)).subtitles.map((s) => [s.lang, s.label])).toEqual([
			['nl', 'Nederlands'],
			['en-GB', 'English'],
		]);
		expect((await admin.getLibraryItem(item.id)).subtitles.map((s) => s.lang)).toEqual(['nl', 'en-GB']);
		const stored = await itemFiles(item.id);

		// Refused: nothing changes on disk or in the list, and the answer says what and where.
		const bad: [string, unknown, number, string][] = [
			['de', { vtt: '1\n00:00:01,000 --> 00:00:02,000\nSRT\n' }, 400, 'a WebVTT file starts with the line WEBVTT'],
			['de', { vtt: 'WEBVTT\n\n00:00:05.000 --> 00:00:06.000\nb\n\n00:00:01.000 --> 00:00:02.000\na\n' }, 400, 'Start timestamp'],
			['de', { vtt: 'WEBVTT\n\n00:00:50.000 --> 00:01:30.000\nna het einde\n' }, 400, 'outside the video'],
			['de', { vtt: 'WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nCaf\ufffd\n' }, 400, 'not UTF-8'],
			['de', { vtt: DUTCH, extra: 1 }, 400, 'extra'],
			['nl nl', { vtt: DUTCH }, 400, 'BCP-47'],
		];
		for (const [lang, body, status, says] of bad) {
			const r = await t.api(a, 'PUT', `/v1/library/items/${item.id}/subtitles/${encodeURIComponent(lang)}`, body);
			expect([lang, r.status, r.json.error.code]).toEqual([lang, status, 'invalid_params']);
			expect(JSON.stringify(r.json.error)).toContain(says);
		}
		const ordered = await failure(
			admin.putLibrarySubtitles(item.id, 'de', {
				vtt: 'WEBVTT\n\n00:00:05.000 --> 00:00:06.000\nb\n\n00:00:01.000 --> 00:00:02.000\na\n',
			}),
		);
		expect(ordered).toMatchObject({ status: 400, code: 'invalid_params', details: { problems: [{ line: 6 }] } });
		// A body over the route's limit (2 MiB) is refused with 413 before it is read: test/host/body-limit.test.ts.
		// Another organisation's key: not found, and nothing stored.
		expect(
			await failure(new AdminClient({ server: t.host.url, apiKey: b.apiKey }).putLibrarySubtitles(item.id, 'de', { vtt: DUTCH })),
		).toMatchObject({
			status: 404,
		});
		expect(await itemFiles(item.id)).toEqual(stored);
		expect((await admin.listLibrarySubtitles(item.id)).subtitles.map((s) => s.lang)).toEqual(['nl', 'en-GB']);

		// Replace: same place in the list, new text served, one file per language.
		const before = await viewerItem(a, item.id);
		const newer = `${DUTCH}\n00:00:10.000 --> 00:00:12.000\nWie begint?\n`;
		expect(await admin.putLibrarySubtitles(item.id, 'nl', { vtt: newer })).toMatchObject({ lang: 'nl', cues: 3 });
		expect((await itemFiles(item.id)).filter((f) => f.startsWith('subtitles.'))).toHaveLength(2);
		const detail = await viewerItem(a, item.id);
		expect(await (await fetch(new URL(detail.subtitles[0]!.url, t.host.url))).text()).toBe(newer);
		// A new link for the new file (a browser's cached copy of the old one is not used).
		expect(new URL(detail.subtitles[0]!.url, t.host.url).searchParams.get('v')).toMatch(/^[a-f0-9]{12}$/);
		expect(detail.subtitles[0]!.url).not.toBe(before.subtitles[0]!.url);

		expect(await admin.deleteLibrarySubtitles(item.id, 'en-gb')).toEqual({ lang: 'en-GB', deleted: true });
		expect(await failure(admin.deleteLibrarySubtitles(item.id, 'en-GB'))).toMatchObject({ status: 404, code: 'not_found' });
		expect((await admin.listLibrarySubtitles(item.id)).subtitles.map((s) => s.lang)).toEqual(['nl']);
		expect((await itemFiles(item.id)).filter((f) => f.startsWith('subtitles.'))).toHaveLength(1);
	});

	it('serves them to viewers with the signed media link: text/vtt, CORS; tampered, expired or unpublished refused', async () => {
		const [a] = t.tenants as [TestHost['tenants'][0]];
		const admin = new AdminClient({ server: t.host.url, apiKey: a.apiKey });
		const item = await addItem('zorg-a', 'Samen zingen');
		await admin.putLibrarySubtitles(item.id, 'nl', { vtt: DUTCH });
		await admin.putLibrarySubtitles(item.id, 'en', { vtt: ENGLISH });

		const detail = await viewerItem(a, item.id);
		expect(detail.subtitles.map((s) => [s.lang, s.label])).toEqual([
			['nl', 'Nederlands'],
			['en', 'English'],
		]);
		const url = new URL(detail.subtitles[0]!.url, t.host.url);
		expect(url.pathname).toBe(`/v1/library/media/zorg-a/${item.id}/subtitles.nl.vtt`);
		expect(url.search).not.toContain('client-12');

		const res = await fetch(url, { headers: { origin: site } });
		expect(res.status).toBe(200);
		expect(res.headers.get('content-type')).toBe('text/vtt; charset=utf-8');
		expect(res.headers.get('access-control-allow-origin')).toBe(site);
		expect(res.headers.get('cross-origin-resource-policy')).toBe('cross-origin');
		expect(await res.text()).toBe(DUTCH);
		// The media link of the same item has the same CORS answer.
		const media = await fetch(new URL((await viewerItemMedia(a, item.id)) ?? '', t.host.url), { headers: { origin: site } });
		expect(media.headers.get('access-control-allow-origin')).toBe(site);

		const sig = url.searchParams.get('sig')!;
		const exp = Number(url.searchParams.get('exp'));
		const tampered = new URL(url);
		tampered.searchParams.set('sig', `${sig.slice(0, -1)}${sig.endsWith('A') ? 'B' : 'A'}`);
		expect((await fetch(tampered)).status).toBe(403);
		// The Dutch link's signature does not open the English file, nor a later expiry.
		const otherLang = new URL(url.href.replace('subtitles.nl.vtt', 'subtitles.en.vtt'));
		expect((await fetch(otherLang)).status).toBe(403);
		const later = new URL(url);
		later.searchParams.set('exp', String(exp + 3600));
		expect((await fetch(later)).status).toBe(403);
		// Correctly signed but expired.
		const tenant = t.host.tenants.get('zorg-a')!;
		const past = Math.floor(Date.now() / 1000) - 60;
		const expired = new URL(`/v1/library/media/zorg-a/${item.id}/subtitles.nl.vtt`, t.host.url);
		expired.searchParams.set('exp', String(past));
		expired.searchParams.set('sig', mediaSignature(tenant, item.id, 'subtitles.nl.vtt', past));
		const refused = await fetch(expired);
		expect([refused.status, ((await refused.json()) as { error: { code: string } }).error.code]).toEqual([403, 'forbidden']);

		// Unpublished: the link stops at once.
		await admin.unpublishLibraryItem(item.id);
		expect((await fetch(url)).status).toBe(404);
		await admin.publishLibraryItem(item.id);
		expect((await fetch(url)).status).toBe(200);

		// Deleting the item takes its subtitles with it.
		await admin.deleteLibraryItem(item.id);
		expect((await fetch(url)).status).toBe(404);
		expect(await readdir(join(t.host.library.dir, 'items'))).not.toContain(item.id);
	});

	async function viewerItemMedia(tenant: TestHost['tenants'][number], itemId: string): Promise<string | undefined> {
		const token = (await t.api(tenant, 'POST', '/v1/library/tokens', {})).json.token as string;
		const res = await fetch(`${t.host.url}/v1/library/viewer/items/${itemId}`, { headers: { authorization: `Bearer ${token}` } });
		return ((await res.json()) as { mediaUrl?: string }).mediaUrl;
	}

	it('keeps them over a restart of the host', async () => {
		const [a] = t.tenants as [TestHost['tenants'][0]];
		const item = await addItem('zorg-a', 'Na de herstart');
		await new AdminClient({ server: t.host.url, apiKey: a.apiKey }).putLibrarySubtitles(item.id, 'nl', { vtt: DUTCH });
		const file = join(t.host.library.dir, (await t.host.library.get('zorg-a', item.id)).subtitles![0]!.file);
		await t.close();
		t = await startTestHost({ dataDir, tenantsOf: t, allowedOrigins: { a: [site] } });

		const admin = new AdminClient({ server: t.host.url, apiKey: a.apiKey });
		expect((await admin.listLibrarySubtitles(item.id)).subtitles).toMatchObject([{ lang: 'nl', label: 'Nederlands', cues: 2 }]);
		const detail = await viewerItem(a, item.id);
		expect(await (await fetch(new URL(detail.subtitles[0]!.url, t.host.url))).text()).toBe(DUTCH);
		expect(await readFile(file, 'utf8')).toBe(DUTCH);
	});
});
