import dgram from 'node:dgram';
import { createEngine, type Engine } from '@luwte/engine';
import { START_LAYER_WAIT_MS } from '@luwte/engine/session';
import type { Participant, ParticipantNotification } from '@luwte/engine/session';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePortRange } from '../helpers/ports.ts';
import { waitFor } from '../helpers/wait.ts';

// A browser starts its simulcast layers a moment apart, often the top one first. A calm viewer's
// picture must begin on its start layer (one below the top), not on the top layer only to be
// stepped down when the start layer comes: that is a visible switch in the first seconds, and
// mediasoup cuts the frame in flight short by skipping a sequence number, which the viewer counts
// as a lost packet. Real mediasoup; a sender of hand-made VP8 packets whose layers start when the
// test says, and a receiver that reads what is forwarded, on loopback.

const PT = 101;
const LOW = 0x1111_0000;
const TOP = 0x2222_0000;
const MID = 0x3333_0000;
const FPS = 15;
const PACKETS_PER_FRAME = 3;
const KEY_EVERY = 8; // frames: about two key frames a second, so a switch never waits long

/** One layer's packets: VP8 with picture ID and TL0PICIDX, its layer named in the payload. */
class LayerSender {
	#seq = 1000;
	#ts = 0;
	#frame = 0;
	#tl0 = 0;
	#packets = 0;
	#octets = 0;

	/** Packets sent so far. */
	get packets(): number {
		return this.#packets;
	}
	/** When the first frame was sent (wall clock, ms): RTP timestamp 90,000 on the layer's clock. */
	#startedAt: number | undefined;
	readonly ssrc: number;
	/** Written into each packet's payload, so the receiver can tell which layer it got. */
	readonly tag: number;
	constructor(ssrc: number, tag: number) {
		this.ssrc = ssrc;
		this.tag = tag;
	}

