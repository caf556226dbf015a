/**
 * Simulcast VP8 source for the benchmarks: three pre-encoded clips replayed by ffmpeg
 * (`-c:v copy`, so ffmpeg costs almost no CPU during the measurement) into a small UDP
 * relay that forwards every packet from ONE socket to the producer's PlainTransport.
 * One socket is needed because a comedia PlainTransport locks onto the first remote
 * address it sees; the relay also counts what was sent.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import { mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { MediaTypes } from '@luwte/engine';

export interface Layer {
	readonly label: string;
	readonly width: number;
	readonly height: number;
	readonly kbps: number;
	readonly ssrc: number;
}

/** Lowest first: mediasoup reads simulcast encodings in ascending order. */
export const simulcastLayers: readonly Layer[] = [
	{ label: '180p', width: 320, height: 180, kbps: 150, ssrc: 11111111 },
	{ label: '360p', width: 640, height: 360, kbps: 500, ssrc: 22222222 },
	{ label: '720p', width: 1280, height: 720, kbps: 1200, ssrc: 33333333 },
];

export const vp8PayloadType = 101;
const fps = 30;
const keyframeEvery = 2 * fps;
const clipSeconds = 10;

/** What the producer declares: one VP8 codec, one encoding (SSRC) per layer, no RTX. */
export function simulcastRtpParameters(): MediaTypes.RtpParameters {
	return {
		codecs: [
			{
				mimeType: 'video/VP8',
				payloadType: vp8PayloadType,
				clockRate: 90000,
				rtcpFeedback: [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }, { type: 'ccm', parameter: 'fir' }],
			},
		],
		encodings: simulcastLayers.map((l) => ({ ssrc: l.ssrc })),
		// One CNAME: the three layers share one wall clock (the relay's sender reports).
		rtcp: { cname: 'luwte-bench-source', reducedSize: true },
	};
}

function run(bin: string, args: string[], timeoutMs: number): Promise<void> {
	return new Promise((resolve, reject) => {
		const child = spawn(bin, args, { stdio: ['ignore', 'ignore', 'pipe'], timeout: timeoutMs, killSignal: 'SIGKILL' });
		let err = '';
		child.stderr.on('data', (d: Buffer) => {
			err = (err + d.toString()).slice(-2000);
		});
		child.on('error', reject);
		child.on('close', (code, signal) => {
			if (code === 0) resolve();
			else reject(new Error(`${bin} exited with ${code ?? signal}: ${err.trim()}`));
		});
	});
}

/**
 * Encodes one 10 s testsrc2 clip per layer (CBR, keyframe every 2 s, no alt-ref frames so
 * every frame is shown) into `dir`. Done once per benchmark run, before any measurement.
 */
export async function encodeLayers(dir: string, ffmpeg: string): Promise<string[]> {
	await mkdir(dir, { recursive: true });
	const files: string[] = [];
	for (const l of simulcastLayers) {
		const file = join(dir, `layer-${l.label}.webm`);
		const k = `${l.kbps}k`;
		await run(
			ffmpeg,
			[
				...['-hide_banner', '-loglevel', 'error', '-nostdin', '-y'],
				...['-f', 'lavfi', '-i', `testsrc2=size=${l.width}x${l.height}:rate=${fps}`, '-t', String(clipSeconds)],
				...['-c:v', 'libvpx', '-b:v', k, '-minrate', k, '-maxrate', k, '-bufsize', `${Math.round(l.kbps / 2)}k`],
				...['-g', String(keyframeEvery), '-keyint_min', String(keyframeEvery), '-auto-alt-ref', '0', '-lag-in-frames', '0'],
				...['-deadline', 'realtime', '-cpu-used', '8', '-an', file],
			],
			120_000,
		);
		if ((await stat(file)).size === 0) throw new Error(`ffmpeg wrote an empty ${file}`);
		files.push(file);
	}
	return files;
}

export interface SourceCounters {
	/** RTP packets / bytes received from ffmpeg per layer (same order as simulcastLayers). */
	packets: number[];
	bytes: number[];
	/** Packets forwarded to the transport (RTP, plus the relay's sender reports). */
	forwarded: number;
}

