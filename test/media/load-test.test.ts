import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LoadReport } from '../../apps/host-cli/src/load/summary.ts';
import { startTestHost, testOperatorKey, type TestHost } from '../helpers/host.ts';

const bin = join(import.meta.dirname, '..', '..', 'apps', 'host-cli', 'bin', 'luwte.mjs');

// `luwte load-test` as a user runs it, small: one publisher, three subscribers, a few seconds, on
// loopback. The numbers must be plausible: everyone got media, nothing lost, audio delivered whole.
describe('luwte load-test', () => {
	let t: TestHost;
	beforeAll(async () => {
		t = await startTestHost();
	});
	afterAll(() => t?.close());

	function loadTest(args: string[], onErr?: (soFar: string, child: ChildProcess) => void) {
		const env = {
			PATH: process.env.PATH,
			LUWTE_SERVER: t.host.url,
			LUWTE_API_KEY: t.tenants[0]!.apiKey,
			LUWTE_OPERATOR_KEY: testOperatorKey,
		};
		const child = spawn(process.execPath, [bin, 'load-test', ...args, '--json'], { stdio: ['ignore', 'pipe', 'pipe'], env });
		let out = '';
		let err = '';
		child.stdout!.on('data', (d) => (out += d));
		child.stderr!.on('data', (d) => {
			err += d;
			onErr?.(err, child);
		});
		return new Promise<{ code: number | null; out: string; err: string }>((resolve) =>
			child.once('exit', (code) => resolve({ code, out, err })),
		);
	}

	it('joins real WebRTC clients and reports what arrived', { timeout: 180_000 }, async () => {
		const { code, out, err } = await loadTest(['--publishers', '1', '--subscribers', '3', '--duration', '8']);
		expect(code, err).toBe(0);
		// Progress once a second during the window, on stderr.
		expect(err).toMatch(/^8\/8 s: up [0-9.]+ Mbit\/s, down [0-9.]+ Mbit\/s, subscribers with media 3\/3/m);

		const r = JSON.parse(out) as LoadReport;
		expect(r.failures.count).toBe(0);
		expect(r.interrupted).toBe(false);
		expect(r.windowSeconds).toBeGreaterThanOrEqual(7.5);
		expect(r.publishers.clients).toBe(1);
		expect(r.publishers.tracks).toBe(2);
		expect(r.publishers.packets).toBeGreaterThan(0);
		expect(r.subscribers.clients).toBe(3);
		// Camera and microphone of the one publisher, at every subscriber.
		expect(r.subscribers.tracks).toBe(6);
		expect(r.subscribers.bitrateKbpsPerClient!.n).toBe(3);
		expect(r.subscribers.bitrateKbpsPerClient!.p50).toBeGreaterThan(20);
		// Loopback: nothing lost, and each subscriber gets (nearly) every audio packet sent in the
		// window (the clients' counters are read a few ms apart, hence not exactly). mediasoup's
		// bandwidth probes (their own stream, with gaps by design) are not media and not counted.
		expect(r.subscribers.packetsLost).toBe(0);
		expect(r.subscribers.lossPercent).toBe(0);
		// Video flowed all along: a whole second without a packet is a freeze (3 subscribers × 8 s here).
		expect(r.subscribers.video.frozenSeconds).toBeLessThanOrEqual(2);
		expect(r.subscribers.video.framesDecoded).toBeGreaterThan(3 * 5 * 8 * 0.5);
		expect(r.audioDelivery.sent).toBeGreaterThan(200);
		expect(r.audioDelivery.ratio!).toBeGreaterThan(0.97);
		expect(r.audioDelivery.ratio!).toBeLessThan(1.03);
		expect(r.audioDelivery.minSubscriberRatio!).toBeGreaterThan(0.95);
		// Join-to-first-packet measured for every subscriber, after its join.
		const first = r.subscribers.joinToFirstPacketMs!;
		expect(first.n).toBe(3);
		expect(first.p50).toBeGreaterThan(0);
		expect(first.max).toBeLessThan(30_000);
		// CPU: the generator's own and, with the operator key, the host's media workers'.
		expect(r.cpu.generatorCores).toBeGreaterThan(0);
		expect(r.cpu.serverWorkerCores).toBeGreaterThan(0);
	});

	it('on SIGINT ends the window early, leaves, ends the session and still reports', { timeout: 180_000 }, async () => {
		let sent = false;
		const { code, out, err } = await loadTest(['--publishers', '1', '--subscribers', '1', '--duration', '300'], (soFar, child) => {
			if (!sent && /^2\/300 s:/m.test(soFar)) {
				sent = true;
				child.kill('SIGINT');
			}
		});
		expect(sent, err).toBe(true);
		expect(code, err).toBe(1);
		const r = JSON.parse(out) as LoadReport;
		expect(r.interrupted).toBe(true);
		expect(r.windowSeconds).toBeLessThan(60);
		expect(r.subscribers.clients).toBe(1);
		const session = await t.api(t.tenants[0]!, 'GET', `/v1/sessions/${r.sessionId}`);
		expect(session.json.state).toBe('ended');
		expect(session.json.participants ?? []).toEqual([]);
	});
});
