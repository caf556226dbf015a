import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHost, type TestHost } from '../helpers/host.ts';
import { waitFor } from '../helpers/wait.ts';

/** 300 KB whose every byte says where it is, so a range's bytes can be checked exactly. */
const mediaBytes = Buffer.from(Array.from({ length: 300_000 }, (_, i) => (i * 13 + (i >> 9)) & 0xff));

/**
 * Two real hosts (own data directories, ledgers and engines) on one library folder, the way a
 * cluster shares an NFS mount: whatever host a viewer's or an admin's request lands on serves it.
 */
describe('library shared by two hosts', () => {
	let a: TestHost;
	let b: TestHost;
	const dirs: string[] = [];
	beforeAll(async () => {
		const shared = await mkdtemp(join(tmpdir(), 'luwte-shared-library-'));
		dirs.push(shared);
		a = await startTestHost({ libraryDir: shared });
		b = await startTestHost({ libraryDir: shared, tenantsOf: a });
	});
	afterAll(async () => {
		await b?.close();
		await a?.close();
		for (const d of dirs) await rm(d, { recursive: true, force: true });
	});

	async function addOnA(title: string) {
		const sourceDir = await mkdtemp(join(tmpdir(), 'luwte-pp-'));
		dirs.push(sourceDir);
		await writeFile(join(sourceDir, 'out.mp4'), mediaBytes);
		await writeFile(join(sourceDir, 'out.jpg'), `thumbnail of ${title}`);
		return a.host.library.addItem({
			tenantId: 'zorg-a',
			title,
			module: 'communicatie',
			durationSeconds: 900,
			recordedAt: Date.parse('2026-11-20T10:00:00Z'),
			sourceDir,
			media: 'out.mp4',
			thumbnail: 'out.jpg',
		});
	}

	const viewer = async (host: TestHost, token: string, path: string) => {
		const res = await fetch(`${host.host.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
		return { status: res.status, json: await res.json() };
	};

	it('keeps separate data directories and one library folder', () => {
		expect(a.dataDir).not.toBe(b.dataDir);
		expect(a.host.library.dir).toBe(b.host.library.dir);
		expect(a.host.library.dir).not.toContain(a.dataDir);
	});

	it('serves on host B the signed media link of an item host A added, with ranges', async () => {
		const [tenant] = a.tenants as [TestHost['tenants'][0]];
		const added = await addOnA('Samen zingen');
		// Host B answers for it at once (one item is read from disk), and lists it within the bound.
		const tokenRes = await b.api(tenant, 'POST', '/v1/library/tokens', { participantId: 'client-5', ttlSeconds: 3600 });
		expect(tokenRes.status).toBe(201);
		const token = tokenRes.json.token as string;
		const detail = await viewer(b, token, `/v1/library/viewer/items/${added.id}`);
		expect(detail.status).toBe(200);
		expect(detail.json).toMatchObject({ id: added.id, title: 'Samen zingen' });
		await waitFor(
			async () => (await viewer(b, token, '/v1/library/viewer/items')).json.items.some((i: { id: string }) => i.id === added.id),
			30_000,
			"host A's item in host B's viewer list",
		);

		const media = `${b.host.url}${detail.json.mediaUrl}`;
		const whole = await fetch(media);
		expect(whole.status).toBe(200);
		expect(whole.headers.get('content-type')).toBe('video/mp4');
		expect(Buffer.from(await whole.arrayBuffer()).equals(mediaBytes)).toBe(true);
		const part = await fetch(media, { headers: { range: 'bytes=150000-150499' } });
		expect(part.status).toBe(206);
		expect(part.headers.get('content-range')).toBe('bytes 150000-150499/300000');
		expect(Buffer.from(await part.arrayBuffer()).equals(mediaBytes.subarray(150000, 150500))).toBe(true);
		const thumb = await fetch(`${b.host.url}${detail.json.thumbnailUrl}`);
		expect(await thumb.text()).toBe('thumbnail of Samen zingen');
		// The same link works on host A (one signing secret per tenant, one folder).
		expect((await fetch(`${a.host.url}${detail.json.mediaUrl}`, { headers: { range: 'bytes=0-9' } })).status).toBe(206);

		// Unpublished on host A: host B stops the link at once.
		expect((await a.api(tenant, 'POST', `/v1/library/items/${added.id}/unpublish`)).status).toBe(200);
		const stopped = await fetch(media);
		expect(stopped.status).toBe(404);
		await stopped.body?.cancel();
	});

	it('drops on host A an item deleted on host B', async () => {
		const [tenant] = a.tenants as [TestHost['tenants'][0]];
		const added = await addOnA('Wandelen');
		expect((await b.api(tenant, 'GET', `/v1/library/items/${added.id}`)).status).toBe(200);
		await waitFor(
			async () => (await a.api(tenant, 'GET', '/v1/library/items')).json.items.some((i: { id: string }) => i.id === added.id),
			30_000,
			"the item in host A's list",
		);
		const del = await b.api(tenant, 'DELETE', `/v1/library/items/${added.id}`);
		expect(del.json).toEqual({ id: added.id, deleted: true });
		expect((await a.api(tenant, 'GET', `/v1/library/items/${added.id}`)).status).toBe(404);
		await waitFor(
			async () => !(await a.api(tenant, 'GET', '/v1/library/items')).json.items.some((i: { id: string }) => i.id === added.id),
			30_000,
			'the deleted item gone from host A list',
		);
	});

	it('keeps both edits when staff on host A and host B edit one item at once', async () => {
		const [tenant] = a.tenants as [TestHost['tenants'][0]];
		const added = await addOnA('Muziekquiz');
		for (let n = 0; n < 10; n++) {
			const [ra, rb] = await Promise.all([
				a.api(tenant, 'POST', `/v1/library/items/${added.id}`, { title: `Muziekquiz ${n}` }),
				b.api(tenant, 'POST', `/v1/library/items/${added.id}`, { description: `Ronde ${n}` }),
			]);
			expect([ra.status, rb.status]).toEqual([200, 200]);
			for (const host of [a, b]) {
				const got = await host.api(tenant, 'GET', `/v1/library/items/${added.id}`);
				expect({ title: got.json.title, description: got.json.description }).toEqual({
					title: `Muziekquiz ${n}`,
					description: `Ronde ${n}`,
				});
			}
		}
	});
});
