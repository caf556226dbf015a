/** Janus 1.1.2's VideoRoom as a bench server (Debian's janus with a private config, see janus/server.ts). */
import { startJanus } from '../janus/server.ts';
import { createRoom, JanusSession, publish, subscribe } from '../janus/videoroom.ts';
import { publisherCapBps, type Sfu } from './sfu.ts';

const room = 4242;

export async function janusSfu(cpus: string): Promise<Sfu> {
	const janus = await startJanus({ cpus });
	const session = new JanusSession(janus.apiUrl);
	await session.open();
	await createRoom(session, await session.attach(), room, publisherCapBps);
	let feedId: number | undefined;
	let pub: RTCPeerConnection | undefined;
	return {
		name: 'janus',
		version: `Janus ${janus.version}`,
		serverPids: () => [janus.pid],
		workerPids: () => [janus.pid],
		async publish({ camera, microphone }) {
			const p = await publish(session, room, [camera, microphone]);
			feedId = p.feedId;
			pub = p.pc;
		},
		async subscribe() {
			if (feedId === undefined) throw new Error('publish first');
			const pc = await subscribe(session, room, feedId);
			return { stats: () => pc.getStats(), close: () => pc.close() };
		},
		async stop() {
			pub?.close();
			await session.close().catch(() => undefined);
			await janus.stop();
		},
	};
}
