/**
 * The RTP sink's thread: binds the sink sockets and counts RTP packets per SSRC (one SSRC
 * per consumer). It runs in its own thread so that counting tens of thousands of packets
 * per second never delays the source relay on the main thread.
 */
import dgram from 'node:dgram';
import { parentPort, workerData } from 'node:worker_threads';
import type { SinkRequest, SinkResponse, SinkWorkerData } from './sink.ts';

interface StreamState {
	packets: number;
	bytes: number;
	/** Highest extended sequence number seen (16-bit seq plus wrap count). */
	maxExt: number;
	lastSeq: number;
}

const port = parentPort;
if (!port) throw new Error('sink-worker.ts must run as a worker thread');
const opts = workerData as SinkWorkerData;

let streams = new Map<number, StreamState>();
let rtcp = 0;
let other = 0;

function onPacket(msg: Buffer): void {
	if (msg.length < 12 || (msg[0]! & 0xc0) !== 0x80) {
		other++;
		return;
	}
	// RTCP shares the port (rtcp-mux): its packet types 192-223 sit where RTP has M+PT.
	const b1 = msg[1]!;
	if (b1 >= 192 && b1 <= 223) {
		rtcp++;
		return;
	}
	const seq = (msg[2]! << 8) | msg[3]!;
	const ssrc = msg.readUInt32BE(8);
	const s = streams.get(ssrc);
	if (!s) {
		streams.set(ssrc, { packets: 1, bytes: msg.length, maxExt: seq, lastSeq: seq });
		return;
	}
	s.packets++;
	s.bytes += msg.length;
	// Forward step (mod 2^16) below half the space: newer packet, possibly across a wrap.
	const step = (seq - s.lastSeq) & 0xffff;
	if (step !== 0 && step < 0x8000) {
		s.maxExt += step;
		s.lastSeq = seq;
	}
}

const sockets: dgram.Socket[] = [];
let pending = opts.count;
for (let i = 0; i < opts.count; i++) {
	const s = dgram.createSocket({ type: 'udp4', recvBufferSize: opts.recvBufferBytes });
	s.on('message', onPacket);
	s.on('error', (err) => port.postMessage({ type: 'error', message: err.message } satisfies SinkResponse));
	s.bind(0, '127.0.0.1', () => {
		sockets.push(s);
		if (--pending === 0) {
			port.postMessage({
				type: 'ready',
				ports: sockets.map((x) => x.address().port),
				recvBufferBytes: sockets[0]!.getRecvBufferSize(),
			} satisfies SinkResponse);
		}
	});
}

port.on('message', (req: SinkRequest) => {
	switch (req.type) {
		case 'snapshot': {
			// Flat array (ssrc, packets, bytes, maxExt per stream): cheap to copy across threads.
			const flat = new Float64Array(streams.size * 4);
			let i = 0;
			for (const [ssrc, s] of streams) {
				flat[i++] = ssrc;
				flat[i++] = s.packets;
				flat[i++] = s.bytes;
				flat[i++] = s.maxExt;
			}
			port.postMessage({ type: 'snapshot', id: req.id, streams: flat, rtcp, other } satisfies SinkResponse);
			break;
		}
		case 'reset':
			streams = new Map();
			rtcp = 0;
			other = 0;
			port.postMessage({ type: 'reset', id: req.id } satisfies SinkResponse);
			break;
		case 'close':
			for (const s of sockets) s.close();
			port.close();
			break;
	}
});
