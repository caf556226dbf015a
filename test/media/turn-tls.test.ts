import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SessionClient } from '@luwte/sdk';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, chromiumPath, launchChromium } from '../helpers/chromium.ts';
import { nftUnavailable, onlyTcp443 } from '../helpers/firewall.ts';
import { startTestHost, type TestHost } from '../helpers/host.ts';
import {
	addServerAddress,
	removeServerAddress,
	SERVER_IP,
	shapedRigUnavailable,
	startShapedReceiver,
	type ShapedReceiver,
} from '../helpers/netns.ts';
import { freePortRange } from '../helpers/ports.ts';
import { startTurn, turnUnavailable, type TestTurn } from '../helpers/turn-server.ts';
import { waitFor } from '../helpers/wait.ts';
import { fakeMedia, webrtc } from '../helpers/wrtc-media.ts';

// The strictest institutional network, with a browser: only TCP to port 443 leaves it. Chromium
// runs inside a network namespace of its own behind that firewall (nftables); the host answers on
// 443 (as behind its HTTPS proxy) and coturn offers TURN over TLS on 443 on a second address.
// Chromium decodes the host's video relayed by TURN over TLS. The certificate is a test one, so
// this Chromium ignores certificate errors; a deployment uses a public certificate for the name.

const unavailable = shapedRigUnavailable() ?? turnUnavailable() ?? (chromiumAvailable() ? undefined : 'no Chromium') ?? nftUnavailable();
const TURN_IP = '198.18.0.3';
const PAGE_URL = 'http://127.0.0.1:8000/';

const page = `<!doctype html><html lang="nl"><head><meta charset="utf-8"><title>Dagbesteding</title></head>
<body><video id="remote" autoplay playsinline muted width="320" height="180"></video>
<script type="module">
window.join = async (server, token) => {
	const { SessionClient } = await import(server + '/embed/luwte-client.js');
	const client = new SessionClient({ server });
	window.client = client;
	client.on('track', (t) => {
		if (t.kind === 'video') document.getElementById('remote').srcObject = new MediaStream([t.track]);
	});
	await client.connect(token);
};
</script></body></html>`;

describe.skipIf(unavailable !== undefined)('a browser whose network allows only TCP to port 443', () => {
	let t: TestHost | undefined;
	let turn: TestTurn | undefined;
	let ns: ShapedReceiver | undefined;
	let browser: Browser | undefined;
	let pageServer: ChildProcess | undefined;
	beforeAll(async () => {
		addServerAddress();
		execFileSync('ip', ['addr', 'add', `${TURN_IP}/32`, 'dev', 'lo']);
		const ports = await freePortRange(24);
		turn = await startTurn({ ip: TURN_IP, port: ports.min, tlsPort: 443, relayPorts: { min: ports.min + 4, max: ports.max } });
		t = await startTestHost({
			listenIp: SERVER_IP,
			port: 443,
			allowedOrigins: { a: [new URL(PAGE_URL).origin] },
			turn: { urls: ['turns:turn.luwte.test:443?transport=tcp'], secret: turn.secret },
		});
		// A namespace of its own behind the firewall (the receiver process only holds it), with the TURN name in its /etc/hosts.
		ns = await startShapedReceiver({
			index: 11,
			kbps: 100_000,
			latencyMs: 50,
			deadlineMs: 240_000,
			hosts: [`${TURN_IP} turn.luwte.test`],
		});
		onlyTcp443(ns);
		// The care provider's page, served inside the namespace on its loopback (a secure context, as HTTPS would be).
		pageServer = spawn(
			'nsenter',
			[
				'-t',
				String(ns.pid),
				'-n',
				process.execPath,
				'-e',
				"require('node:http').createServer((q, r) => { r.writeHead(200, { 'content-type': 'text/html' }); r.end(process.env.PAGE); }).listen(8000, '127.0.0.1', () => console.log('up'))",
			],
			{ env: { ...process.env, PAGE: page }, stdio: ['ignore', 'pipe', 'inherit'] },
		);
		await new Promise<void>((resolve, reject) => {
			pageServer!.stdout!.once('data', () => resolve());
			pageServer!.once('exit', (code) => reject(new Error(`page server exited with ${code}`)));
		});
		// Chromium started inside that namespace (network and mounts): a wrapper the launcher runs.
		const dir = mkdtempSync(join(tmpdir(), 'luwte-chromium-ns-'));
		const wrapper = join(dir, 'chromium');
		writeFileSync(wrapper, `#!/bin/sh\nexec nsenter -t ${ns.pid} -n -m ${chromiumPath} "$@"\n`);
		chmodSync(wrapper, 0o755);
		// The test CA's certificate (a deployment has a public one).
		browser = await launchChromium({ executablePath: wrapper, extraArgs: ['--ignore-certificate-errors'] });
	});
	afterAll(async () => {
		await browser?.close();
		pageServer?.kill();
		await ns?.close();
		await t?.close();
		await turn?.close();
		spawnSync('ip', ['addr', 'del', `${TURN_IP}/32`, 'dev', 'lo']);
		removeServerAddress();
	});

	it('receives decoded video relayed by TURN over TLS on 443', async () => {
		const tenant = t!.tenants[0]!;
		const sessionId = await t!.createSession(tenant, { title: 'Muziekquiz' });
		const host = new SessionClient({ server: t!.host.url, webrtc });
		const media = fakeMedia(320, 180, 15);
		const tab = await browser!.newPage();
		try {
			await host.connect(await t!.token(tenant, sessionId, 'host', 'begeleider-1'));
			await host.publish({ camera: media.camera });
			await tab.goto(PAGE_URL);
			const token = await t!.token(tenant, sessionId, 'viewer', 'client-3');
			await tab.evaluate(([server, tok]) => (window as any).join(server, tok), [t!.host.url, token] as const);
			await tab.waitForFunction(() => (document.getElementById('remote') as HTMLVideoElement).videoWidth > 0, null, {
				timeout: 90_000,
			});
			// The path ICE chose: the transport's selected pair (Chromium may report it a moment after the first frame).
			const selectedPath = () =>
				tab.evaluate(async () => {
					const stats: RTCStatsReport = await (window as any).client.receiveStats();
					const byId = new Map<string, any>();
					stats.forEach((s: any) => {
						byId.set(s.id, s);
					});
					let pairId: string | undefined;
					stats.forEach((s: any) => {
						if (s.type === 'transport' && s.selectedCandidatePairId) pairId = s.selectedCandidatePairId;
					});
					stats.forEach((s: any) => {
						if (!pairId && s.type === 'candidate-pair' && s.state === 'succeeded' && s.nominated) pairId = s.id;
					});
					const local = pairId ? byId.get(byId.get(pairId)?.localCandidateId) : undefined;
					return local ? { candidateType: String(local.candidateType), relayProtocol: String(local.relayProtocol) } : undefined;
				});
			let path: Awaited<ReturnType<typeof selectedPath>>;
			await waitFor(
				async () => {
					path = await selectedPath();
					return path !== undefined;
				},
				30_000,
				"the selected candidate pair in Chromium's stats",
			);
			expect(path).toEqual({ candidateType: 'relay', relayProtocol: 'tls' });
		} finally {
			media.stop();
			await tab.close();
			await host.leave();
		}
	}, 240_000);
});