	/** A sender report as a browser sends one per layer: what ties the layer's RTP clock to the wall clock. */
	senderReport(): Buffer | undefined {
		if (this.#startedAt === undefined) return undefined;
		const now = Date.now();
		const sr = Buffer.alloc(28);
		sr[0] = 0x80;
		sr[1] = 200;
		sr.writeUInt16BE(6, 2);
		sr.writeUInt32BE(this.ssrc, 4);
		const seconds = Math.floor(now / 1000) + 2_208_988_800; // NTP counts from 1900
		sr.writeUInt32BE(seconds >>> 0, 8);
		sr.writeUInt32BE(Math.floor(((now % 1000) / 1000) * 2 ** 32) >>> 0, 12);
		sr.writeUInt32BE((90_000 + Math.round((now - this.#startedAt) * 90)) >>> 0, 16);
		sr.writeUInt32BE(this.#packets, 20);
		sr.writeUInt32BE(this.#octets, 24);
		return sr;
	}

	nextFrame(): Buffer[] {
		this.#startedAt ??= Date.now();
		// The frame's capture time on the layer's clock, as the sender reports it.
		this.#ts = 90_000 + Math.round((Date.now() - this.#startedAt) * 90);
		const key = this.#frame % KEY_EVERY === 0;
		const pictureId = this.#frame & 0x7fff;
		// Three temporal layers as a browser sends them: 0, 2, 1, 2, ...
		const tid = [0, 2, 1, 2][this.#frame % 4]!;
		if (tid === 0) this.#tl0++;
		const out: Buffer[] = [];
		for (let p = 0; p < PACKETS_PER_FRAME; p++) {
			const header = Buffer.alloc(12);
			header[0] = 0x80;
			header[1] = (p === PACKETS_PER_FRAME - 1 ? 0x80 : 0) | PT;
			header.writeUInt16BE(this.#seq++ & 0xffff, 2);
			header.writeUInt32BE(this.#ts >>> 0, 4);
			header.writeUInt32BE(this.ssrc, 8);
			// X, S on the frame's first packet; I (15-bit picture ID), L (TL0PICIDX), T (the temporal
			// layer, with the layer-sync bit on the upper ones so a climb may start at any of them).
			const descriptor = Buffer.from([
				0x80 | (p === 0 ? 0x10 : 0),
				0xe0,
				0x80 | (pictureId >> 8),
				pictureId & 0xff,
				this.#tl0 & 0xff,
				(tid << 6) | (tid > 0 ? 0x20 : 0),
			]);
			// VP8 payload header: bit 0 clear on a key frame; then the layer's tag and filler.
			const body = Buffer.alloc(200, 0x55);
			body[0] = key ? 0x10 : 0x11;
			body[1] = this.tag;
			out.push(Buffer.concat([header, descriptor, body]));
			this.#packets++;
			this.#octets += descriptor.length + body.length;
		}
		this.#frame++;
		return out;
	}
}

/** The layer's tag in a forwarded packet: past the RTP header (mediasoup adds extensions) and the VP8 descriptor. */
function tagOf(m: Buffer): number {
	let o = 12 + 4 * (m[0]! & 0x0f);
	if (m[0]! & 0x10) o += 4 + 4 * m.readUInt16BE(o + 2);
	const x = m[o++]!;
	if (x & 0x80) {
		const flags = m[o++]!;
		if (flags & 0x80) o += m[o]! & 0x80 ? 2 : 1;
		if (flags & 0x40) o += 1;
		if (flags & 0x30) o += 1;
	}
	return m[o + 1]!;
}

interface Received {
	seq: number;
	tag: number;
}

describe("a calm viewer's picture begins on its start layer", () => {
	let engine: Engine;
	beforeAll(async () => {
		engine = await createEngine({
			workerCount: 1,
			webRtc: { listenIp: '127.0.0.1', portRange: await freePortRange(3), enableTcp: false },
		});
	});
	afterAll(() => engine?.close());

	/**
	 * A host sends the top layer from the start and the low one (`low`) from the start too, only
	 * once the server has had the top layer for a while (after the viewer asked to resume), or
	 * never; or (`alone`) announces three layers and sends only the lowest, as a browser on a weak
	 * uplink does. A calm viewer asks to resume and then receives five seconds of video.
	 */
	async function run(low: 'with-top' | 'late' | 'never' | 'alone') {
		const info = await engine.createSession({ tenantId: 't' });
		const session = engine.session('t', info.id);
		const sockets: dgram.Socket[] = [];
		let timer: ReturnType<typeof setInterval> | undefined;
		let reports: ReturnType<typeof setInterval> | undefined;
		try {
			const { participant: host } = await session.join('begeleider', 'host', () => {}, { stimulusProfile: 'standard' });
			const send = await session.createPlainTransport(host, 'send');
			await session.produce(
				host,
				send.id,
				'video',
				{
					codecs: [
						{
							mimeType: 'video/VP8',
							payloadType: PT,
							clockRate: 90000,
							rtcpFeedback: [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }],
						},
					],
					encodings: [
						{ ssrc: LOW, scalabilityMode: 'L1T3' },
						...(low === 'alone' ? [{ ssrc: MID, scalabilityMode: 'L1T3' }] : []),
						{ ssrc: TOP, scalabilityMode: 'L1T3' },
					],
					rtcp: { cname: 'camera-begeleider', reducedSize: true },
				},
				'camera',
				false,
			);

			// The viewer: a plain RTP end that asks to resume its consumer as a client does.
			const received: Received[] = [];
			const rx = dgram.createSocket('udp4');
			sockets.push(rx);
			rx.on('message', (m) => {
				if (m.length < 12 || (m[1]! >= 192 && m[1]! <= 223)) return; // RTCP (muxed, RFC 5761) is not media
				if ((m[1]! & 0x7f) !== PT) return;
				received.push({ seq: m.readUInt16BE(2), tag: tagOf(m) });
			});
			await new Promise<void>((resolve) => rx.bind(0, '127.0.0.1', resolve));
			const consumerIds: string[] = [];
			const notes = (n: ParticipantNotification) => {
				if (n.type === 'newConsumer' && n.kind === 'video') consumerIds.push(n.consumerId);
			};
			const joined = await session.join('client-7', 'participant', notes, { stimulusProfile: 'calm' });
			const viewer: Participant = joined.participant;
			const recv = await session.createPlainTransport(viewer, 'recv');
			await session.connectPlainTransport(viewer, recv.id, { ip: '127.0.0.1', port: rx.address().port });
			await session.ready(viewer, joined.rtpCapabilities);
			await waitFor(() => consumerIds.length === 1, 30_000, "the viewer's consumer");

			// The sender: one socket (the comedia transport locks onto its first address).
			const tx = dgram.createSocket('udp4');
			sockets.push(tx);
			await new Promise<void>((resolve) => tx.bind(0, '127.0.0.1', resolve));
			const topLayer = new LayerSender(TOP, 2);
			const lowLayer = new LayerSender(LOW, 1);
			let lowOn = low === 'with-top' || low === 'alone';
			timer = setInterval(() => {
				// Both layers' packets of one capture interleaved, as a browser's pacer sends them.
				const t = low === 'alone' ? [] : topLayer.nextFrame();
				const l = lowOn ? lowLayer.nextFrame() : [];
				const frames = t.length === 0 ? l : t.flatMap((packet, i) => (l[i] ? [packet, l[i]] : [packet]));
				for (const f of frames) tx.send(f, send.localPort, send.localIp);
			}, 1000 / FPS);
			reports = setInterval(() => {
				for (const l of [...(lowOn ? [lowLayer] : []), ...(low === 'alone' ? [] : [topLayer])]) {
					const sr = l.senderReport();
					if (sr) tx.send(sr, send.localPort, send.localIp);
				}
			}, 250);
			const sent = async (ssrc: number, packets: number) => {
				const [camera] = await session.producerStats('begeleider');
				return (camera?.layers.find((l) => l.ssrc === ssrc)?.packetCount ?? 0) > packets;
			};
			const enough = 2 * KEY_EVERY * PACKETS_PER_FRAME;
			if (low === 'with-top' || low === 'alone') await waitFor(() => sent(LOW, enough), 30_000, 'both layers at the server');
			else await waitFor(() => sent(TOP, enough), 30_000, 'the top layer at the server');

			const askedAt = performance.now();
			let resumedAt: number | undefined;
			const resumed = session.resumeConsumer(viewer, consumerIds[0]!).then(() => {
				resumedAt = performance.now();
			});
			let lowOnAt: number | undefined;
			if (low === 'late') {
				// The top layer goes on alone for a while after the viewer asked (not so long that the wait gives up).
				const firstAt = topLayer.packets;
				await waitFor(() => topLayer.packets - firstAt >= 3 * PACKETS_PER_FRAME, 30_000, 'top-layer frames after the ask');
				lowOn = true;
				lowOnAt = performance.now();
			}
			await resumed;
			await waitFor(() => received.length > 0, 30_000, 'the first forwarded packet');
			const seenAt = received.length;
			await waitFor(() => received.length - seenAt >= 5 * FPS * PACKETS_PER_FRAME, 60_000, 'five seconds of video');
			const status = session.abrStatus().find((s) => s.receiver === 'client-7')!;
			return { received: [...received], status, waitedMs: resumedAt! - askedAt, lowOnAt, askedAt, resumedAt: resumedAt! };
		} finally {
			clearInterval(timer);
			clearInterval(reports);
			for (const s of sockets) s.close();
			session.end();
		}
	}

	/** Sequence numbers the viewer never got, between the first and the last it got. */
	function gaps(received: Received[]): number {
		let missing = 0;
		for (let i = 1; i < received.length; i++) {
			const step = (received[i]!.seq - received[i - 1]!.seq + 0x10000) & 0xffff;
			if (step > 1 && step < 0x8000) missing += step - 1;
		}
		return missing;
	}

	it('waits for the start layer when the top one comes first: no step down, no packet missing', { timeout: 120_000 }, async () => {
		const { received, status, lowOnAt, resumedAt } = await run('late');
		// The picture began on the start layer and stayed there: not one packet of the top layer,
		// none missing ...
		expect(received.filter((r) => r.tag !== 1)).toHaveLength(0);
		expect(gaps(received)).toBe(0);
		// ... because the resume waited for that layer.
		expect(resumedAt).toBeGreaterThanOrEqual(lowOnAt!);
		expect(status.observedSpatialSwitches).toBe(0);
		expect(status.observedTimeline[0]?.layer?.spatial).toBe(0);
	});

	it('resumes at once when the start layer is already sent', { timeout: 120_000 }, async () => {
		const { received, status, waitedMs } = await run('with-top');
		expect(waitedMs).toBeLessThan(START_LAYER_WAIT_MS);
		expect(received[0]!.tag).toBe(1);
		expect(received.filter((r) => r.tag !== 1)).toHaveLength(0);
		expect(gaps(received)).toBe(0);
		expect(status.observedSpatialSwitches).toBe(0);
	});

	it('begins on a lower layer without the full wait when the sender has sent only that one for a while', {
		timeout: 120_000,
	}, async () => {
		const { received, status, waitedMs } = await run('alone');
		// Calm starts a three-layer camera on its middle layer, which this sender leaves out.
		expect(status.startLayer.spatial).toBe(1);
		expect(waitedMs).toBeLessThan(START_LAYER_WAIT_MS);
		expect(received[0]!.tag).toBe(1);
		expect(received.filter((r) => r.tag !== 1)).toHaveLength(0);
		expect(gaps(received)).toBe(0);
	});

	it('begins on what is sent when the start layer never comes, after a bounded wait', { timeout: 120_000 }, async () => {
		const { received, waitedMs } = await run('never');
		// Waited for the start layer, gave up, and showed the top layer rather than nothing.
		expect(waitedMs).toBeGreaterThanOrEqual(START_LAYER_WAIT_MS - 50);
		expect(received[0]!.tag).toBe(2);
		expect(gaps(received)).toBe(0);
	});
});
