import { execFileSync, spawnSync } from 'node:child_process';
import { SessionClient } from '@luwte/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blockUdp, nftUnavailable, onlyTcp443 } from '../helpers/firewall.ts';
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

// Reachability behind institutional firewalls (docs/operations.md): a client in a network namespace
// of its own, behind a firewall (nftables in its namespace) that drops every UDP packet, still
// receives the host's video, relayed by a real coturn over TCP with the time-limited credentials
// the host hands out at join. The engine offers no ICE-TCP here, so TURN is the only way in.

const unavailable = shapedRigUnavailable() ?? turnUnavailable() ?? nftUnavailable();

describe.skipIf(unavailable !== undefined)('a client whose network blocks UDP', () => {
	let t: TestHost | undefined;
	let turn: TestTurn | undefined;
	const receivers: ShapedReceiver[] = [];
	beforeAll(async () => {
		addServerAddress();
		const ports = await freePortRange(24);
		turn = await startTurn({ ip: SERVER_IP, port: ports.min, relayPorts: { min: ports.min + 4, max: ports.max } });
		t = await startTestHost({ listenIp: SERVER_IP, turn: { urls: turn.urls, secret: turn.secret } });
	});
	afterAll(async () => {
		for (const r of receivers) await r.close();
		await t?.close();
		await turn?.close();
		removeServerAddress();
	});

	it('receives decoded video relayed by TURN over TCP', async () => {
		const tenant = t!.tenants[0]!;
		const sessionId = await t!.createSession(tenant, { title: 'Samen bewegen' });
		const host = new SessionClient({ server: t!.host.url, webrtc });
		const media = fakeMedia(320, 180, 15);
		try {
			await host.connect(await t!.token(tenant, sessionId, 'host', 'begeleider-1'));
			await host.publish({ camera: media.camera });
			const r = await startShapedReceiver({ index: 9, kbps: 100_000, latencyMs: 50, deadlineMs: 180_000 });
			receivers.push(r);
			// The institution's firewall: nothing over UDP, either way.
			blockUdp(r);
			await r.join(t!.host.url, await t!.token(tenant, sessionId, 'participant', 'client-1'), 60_000);
			await waitFor(() => (r.stats.at(-1)?.frames ?? 0) > 30, 90_000, 'decoded video at the client behind the firewall');
			const last = r.stats.at(-1)!;
			expect(last.width).toBeGreaterThan(0);
			// Relayed by the TURN server, reached over TCP.
			expect(last.path).toMatchObject({ candidateType: 'relay', relayProtocol: 'tcp' });
			expect(turn!.log()).toMatch(/ALLOCATE/i);
		} finally {
			media.stop();
			await host.leave();
		}
	}, 240_000);
});

// The strictest institutional network: only TCP to port 443 leaves it (as for HTTPS). The host
// answers on 443 too (as behind its TLS proxy), and coturn listens on 443 on a second address: the
// client reaches the media through TURN over TCP on 443. (TURN over TLS on 443, for networks that
// inspect the traffic, is tested with Chromium in turn-tls.test.ts: libwebrtc in Node closed the TLS
// handshake with the test certificate.)
const TURN_443_IP = '198.18.0.2';

describe.skipIf(unavailable !== undefined)('a client whose network allows only TCP to port 443', () => {
	let t: TestHost | undefined;
	let turn: TestTurn | undefined;
	const receivers: ShapedReceiver[] = [];
	beforeAll(async () => {
		addServerAddress();
		execFileSync('ip', ['addr', 'add', `${TURN_443_IP}/32`, 'dev', 'lo']);
		const ports = await freePortRange(24);
		turn = await startTurn({ ip: TURN_443_IP, port: 443, relayPorts: { min: ports.min, max: ports.max } });
		// By name, as a real deployment has it; only the TCP URL on 443: what such a network can use.
		t = await startTestHost({
			listenIp: SERVER_IP,
			port: 443,
			turn: { urls: ['turn:turn.luwte.test:443?transport=tcp'], secret: turn.secret },
		});
	});
	afterAll(async () => {
		for (const r of receivers) await r.close();
		await t?.close();
		await turn?.close();
		spawnSync('ip', ['addr', 'del', `${TURN_443_IP}/32`, 'dev', 'lo']);
		removeServerAddress();
	});

	it('receives decoded video relayed by TURN over TCP on 443', async () => {
		const tenant = t!.tenants[0]!;
		const sessionId = await t!.createSession(tenant, { title: 'Muziekquiz' });
		const host = new SessionClient({ server: t!.host.url, webrtc });
		const media = fakeMedia(320, 180, 15);
		try {
			await host.connect(await t!.token(tenant, sessionId, 'host', 'begeleider-1'));
			await host.publish({ camera: media.camera });
			const r = await startShapedReceiver({
				index: 10,
				kbps: 100_000,
				latencyMs: 50,
				deadlineMs: 180_000,
				hosts: [`${TURN_443_IP} turn.luwte.test`],
			});
			receivers.push(r);
			onlyTcp443(r);
			await r.join(t!.host.url, await t!.token(tenant, sessionId, 'participant', 'client-2'), 60_000);
			await waitFor(() => (r.stats.at(-1)?.frames ?? 0) > 30, 90_000, 'decoded video at the client behind the 443-only firewall');
			const last = r.stats.at(-1)!;
			expect(last.width).toBeGreaterThan(0);
			expect(last.path).toMatchObject({ candidateType: 'relay', relayProtocol: 'tcp' });
		} finally {
			media.stop();
			await host.leave();
		}
	}, 240_000);
});