/** Seconds between the Unix and NTP epochs. */
const ntpEpochOffset = 2_208_988_800;
/** Sender report cadence per layer (libwebrtc sends about one per second for video). */
const srIntervalMs = 1000;

interface LayerState {
	/** Newest RTP timestamp seen and when it arrived (ms, performance.now()). */
	lastTs: number | undefined;
	lastArrival: number;
	/** Packets / payload octets forwarded to the current target (for the SR counts). */
	sentPackets: number;
	sentOctets: number;
	/** A new target gets a sender report right after the layer's first RTP packet. */
	srPending: boolean;
}

/**
 * Live replay of the clips through the relay. The relay writes the RTCP sender reports
 * itself (ffmpeg runs with `-rtpflags skip_rtcp`): ffmpeg sends only one every 5 s, and
 * mediasoup can switch a simulcast consumer between layers only once it can tell the
 * capture time of both streams from sender reports (it needs three of them for the clock
 * offset). With ffmpeg's pace a fresh producer would wait seconds, differently per run.
 * Since `-re` paces packets by wall clock, arrival time + RTP timestamp give a consistent
 * NTP/RTP mapping for every layer.
 */
export class SimulcastSource {
	readonly #out: dgram.Socket;
	readonly #ins: dgram.Socket[];
	readonly #children: ChildProcess[] = [];
	readonly #packets = simulcastLayers.map(() => 0);
	readonly #bytes = simulcastLayers.map(() => 0);
	readonly #layers: LayerState[] = simulcastLayers.map(() => ({
		lastTs: undefined,
		lastArrival: 0,
		sentPackets: 0,
		sentOctets: 0,
		srPending: false,
	}));
	#forwarded = 0;
	#target: number | undefined;
	#srTimer: NodeJS.Timeout | undefined;
	#stopped = false;

	private constructor(out: dgram.Socket, ins: dgram.Socket[]) {
		this.#out = out;
		this.#ins = ins;
	}

	/** Binds the relay sockets and starts one `ffmpeg -re -stream_loop -1 ... -c:v copy` per layer. */
	static async start(files: readonly string[], ffmpeg: string): Promise<SimulcastSource> {
		const bind = async (): Promise<dgram.Socket> => {
			const s = dgram.createSocket('udp4');
			await new Promise<void>((resolve, reject) => {
				s.once('error', reject);
				s.bind(0, '127.0.0.1', () => {
					s.off('error', reject);
					resolve();
				});
			});
			return s;
		};
		const out = await bind();
		// Per layer an RTP and an RTCP port, so ffmpeg's RTP protocol never writes to a port
		// that is not ours (its RTCP port is unused with skip_rtcp).
		const ins: dgram.Socket[] = [];
		for (let i = 0; i < simulcastLayers.length * 2; i++) ins.push(await bind());
		const src = new SimulcastSource(out, ins);
		src.#wire();
		simulcastLayers.forEach((layer, i) => {
			const rtp = ins[2 * i]!.address().port;
			const rtcp = ins[2 * i + 1]!.address().port;
			const file = files[i];
			if (file === undefined) throw new Error(`no clip for layer ${layer.label}`);
			const child = spawn(
				ffmpeg,
				[
					...['-hide_banner', '-loglevel', 'error', '-nostdin', '-re', '-stream_loop', '-1', '-i', file],
					...['-map', '0:v:0', '-c:v', 'copy', '-an', '-payload_type', String(vp8PayloadType), '-ssrc', String(layer.ssrc)],
					...['-rtpflags', 'skip_rtcp', '-f', 'rtp', `rtp://127.0.0.1:${rtp}?rtcpport=${rtcp}&pkt_size=1200`],
				],
				{ stdio: ['ignore', 'ignore', 'pipe'] },
			);
			child.stderr?.on('data', (d: Buffer) => process.stderr.write(`[ffmpeg ${layer.label}] ${d.toString()}`));
			src.#children.push(child);
		});
		src.#srTimer = setInterval(() => src.#sendSenderReports(), srIntervalMs);
		return src;
	}

	#wire(): void {
		simulcastLayers.forEach((_, layer) => {
			const state = this.#layers[layer]!;
			this.#ins[2 * layer]!.on('message', (msg: Buffer) => {
				if (msg.length < 12) return;
				this.#packets[layer] = (this.#packets[layer] ?? 0) + 1;
				this.#bytes[layer] = (this.#bytes[layer] ?? 0) + msg.length;
				const ts = msg.readUInt32BE(4);
				// Newer timestamp (mod 2^32): this packet starts a later frame.
				if (state.lastTs === undefined || (ts - state.lastTs) >>> 0 < 0x80000000) {
					state.lastTs = ts;
					state.lastArrival = performance.now();
				}
				if (this.#target === undefined || this.#stopped) return;
				this.#forwarded++;
				state.sentPackets++;
				state.sentOctets += msg.length - 12;
				this.#out.send(msg, this.#target, '127.0.0.1');
				if (state.srPending) {
					// Only after the stream's first packet: mediasoup ignores reports for unknown streams.
					state.srPending = false;
					this.#sendSenderReport(layer);
				}
			});
			this.#ins[2 * layer + 1]!.on('message', () => {});
		});
		// RTCP from mediasoup (receiver reports, PLI): ffmpeg replays a file and cannot act on it.
		this.#out.on('message', () => {});
	}

	/** RFC 3550 sender report (28 bytes) for one layer, mapping now to its RTP clock. */
	#sendSenderReport(layer: number): void {
		const state = this.#layers[layer];
		const ssrc = simulcastLayers[layer]?.ssrc;
		if (!state || ssrc === undefined || state.lastTs === undefined || this.#target === undefined || this.#stopped) return;
		const nowMs = performance.timeOrigin + performance.now();
		const elapsedMs = performance.now() - state.lastArrival;
		const rtpTs = (state.lastTs + Math.round(elapsedMs * 90)) >>> 0;
		const secs = Math.floor(nowMs / 1000);
		const frac = Math.floor(((nowMs % 1000) / 1000) * 2 ** 32) >>> 0;
		const sr = Buffer.alloc(28);
		sr[0] = 0x80;
		sr[1] = 200;
		sr.writeUInt16BE(6, 2);
		sr.writeUInt32BE(ssrc, 4);
		sr.writeUInt32BE((secs + ntpEpochOffset) >>> 0, 8);
		sr.writeUInt32BE(frac, 12);
		sr.writeUInt32BE(rtpTs, 16);
		sr.writeUInt32BE(state.sentPackets >>> 0, 20);
		sr.writeUInt32BE(state.sentOctets >>> 0, 24);
		this.#forwarded++;
		this.#out.send(sr, this.#target, '127.0.0.1');
	}

	#sendSenderReports(): void {
		for (let i = 0; i < simulcastLayers.length; i++) this.#sendSenderReport(i);
	}

	/** Where to forward (the producer transport's port); undefined drops packets between runs. */
	setTarget(port: number | undefined): void {
		this.#target = port;
		for (const s of this.#layers) {
			s.sentPackets = 0;
			s.sentOctets = 0;
			s.srPending = port !== undefined;
		}
	}

	counters(): SourceCounters {
		return { packets: [...this.#packets], bytes: [...this.#bytes], forwarded: this.#forwarded };
	}

	/** Kills every ffmpeg (SIGTERM, SIGKILL after 2 s) and closes the sockets. */
	async stop(): Promise<void> {
		if (this.#stopped) return;
		this.#stopped = true;
		clearInterval(this.#srTimer);
		await Promise.all(this.#children.map((c) => killChild(c, 2000)));
		for (const s of [...this.#ins, this.#out]) s.close();
	}

	/** Synchronous last resort for process exit handlers. */
	killNow(): void {
		clearInterval(this.#srTimer);
		for (const c of this.#children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
	}
}

function killChild(child: ChildProcess, graceMs: number): Promise<void> {
	if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
	return new Promise((resolve) => {
		const hard = setTimeout(() => child.kill('SIGKILL'), graceMs);
		const giveUp = setTimeout(resolve, graceMs + 2000);
		child.once('exit', () => {
			clearTimeout(hard);
			clearTimeout(giveUp);
			resolve();
		});
		child.kill('SIGTERM');
	});
}
