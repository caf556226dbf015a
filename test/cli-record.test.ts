import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { SessionClient } from '@luwte/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { markedMedia } from './helpers/av-source.ts';
import { startTestHost, type TestHost } from './helpers/host.ts';
import { waitFor } from './helpers/wait.ts';
import { webrtc } from './helpers/wrtc-media.ts';

const bin = join(import.meta.dirname, '..', 'apps', 'host-cli', 'bin', 'luwte.mjs');

describe('luwte record', () => {
	let t: TestHost;
	let env: NodeJS.ProcessEnv;
	beforeAll(async () => {
		t = await startTestHost();
		env = { PATH: process.env.PATH, LUWTE_SERVER: t.host.url, LUWTE_API_KEY: t.tenants[0]!.apiKey };
	});
	afterAll(() => t?.close());

	function luwte(args: string[]): Promise<{ code: number | null; out: string; err: string }> {
		const child = spawn(process.execPath, [bin, 'record', ...args], { stdio: ['ignore', 'pipe', 'pipe'], env });
		let out = '';
		let err = '';
		child.stdout!.on('data', (d) => (out += d));
		child.stderr!.on('data', (d) => (err += d));
		return new Promise((resolve) => child.once('exit', (code) => resolve({ code, out, err })));
	}

	it('starts a recording, registers consent, stops it and follows the item being made until it is in the library', async () => {
		const tenant = t.tenants[0]!;
		const sessionId = await t.createSession(tenant, { title: 'Muziek luisteren', module: 'communicatie' });
		const host = new SessionClient({ server: t.host.url, webrtc });
		const client = new SessionClient({ server: t.host.url, webrtc });
		const a = markedMedia({ width: 320, height: 180 });
		const b = markedMedia({ width: 320, height: 180 });
		try {
			await host.connect(await t.token(tenant, sessionId, 'host', 'begeleider-4'));
			await host.publish({ camera: a.camera, microphone: a.microphone });
			await client.connect(await t.token(tenant, sessionId, 'participant', 'client-40'));
			await client.publish({ camera: b.camera, microphone: b.microphone });

			const started = await luwte(['start', sessionId, '--json']);
			expect(started.code, started.err).toBe(0);
			const recording = JSON.parse(started.out) as { recordingId: string; state: string };
			expect(recording.state).toBe('recording');
			const session = t.host.engine.session(tenant.id, sessionId);
			await waitFor(() => session.recordingStatus().recorded.includes('begeleider-4'), 10_000, 'the host recorded');

			const consent = await luwte(['consent', sessionId, 'client-40', 'yes']);
			expect(consent.code, consent.err).toBe(0);
			expect(consent.out).toMatch(/^client-40: consent given at \d{4}-/);
			await waitFor(() => session.recordingStatus().recorded.includes('client-40'), 10_000, 'the client recorded after consent');
			await new Promise((r) => setTimeout(r, 5000));

			const stopped = await luwte(['stop', sessionId, '--wait', '--json']);
			expect(stopped.code, stopped.err).toBe(0);
			const done = JSON.parse(stopped.out) as { state: string; itemId: string };
			expect(done.state).toBe('done');
			// Progress, step by step (stderr is not a terminal here), ending at 100 %.
			const steps = stopped.err.trim().split('\n');
			expect(steps.length).toBeGreaterThan(2);
			expect(steps.at(-1)).toBe('100 % done');
			const percents = steps.map((l) => Number(/^\s*(\d+) %/.exec(l)?.[1]));
			expect(percents).toEqual(percents.toSorted((x, y) => x - y));
			expect((await t.host.library.get(tenant.id, done.itemId)).status).toBe('published');

			const bad = await luwte(['consent', sessionId, 'client-40', 'misschien']);
			expect(bad.code).toBe(2);
			expect(bad.err).toMatch(/consent is yes or no/);
		} finally {
			a.stop();
			b.stop();
			await client.leave().catch(() => undefined);
			await host.leave().catch(() => undefined);
		}
	}, 180_000);
});
