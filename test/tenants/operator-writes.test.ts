import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startHost } from '@luwte/host-web';
import { OperatorClient } from '@luwte/sdk/admin';
import { expect, it } from 'vitest';
import { testOperatorKey } from '../helpers/host.ts';
import { freePortRange } from '../helpers/ports.ts';

it('answers 503 when the tenants file cannot be written, and the host then knows nothing of the change', async () => {
	const dataDir = await mkdtemp(join(tmpdir(), 'luwte-operator-'));
	const host = await startHost({
		port: 0,
		hostname: '127.0.0.1',
		dataDir,
		logLevel: 'silent',
		operatorKey: testOperatorKey,
		engine: { workerCount: 1, webRtc: { listenIp: '127.0.0.1', portRange: await freePortRange(3), enableTcp: false } },
	});
	const op = new OperatorClient({ server: host.url, operatorKey: testOperatorKey });
	try {
		const made = await op.createTenant({ id: 'zorg-west', name: 'Zorg West' });
		// The data directory gone (a full or broken disk): nothing can be written under it.
		await rename(dataDir, `${dataDir}.away`);
		await writeFile(dataDir, 'not a folder');
		try {
			await expect(op.createTenant({ id: 'zorg-oost', name: 'Zorg Oost' })).rejects.toMatchObject({
				status: 503,
				code: 'unavailable',
			});
			await expect(op.updateTenant('zorg-west', { name: 'Zorg West-Friesland' })).rejects.toMatchObject({ status: 503 });
			await expect(op.addTenantKey('zorg-west')).rejects.toMatchObject({ status: 503 });
			// As before: the failed changes are nowhere, not even in this host's memory.
			const listed = (await op.listTenants()).tenants;
			expect(listed.map((t) => t.id)).toEqual(['dev', 'zorg-west']);
			expect(listed[1]).toEqual(made.tenant);
		} finally {
			await rm(dataDir, { force: true });
			await rename(`${dataDir}.away`, dataDir);
		}
	} finally {
		await host.close();
		await rm(dataDir, { recursive: true, force: true });
	}
});
