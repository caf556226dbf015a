import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AdminClient } from '@luwte/sdk/admin';
import { afterAll, describe, expect, it } from 'vitest';
import { startTestHost, type TestHost } from '../helpers/host.ts';
import { waitFor } from '../helpers/wait.ts';
import { TestReceiver } from './receiver.ts';

// library.item.published: when an item becomes visible to clients: at completion without flash
// warnings, and after a person approved one with warnings (or published it again after hiding).

describe('library.item.published from a real host', () => {
	let t: TestHost | undefined;
	const receiver = new TestReceiver();
	afterAll(async () => {
		await receiver.stop();
		await t?.close();
	});

	it('is sent when an item is published, not while it waits for approval', { timeout: 60_000 }, async () => {
		await receiver.start();
		t = await startTestHost();
		const admin = new AdminClient({ server: t.host.url, apiKey: t.tenants[0]!.apiKey });
		const made = await admin.createWebhook({ url: receiver.url, events: ['library.item.published'] });
		receiver.secret = made.secret;
		const dir = mkdtempSync(join(tmpdir(), 'luwte-wh-lib-'));
		const add = (title: string, extra: Record<string, unknown> = {}) => {
			writeFileSync(join(dir, `${title}.mp4`), 'video');
			return t!.host.library.addItem({
				tenantId: 'zorg-a',
				title,
				module: 'vaardig-en-creatief',
				durationSeconds: 60,
				recordedAt: Date.now(),
				sourceDir: dir,
				media: `${title}.mp4`,
				...extra,
			});
		};
		const clay = await add('Kleien');
		const disco = await add('Disco', { flash: { windows: [{ startSeconds: 3, endSeconds: 4, maxFlashesPerSecond: 5 }] } });
		expect(disco.status).toBe('flagged');
		await waitFor(() => receiver.events.size === 1, 20_000, 'the first item');
		await admin.approveLibraryItem(disco.id, 'medewerker-8');
		await waitFor(() => receiver.events.size === 2, 20_000, 'the approved item');
		// Hidden and shown again: published again.
		await admin.unpublishLibraryItem(clay.id);
		await admin.publishLibraryItem(clay.id);
		await waitFor(() => receiver.events.size === 3, 20_000, 'the item published again');
		expect([...receiver.events.values()].map((e) => [e.type, e.data])).toEqual([
			['library.item.published', { itemId: clay.id, module: 'vaardig-en-creatief', sessionId: null }],
			['library.item.published', { itemId: disco.id, module: 'vaardig-en-creatief', sessionId: null }],
			['library.item.published', { itemId: clay.id, module: 'vaardig-en-creatief', sessionId: null }],
		]);
		expect(receiver.all.every((r) => r.verified)).toBe(true);
	});
});
