/**
 * Luwte as a bench server: a real `luwte serve` in its own process (test/helpers/host-process.ts),
 * it and its mediasoup worker pinned to the server's core. The publisher joins as the begeleider
 * (host) and the subscribers as viewers, each a SessionClient over @roamhq/wrtc: what an embedding
 * page does, through the whole signalling path, the calm ABR and the attendance ledger.
 */
import { readFileSync, rmSync } from 'node:fs';
import wrtc from '@roamhq/wrtc';
import { SessionClient } from '@luwte/sdk';
import { hostProcess } from '../../../test/helpers/host-process.ts';
import { pin, processTree } from '../pin.ts';
import { publisherCapBps, type Sfu, webrtcOf } from './sfu.ts';

export async function luwteSfu(cpus: string, opts: { simulcast?: boolean } = {}): Promise<Sfu> {
	const host = await hostProcess({
		extraArgs: ['--max-connections-per-ip', '10000', '--max-incoming-kbps', String(publisherCapBps / 1000)],
	});
	// The host is this process's child (see processTree); its worker, the host's child.
	const hostPid = () => processTree(process.pid).filter((p) => p !== process.pid);
	pin(hostPid(), cpus);
	const created = await host.api('POST', '/v1/sessions', { title: 'webrtc fan-out', kind: 'online', module: 'communicatie' });
	if (created.status !== 201) throw new Error(`create session: ${created.status} ${JSON.stringify(created.json)}`);
	const sessionId = created.json.id as string;
	const webrtc = webrtcOf(wrtc);
	const clients: SessionClient[] = [];
	let n = 0;
	const join = async (role: 'host' | 'viewer') => {
		// Pseudonymous IDs only.
		const r = await host.api('POST', `/v1/sessions/${sessionId}/tokens`, { role, participantId: `bench-${role}-${++n}` });
		if (r.status !== 201) throw new Error(`token: ${r.status} ${JSON.stringify(r.json)}`);
		const c = new SessionClient({ server: host.url, webrtc, onListenerError: () => {} });
		clients.push(c);
		await c.connect(r.json.token as string);
		return c;
	};
	return {
		name: 'luwte',
		version: `Luwte (mediasoup inside)`,
		// Node (signalling, ABR, ledger) and the worker: all of the host's CPU counts.
		serverPids: hostPid,
		workerPids: () => hostPid().filter((pid) => isMediasoupWorker(pid)),
		async publish({ camera, microphone }) {
			const c = await join('host');
			await c.publish({ camera, microphone, simulcast: opts.simulcast ?? false });
		},
		async subscribe() {
			const c = await join('viewer');
			return { stats: () => c.receiveStats(), close: () => void c.leave().catch(() => undefined) };
		},
		async stop() {
			await Promise.allSettled(clients.map((c) => c.leave()));
			await host.stop('SIGTERM');
			rmSync(host.dataDir, { recursive: true, force: true });
		},
	};
}

function isMediasoupWorker(pid: number): boolean {
	try {
		return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('mediasoup-worker');
	} catch {
		return false;
	}
}
