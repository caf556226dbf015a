import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { messageOf } from '@luwte/errors';
import type { types } from 'mediasoup';
import { highestSentLayer, spatialLayerCount } from '../abr/ladder.ts';
import { defaultLogger, type Logger } from '../log/logger.ts';
import type { MediaSource, Role } from '../session/roles.ts';
import type { FfmpegTools } from './ffmpeg.ts';
import { segmentPattern, type RecordedPart, type RecordedStream } from './manifest.ts';
import { codecName, recordingCapabilities, recordingSdp, type SdpStream } from './sdp.ts';
import { freeRtpPortPair, waitUntilListening } from './udp-ports.ts';

/** Seconds per segment: the most a crash of ffmpeg or the host can lose. */
export const SEGMENT_SECONDS = 4;
/** How often a simulcast leg is checked against the highest layer the sender sends. */
const LADDER_CHECK_MS = 1000;

/** One producer to record, as the session knows it. */
export interface RecordSource {
	producer: types.Producer;
	source: MediaSource;
}

interface Leg {
	transport: types.PlainTransport;
	consumer: types.Consumer;
	producer: types.Producer;
	port: number;
	stream: RecordedStream;
}

/**
 * One part of a recording: one participant's recorded tracks at this moment, consumed over
 * PlainTransports into one ffmpeg process that copies them (no re-encode) into Matroska
 * segments. One process per part keeps the participant's audio and video in sync (ffmpeg maps
 * both to the sender reports' clock) and lets a new producer start a new part on fresh ports
 * without touching the files already written.
 */
export class PartWriter {
	readonly part: RecordedPart;
	readonly #dir: string;
	readonly #legs: Leg[];
	readonly #ffmpeg: ChildProcess;
	readonly #log: Logger;
	#keyframes: ReturnType<typeof setInterval> | undefined;
	#ladder: ReturnType<typeof setInterval> | undefined;
	#followingTop = false;
	#stopping = false;
	#stopped: Promise<void> | undefined;
	#exited: Promise<number | null>;
	#stderr = '';

	private constructor(part: RecordedPart, dir: string, legs: Leg[], ffmpeg: ChildProcess, log: Logger) {
		this.part = part;
		this.#dir = dir;
		this.#legs = legs;
		this.#ffmpeg = ffmpeg;
		this.#log = log;
		ffmpeg.stderr?.on('data', (d: Buffer) => {
			this.#stderr = (this.#stderr + d.toString()).slice(-4000);
		});
		this.#exited = new Promise((resolve) => ffmpeg.once('exit', (code) => resolve(code)));
	}

