// A receiving client as a process of its own, for tests that put it in another network
// namespace (behind a shaped link): `unshare -n node test/helpers/netns-receiver.ts`. It speaks
// JSON lines: it prints {"type":"ready"} at once, waits on stdin for
// {"type":"join","server":…,"token":…}, then prints {"type":"stats",…} every second (decoded
// frames, frame width, how often the width changed) until {"type":"leave"}, the end of stdin, or
// its own deadline (argv[2] ms), so it never outlives the test that started it.
import { createInterface } from 'node:readline';
import { SessionClient } from '@luwte/sdk';
import { watchRemoteMedia, webrtc } from './wrtc-media.ts';

const deadlineMs = Number(process.argv[2] ?? 600_000);
const send = (msg: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(msg)}\n`);

let client: SessionClient | undefined;
let media: ReturnType<typeof watchRemoteMedia> | undefined;
let timer: ReturnType<typeof setInterval> | undefined;
let widthChanges = 0;
let lastWidth = 0;

async function stop(code: number): Promise<never> {
	clearInterval(timer);
	media?.stop();
	// Bounded: a leave over a dead link must not keep the process alive.
	await Promise.race([client?.leave(), new Promise((r) => setTimeout(r, 2000))]).catch(() => undefined);
	process.exit(code);
}

async function join(server: string, token: string): Promise<void> {
	client = new SessionClient({ server, webrtc });
	media = watchRemoteMedia(client);
	client.on('disconnected', ({ reason }) => send({ type: 'disconnected', reason }));
	await client.connect(token);
	send({ type: 'joined' });
	timer = setInterval(() => void report(), 1000);
}

/** The first remote video track's decoding, and libwebrtc's own view of it (freezes, bytes). */
async function report(): Promise<void> {
	const video = client?.remoteTracks.find((t) => t.kind === 'video');
	const seen = video ? media?.of(video.participantId, video.source) : undefined;
	const width = seen?.width ?? 0;
	// A decoded width change is what the person sees as a switch (the receiver's own count).
	if (width && lastWidth && width !== lastWidth) widthChanges++;
	if (width) lastWidth = width;
	let inbound: Record<string, number> | undefined;
	const stats = await client?.receiveStats().catch(() => undefined);
	// The path ICE chose: the local candidate of the nominated pair (host, srflx or relay) and its protocol.
	const byId = new Map<string, Record<string, unknown>>();
	stats?.forEach((s: Record<string, unknown>) => {
		byId.set(String(s.id), s);
	});
	let path: { candidateType: string; protocol: string; relayProtocol: string | undefined } | undefined;
	stats?.forEach((s: Record<string, unknown>) => {
		if (s.type !== 'candidate-pair' || s.state !== 'succeeded' || !s.nominated) return;
		const local = byId.get(String(s.localCandidateId));
		if (local) {
			path = {
				candidateType: String(local.candidateType),
				protocol: String(local.protocol),
				relayProtocol: local.relayProtocol === undefined ? undefined : String(local.relayProtocol),
			};
		}
	});
	stats?.forEach((s: Record<string, unknown>) => {
		if (s.type === 'inbound-rtp' && s.kind === 'video') {
			inbound = {
				bytesReceived: Number(s.bytesReceived ?? 0),
				framesDecoded: Number(s.framesDecoded ?? 0),
				freezeCount: Number(s.freezeCount ?? 0),
				totalFreezesDuration: Number(s.totalFreezesDuration ?? 0),
				packetsLost: Number(s.packetsLost ?? 0),
			};
		}
	});
	send({
		type: 'stats',
		frames: seen?.videoFrames ?? 0,
		width,
		widthChanges,
		...(inbound ? { inbound } : {}),
		...(path ? { path } : {}),
	});
}

setTimeout(() => void stop(3), deadlineMs).unref();
const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
	let msg: { type?: string; server?: string; token?: string };
	try {
		msg = JSON.parse(line);
	} catch {
		return;
	}
	if (msg.type === 'join' && msg.server && msg.token) {
		join(msg.server, msg.token).catch((err: Error) => {
			send({ type: 'error', message: err.message });
			void stop(2);
		});
	} else if (msg.type === 'leave') void stop(0);
});
lines.on('close', () => void stop(0));
send({ type: 'ready', pid: process.pid });
