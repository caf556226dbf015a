import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AttendanceEvent } from '@luwte/engine/attendance';
import { mediaSignature } from '@luwte/engine/auth';
import type { AddItemInput } from '@luwte/engine/library';
import { type AdminApiError, AdminClient } from '@luwte/sdk/admin';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHost, type TestHost } from '../helpers/host.ts';

const site = 'https://zorg-a.example';
/** 200 KB whose every byte says where it is, so a range's bytes can be checked exactly. */
const mediaBytes = Buffer.from(Array.from({ length: 200_000 }, (_, i) => (i * 7 + (i >> 8)) & 0xff));

describe('library API (admin and viewer)', () => {
	let t: TestHost;
	const dirs: string[] = [];
	beforeAll(async () => {
		t = await startTestHost({ allowedOrigins: { a: [site] } });
	});
	afterAll(async () => {
		await t?.close();
		for (const d of dirs) await rm(d, { recursive: true, force: true });
	});

	async function addItem(tenantId: string, title: string, extra: Partial<AddItemInput> = {}) {
		const sourceDir = await mkdtemp(join(tmpdir(), 'luwte-pp-'));
		dirs.push(sourceDir);
		await writeFile(join(sourceDir, 'out.mp4'), mediaBytes);
		await writeFile(join(sourceDir, 'out.jpg'), `thumbnail of ${title}`);
		return t.host.library.addItem({
			tenantId,
			title,
			module: 'fit-en-vitaal',
			description: 'Bewegen vanuit je stoel',
			durationSeconds: 900,
			recordedAt: Date.parse('2026-11-20T10:00:00Z'),
			sourceDir,
			media: 'out.mp4',
			thumbnail: 'out.jpg',
			...extra,
		});
	}

	async function libraryToken(tenant: TestHost['tenants'][number], participantId: string): Promise<string> {
		const r = await t.api(tenant, 'POST', '/v1/library/tokens', { participantId, ttlSeconds: 3600 });
		expect(r.status).toBe(201);
		expect(r.json.participantId).toBe(participantId);
		return r.json.token as string;
	}

	const viewer = async (token: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
		const res = await fetch(`${t.host.url}${path}`, {
			method,
			headers: {
				authorization: `Bearer ${token}`,
				...(body !== undefined ? { 'content-type': 'application/json' } : {}),
				...headers,
			},
			...(body !== undefined ? { body: JSON.stringify(body) } : {}),
		});
		return { status: res.status, json: await res.json() };
	};

	it('lets staff list, edit, approve, publish, unpublish and delete items of their own organisation', async () => {
		const [a, b] = t.tenants as [TestHost['tenants'][0], TestHost['tenants'][0]];
		const admin = new AdminClient({ server: t.host.url, apiKey: a.apiKey });
		const yoga = await addItem('zorg-a', 'Stoelyoga');
		const disco = await addItem('zorg-a', 'Discoavond', {
			module: 'talent-en-ambitie',
			flash: { windows: [{ startSeconds: 60, endSeconds: 62, maxFlashesPerSecond: 6 }] },
		});
		const bItem = await addItem('zorg-b', 'Van een ander');

		const modules = await admin.listLibraryModules();
		expect(modules.modules.map((m) => [m.module, m.total])).toEqual([
			['communicatie', 0],
			['eigen-regie', 0],
			['fit-en-vitaal', 1],
			['vaardig-en-creatief', 0],
			['talent-en-ambitie', 1],
		]);
		expect(modules.modules[4]!.byStatus).toMatchObject({ flagged: 1, published: 0 });
		expect((await admin.listLibraryItems()).items.map((i) => i.id).sort()).toEqual([yoga.id, disco.id].sort());
		expect((await admin.listLibraryItems({ status: 'flagged' })).items.map((i) => i.id)).toEqual([disco.id]);
		expect((await admin.listLibraryItems({ module: 'fit-en-vitaal' })).items.map((i) => i.id)).toEqual([yoga.id]);
		const badQuery = await t.api(a, 'GET', '/v1/library/items?status=gone');
		expect(badQuery.status).toBe(400);
		expect(badQuery.json.error.details.fields[0].field).toBe('status');

		const got = await admin.getLibraryItem(yoga.id);
		expect(got).toMatchObject({
			id: yoga.id,
			title: 'Stoelyoga',
			status: 'published',
			hasThumbnail: true,
			flash: null,
			recordedAt: '2026-11-20T10:00:00.000Z',
		});
		const edited = await admin.updateLibraryItem(yoga.id, { title: 'Stoelyoga voor beginners', module: 'eigen-regie' });
		expect(edited).toMatchObject({ title: 'Stoelyoga voor beginners', module: 'eigen-regie', description: 'Bewegen vanuit je stoel' });
		const bad = await t.api(a, 'POST', `/v1/library/items/${yoga.id}`, { title: '' });
		expect(bad.status).toBe(400);
		expect((await admin.getLibraryItem(yoga.id)).title).toBe('Stoelyoga voor beginners');

		// Flash warnings: publishing waits for a person's approval.
		const refused = await admin.publishLibraryItem(disco.id).catch((e: AdminApiError) => e);
		expect(refused).toMatchObject({ status: 409, code: 'conflict' });
		expect((refused as Error).message).toMatch(/flash/);
		expect((await t.api(a, 'POST', `/v1/library/items/${disco.id}/approve`, {})).status).toBe(400);
		const approved = await admin.approveLibraryItem(disco.id, 'medewerker-4');
		expect(approved).toMatchObject({ status: 'published', approvedBy: 'medewerker-4' });
		expect(approved.approvedAt).not.toBeNull();
		expect((await admin.unpublishLibraryItem(disco.id)).status).toBe('unpublished');
		expect((await admin.publishLibraryItem(disco.id)).status).toBe('published');

		// Another organisation's item does not exist for this key, whatever the route.
		for (const [method, path, body] of [
			['GET', `/v1/library/items/${bItem.id}`],
			['POST', `/v1/library/items/${bItem.id}`, { title: 'Gekaapt' }],
			['POST', `/v1/library/items/${bItem.id}/unpublish`],
			['DELETE', `/v1/library/items/${bItem.id}`],
		] as const) {
			const r = await t.api(a, method, path, body);
			expect(r.status).toBe(404);
			expect(r.json.error.code).toBe('not_found');
		}
		expect((await t.api(b, 'GET', `/v1/library/items/${bItem.id}`)).json.title).toBe('Van een ander');
		expect((await fetch(`${t.host.url}/v1/library/items`)).status).toBe(401);

		expect(await admin.deleteLibraryItem(yoga.id)).toEqual({ id: yoga.id, deleted: true });
		expect((await t.api(a, 'GET', `/v1/library/items/${yoga.id}`)).status).toBe(404);
		await admin.deleteLibraryItem(disco.id);
	});

	it('shows clients only published items, streams media with ranges, and keeps their place', async () => {
		const [a, b] = t.tenants as [TestHost['tenants'][0], TestHost['tenants'][0]];
		const shown = await addItem('zorg-a', 'Samen zingen', { module: 'communicatie' });
		const hidden = await addItem('zorg-a', 'Nog niet klaar', { module: 'communicatie' });
		await t.host.library.unpublish('zorg-a', hidden.id);
		const flagged = await addItem('zorg-a', 'Lichtshow', {
			module: 'communicatie',
			flash: { windows: [{ startSeconds: 1, endSeconds: 2, maxFlashesPerSecond: 8 }] },
		});
		const processing = await t.host.library.createProcessing({
			tenantId: 'zorg-a',
			title: 'Bezig',
			module: 'communicatie',
			recordedAt: Date.now(),
		});
		const other = await addItem('zorg-b', 'Andere organisatie', { module: 'communicatie' });
		const token = await libraryToken(a, 'client-77');
		const tokenB = await libraryToken(b, 'client-88');

		const modules = await viewer(token, 'GET', '/v1/library/viewer/modules', undefined, { origin: site });
		expect(modules.status).toBe(200);
		expect(modules.json.modules.find((m: { module: string }) => m.module === 'communicatie')).toEqual({
			module: 'communicatie',
			label: 'Communicatie',
			count: 1,
		});
		const list = await viewer(token, 'GET', '/v1/library/viewer/items?module=communicatie');
		expect(list.json.items.map((i: { id: string }) => i.id)).toEqual([shown.id]);
		for (const id of [hidden.id, flagged.id, processing.id, other.id]) {
			expect((await viewer(token, 'GET', `/v1/library/viewer/items/${id}`)).status).toBe(404);
		}
		expect((await viewer(tokenB, 'GET', `/v1/library/viewer/items/${shown.id}`)).status).toBe(404);
		expect((await viewer(tokenB, 'GET', `/v1/library/viewer/items/${other.id}`)).status).toBe(200);

		const detail = await viewer(token, 'GET', `/v1/library/viewer/items/${shown.id}`);
		expect(detail.status).toBe(200);
		expect(detail.json).toMatchObject({
			id: shown.id,
			title: 'Samen zingen',
			durationSeconds: 900,
			resumeSeconds: null,
			flashWarning: false,
		});
		// Links name the item, never the client or the token.
		for (const url of [detail.json.mediaUrl, detail.json.thumbnailUrl] as string[]) {
			expect(url).toMatch(/^\/v1\/library\/media\//);
			expect(url).not.toContain('client-77');
			expect(url).not.toContain(token.slice(0, 20));
		}

		// The whole file, then ranges: the exact bytes asked for.
		const media = `${t.host.url}${detail.json.mediaUrl}`;
		const whole = await fetch(media);
		expect(whole.status).toBe(200);
		expect(whole.headers.get('content-type')).toBe('video/mp4');
		expect(whole.headers.get('accept-ranges')).toBe('bytes');
		expect(Buffer.from(await whole.arrayBuffer()).equals(mediaBytes)).toBe(true);
		const head = await fetch(media, { method: 'HEAD' });
		expect(head.status).toBe(200);
		expect(head.headers.get('content-length')).toBe('200000');
		const part = await fetch(media, { headers: { range: 'bytes=100000-100999' } });
		expect(part.status).toBe(206);
		expect(part.headers.get('content-range')).toBe('bytes 100000-100999/200000');
		expect(part.headers.get('content-length')).toBe('1000');
		expect(Buffer.from(await part.arrayBuffer()).equals(mediaBytes.subarray(100000, 101000))).toBe(true);
		const open = await fetch(media, { headers: { range: 'bytes=199990-' } });
		expect(open.headers.get('content-range')).toBe('bytes 199990-199999/200000');
		expect(Buffer.from(await open.arrayBuffer()).equals(mediaBytes.subarray(199990))).toBe(true);
		const suffix = await fetch(media, { headers: { range: 'bytes=-16' } });
		expect(suffix.status).toBe(206);
		expect(Buffer.from(await suffix.arrayBuffer()).equals(mediaBytes.subarray(-16))).toBe(true);
		const beyond = await fetch(media, { headers: { range: 'bytes=300000-' } });
		expect(beyond.status).toBe(416);
		expect(beyond.headers.get('content-range')).toBe('bytes */200000');
		await beyond.body?.cancel();
		const thumb = await fetch(`${t.host.url}${detail.json.thumbnailUrl}`);
		expect(thumb.headers.get('content-type')).toBe('image/jpeg');
		expect(await thumb.text()).toBe('thumbnail of Samen zingen');

		// A changed or expired link does not work.
		const tampered = media.replace(/sig=./, (m) => (m.endsWith('A') ? 'sig=B' : 'sig=A'));
		expect((await fetch(tampered)).status).toBe(403);
		const tenantA = t.host.tenants.get('zorg-a')!;
		const past = Math.floor(Date.now() / 1000) - 60;
		expect(
			(
				await fetch(
					`${t.host.url}/v1/library/media/zorg-a/${shown.id}/media?exp=${past}&sig=${mediaSignature(tenantA, shown.id, 'media', past)}`,
				)
			).status,
		).toBe(403);
		// A link for one item does not open another.
		expect((await fetch(media.replace(shown.id, hidden.id))).status).toBe(403);

		// Watching: events reach the attendance stream and the place is kept for next time.
		expect(
			(
				await viewer(token, 'POST', `/v1/library/viewer/items/${shown.id}/watch`, {
					event: 'started',
					positionSeconds: 0,
					eventId: 'ev-started-01',
				})
			).status,
		).toBe(200);
		const progress = await viewer(token, 'POST', `/v1/library/viewer/items/${shown.id}/watch`, {
			event: 'progress',
			positionSeconds: 192,
			eventId: 'ev-progress-01',
		});
		expect(progress.json).toEqual({ stored: true, resumeSeconds: 192 });
		const retried = await viewer(token, 'POST', `/v1/library/viewer/items/${shown.id}/watch`, {
			event: 'progress',
			positionSeconds: 192,
			eventId: 'ev-progress-01',
		});
		expect(retried.json.stored).toBe(false);
		expect(
			(await viewer(token, 'POST', `/v1/library/viewer/items/${shown.id}/watch`, { event: 'paused', positionSeconds: 1 })).status,
		).toBe(400);
		expect(
			(await viewer(token, 'POST', `/v1/library/viewer/items/${hidden.id}/watch`, { event: 'started', positionSeconds: 0 })).status,
		).toBe(404);
		expect((await viewer(token, 'GET', `/v1/library/viewer/items/${shown.id}`)).json.resumeSeconds).toBe(192);
		expect((await viewer(tokenB, 'GET', `/v1/library/viewer/items/${other.id}`)).json.resumeSeconds).toBeNull();
		const events: AttendanceEvent[] = [];
		for await (const e of t.host.attendance.replay({ type: 'library.watch', tenantId: 'zorg-a' })) events.push(e);
		expect(events.filter((e) => e.itemId === shown.id).map((e) => [e.participantId, e.event, e.positionSeconds, e.module])).toEqual([
			['client-77', 'started', 0, 'communicatie'],
			['client-77', 'progress', 192, 'communicatie'],
		]);

		// Unpublishing stops an issued link at once.
		await t.host.library.unpublish('zorg-a', shown.id);
		expect((await fetch(media)).status).toBe(404);
	});

	it('accepts only library tokens, from websites the organisation allows', async () => {
		const a = t.tenants[0]!;
		const token = await libraryToken(a, 'client-90');
		expect((await fetch(`${t.host.url}/v1/library/viewer/modules`)).status).toBe(401);
		// A join token (another audience) and the tenant key are not library tokens.
		const sessionId = await t.createSession(a);
		const join = await t.token(a, sessionId, 'participant', 'client-90');
		expect((await viewer(join, 'GET', '/v1/library/viewer/modules')).status).toBe(401);
		expect((await viewer(a.apiKey, 'GET', '/v1/library/viewer/modules')).status).toBe(401);
		expect((await viewer(`${token.slice(0, -3)}abc`, 'GET', '/v1/library/viewer/modules')).status).toBe(401);
		const foreign = await viewer(token, 'GET', '/v1/library/viewer/modules', undefined, { origin: 'https://elders.example' });
		expect(foreign.status).toBe(403);
		expect(foreign.json.error.code).toBe('origin_not_allowed');
		// The allowed website's browser may ask (CORS preflight).
		const preflight = await fetch(`${t.host.url}/v1/library/viewer/items`, {
			method: 'OPTIONS',
			headers: { origin: site, 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' },
		});
		expect(preflight.headers.get('access-control-allow-origin')).toBe(site);
		// Token requests are validated like every admin body.
		const badToken = await t.api(a, 'POST', '/v1/library/tokens', { participantId: 'Jan de Vries' });
		expect(badToken.status).toBe(400);
		expect(badToken.json.error.details.fields[0].field).toBe('participantId');
	});
});