	/**
	 * Starts a part: consumers are created paused, ffmpeg is started on fresh ports, and only
	 * once it listens are the consumers resumed and a key frame requested (a key frame sent
	 * earlier would be lost and the picture would stay black until the next one).
	 */
	static async start(opts: {
		router: types.Router;
		tools: FfmpegTools;
		recordingDir: string;
		dirName: string;
		participantId: string;
		role: Role;
		sources: readonly RecordSource[];
		/** Called when ffmpeg ends on its own (crash, kill); not after stop(). */
		onUnexpectedExit: (writer: PartWriter, detail: string) => void;
		/** Where a refused key frame request is reported. */
		log?: Logger | undefined;
	}): Promise<PartWriter> {
		const dir = join(opts.recordingDir, opts.dirName);
		await mkdir(dir, { recursive: true });
		const caps = recordingCapabilities(opts.router.rtpCapabilities);
		// Audio first, then camera, then screen: a stable stream order for post-processing.
		const order: Record<MediaSource, number> = { microphone: 0, camera: 1, screen: 2 };
		const sources = [...opts.sources].filter((s) => !s.producer.closed).sort((a, b) => order[a.source] - order[b.source]);
		const legs: Leg[] = [];
		try {
			for (const s of sources) {
				const transport = await opts.router.createPlainTransport({
					listenInfo: { protocol: 'udp', ip: '127.0.0.1' },
					rtcpMux: false,
					comedia: false,
					appData: { recording: true },
				});
				const port = await freeRtpPortPair();
				await transport.connect({ ip: '127.0.0.1', port, rtcpPort: port + 1 });
				const consumer = await transport.consume({
					producerId: s.producer.id,
					rtpCapabilities: caps,
					paused: true,
					appData: { recording: true },
				});
				// Simulcast: the camera's full resolution, its ladder's top layer (a 360p camera has two).
				// While the sender does not send that layer (its bandwidth estimate still too low) mediasoup
				// forwards the highest one it does send; #followTopLayer moves it up once the top arrives.
				if (consumer.type === 'simulcast')
					await consumer.setPreferredLayers({ spatialLayer: spatialLayerCount(s.producer) - 1, temporalLayer: 2 });
				const codec = consumer.rtpParameters.codecs[0]!;
				legs.push({
					transport,
					consumer,
					producer: s.producer,
					port,
					stream: { kind: consumer.kind, source: s.source, codec: codecName(codec.mimeType) },
				});
			}
			if (legs.length === 0) throw new Error('nothing to record');
			const sdpStreams: SdpStream[] = legs.map((l) => ({
				kind: l.consumer.kind,
				rtpParameters: l.consumer.rtpParameters,
				port: l.port,
			}));
			await writeFile(join(dir, 'input.sdp'), recordingSdp(sdpStreams));
			const ffmpeg = spawn(
				opts.tools.ffmpeg,
				[
					'-hide_banner',
					'-nostdin',
					'-loglevel',
					'warning',
					'-protocol_whitelist',
					'file,udp,rtp',
					// Room for the key frame to arrive before ffmpeg gives up finding the picture size.
					'-analyzeduration',
					'5000000',
					'-probesize',
					'5000000',
					'-reorder_queue_size',
					'64',
					'-i',
					join(dir, 'input.sdp'),
					'-map',
					'0',
					'-c',
					'copy',
					'-f',
					'segment',
					'-segment_time',
					String(SEGMENT_SECONDS),
					'-segment_format',
					'matroska',
					// Clusters of at most a second, flushed as they close: a killed ffmpeg leaves a
					// readable segment that lacks at most its last second.
					'-segment_format_options',
					'cluster_time_limit=1000:live=1:flush_packets=1',
					'-reset_timestamps',
					'0',
					join(dir, segmentPattern),
				],
				{ stdio: ['ignore', 'ignore', 'pipe'] },
			);
			const startedAt = Date.now();
			const part: RecordedPart = {
				dir: opts.dirName,
				participantId: opts.participantId,
				role: opts.role,
				streams: legs.map((l) => l.stream),
				startedAt,
				endedAt: null,
			};
			const writer = new PartWriter(part, dir, legs, ffmpeg, opts.log ?? defaultLogger());
			let alive = true;
			ffmpeg.once('exit', () => {
				alive = false;
			});
			const listening = await waitUntilListening(
				legs.map((l) => l.port),
				5000,
				() => alive,
			);
			if (!listening) {
				await writer.stop();
				throw new Error(`ffmpeg did not start listening: ${writer.#stderr.trim().split('\n').slice(-3).join(' | ')}`);
			}
			part.startedAt = Date.now();
			for (const l of legs) await l.consumer.resume();
			writer.#requestKeyFrames();
			// Every segment starts on a key frame: ask for one per segment (libwebrtc sends none by itself).
			writer.#keyframes = setInterval(() => writer.#requestKeyFrames(), SEGMENT_SECONDS * 1000);
			writer.#keyframes.unref?.();
			writer.#ladder = setInterval(() => void writer.#followTopLayer(), LADDER_CHECK_MS);
			writer.#ladder.unref?.();
			ffmpeg.once('exit', (code, signal) => {
				if (writer.#stopping) return;
				writer.#closeLegs();
				opts.onUnexpectedExit(
					writer,
					`ffmpeg ended (${signal ?? `exit ${code}`}): ${writer.#stderr.trim().split('\n').slice(-2).join(' | ')}`,
				);
			});
			return writer;
		} catch (err) {
			for (const l of legs) l.transport.close();
			throw err;
		}
	}

	get dir(): string {
		return this.#dir;
	}

	/** The producers this part records. */
	get producerIds(): string[] {
		return this.#legs.map((l) => l.consumer.producerId);
	}

	get running(): boolean {
		return !this.#stopping && this.#ffmpeg.exitCode === null && this.#ffmpeg.signalCode === null;
	}

	/** The ffmpeg process (tests kill it to check what a crash leaves). */
	get pid(): number | undefined {
		return this.#ffmpeg.pid;
	}

	#requestKeyFrames(): void {
		for (const l of this.#legs) {
			if (l.consumer.kind !== 'video' || l.consumer.closed) continue;
			// A lost request costs a segment its clean start; the next one asks again.
			void l.consumer.requestKeyFrame().catch((err: unknown) => {
				if (!l.consumer.closed) this.#log.warn('recording.keyframe_request_failed', { part: this.part.dir, error: messageOf(err) });
			});
		}
	}

	/**
	 * Keeps each simulcast leg on the highest layer the sender really sends. mediasoup moves a
	 * consumer without a bandwidth estimate (this plain transport) down when a layer stops, but not
	 * always up when a higher one starts after it chose (a browser turns its top layer on once its
	 * bandwidth estimate allows, often seconds into a recording; measured: the recording stayed on
	 * 640×360 of a 720p camera). Setting the preferred layer to the current one and back to the top
	 * makes it choose again.
	 */
	async #followTopLayer(): Promise<void> {
		if (this.#followingTop || this.#stopping) return;
		this.#followingTop = true;
		try {
			for (const l of this.#legs) {
				if (l.consumer.type !== 'simulcast' || l.consumer.closed || l.producer.closed) continue;
				const current = l.consumer.currentLayers?.spatialLayer;
				if (current === undefined || current >= (await highestSentLayer(l.producer))) continue;
				const top = spatialLayerCount(l.producer) - 1;
				await l.consumer.setPreferredLayers({ spatialLayer: current, temporalLayer: 2 });
				await l.consumer.setPreferredLayers({ spatialLayer: top, temporalLayer: 2 });
			}
		} catch (err) {
			// A closed consumer or a busy worker: the next check tries again.
			if (!this.#stopping) this.#log.warn('recording.layer_check_failed', { part: this.part.dir, error: messageOf(err) });
		} finally {
			this.#followingTop = false;
		}
	}

	#closeLegs(): void {
		clearInterval(this.#keyframes);
		clearInterval(this.#ladder);
		for (const l of this.#legs) if (!l.transport.closed) l.transport.close();
	}

	/**
	 * Ends the part: ffmpeg writes nothing more from the moment this is called (consent withdrawn
	 * means not one more frame), finishes the open segment, and the media stops. Idempotent.
	 */
	stop(): Promise<void> {
		this.#stopped ??= this.#stop();
		return this.#stopped;
	}

	async #stop(): Promise<void> {
		this.#stopping = true;
		if (this.part.endedAt === null) this.part.endedAt = Date.now();
		const running = this.#ffmpeg.exitCode === null && this.#ffmpeg.signalCode === null;
		// SIGINT: ffmpeg writes no packet read after it and finishes the open segment with its
		// trailer as soon as its next read returns, which takes a packet: so the media keeps
		// flowing (into nothing) until ffmpeg has exited, or for at most a second.
		if (running) {
			const again = setTimeout(() => {
				// No packet came (a paused producer): the media stops, and a second signal
				// interrupts the waiting read. The trailer is then lost, not the segment's clusters.
				this.#closeLegs();
				this.#ffmpeg.kill('SIGINT');
			}, 1000);
			const kill = setTimeout(() => this.#ffmpeg.kill('SIGKILL'), 10_000);
			this.#ffmpeg.kill('SIGINT');
			await this.#exited;
			clearTimeout(again);
			clearTimeout(kill);
		}
		this.#closeLegs();
	}

	/** Marks the part as ended by a crash: its end is unknown, post-processing uses what was written. */
	markCrashed(): void {
		this.#stopping = true;
		this.#closeLegs();
	}
}
