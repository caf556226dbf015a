/**
 * RTP sink for the consumers' PlainTransports: a few UDP sockets in a worker thread
 * (sink-worker.ts) that count packets, bytes and sequence numbers per SSRC, so loss can be
 * computed per consumer from its own sequence numbers.
 */
import { Worker } from 'node:worker_threads';

export interface SinkWorkerData {
	count: number;
	recvBufferBytes: number;
}

export type SinkRequest = { type: 'snapshot'; id: number } | { type: 'reset'; id: number } | { type: 'close' };

export type SinkResponse =
	| { type: 'ready'; ports: number[]; recvBufferBytes: number }
	| { type: 'snapshot'; id: number; streams: Float64Array; rtcp: number; other: number }
	| { type: 'reset'; id: number }
	| { type: 'error'; message: string };

export interface StreamCount {
	packets: number;
	bytes: number;
	maxExt: number;
}

export interface SinkSnapshot {
	streams: Map<number, StreamCount>;
	rtcp: number;
	other: number;
}

/** What happened between two snapshots. */
export interface SinkWindow {
	/** Streams (consumers) that received packets before and during the window. */
	streams: number;
	/** Streams first seen during the window (not counted in loss). */
	newStreams: number;
	/** Streams that received nothing during the window (a stall that seq gaps cannot show). */
	stalled: number;
	packets: number;
	bytes: number;
	/** Packets the consumers' sequence numbers say were sent in the window. */
	expected: number;
	/** expected - received, per stream, negatives (duplicates) counted as 0. */
	lost: number;
	rtcp: number;
}

export class RtpSink {
	readonly ports: readonly number[];
	readonly recvBufferBytes: number;
	readonly #worker: Worker;
	readonly #waiting = new Map<number, (r: SinkResponse) => void>();
	#nextId = 1;
	#error: string | undefined;

	private constructor(worker: Worker, ports: number[], recvBufferBytes: number) {
		this.#worker = worker;
		this.ports = ports;
		this.recvBufferBytes = recvBufferBytes;
		worker.on('message', (r: SinkResponse) => {
			if (r.type === 'error') this.#error = r.message;
			if ('id' in r) {
				const done = this.#waiting.get(r.id);
				this.#waiting.delete(r.id);
				done?.(r);
			}
		});
	}

	/** `count` sockets; the receive buffer is capped by net.core.rmem_max (not raised here). */
	static async start(count: number, recvBufferBytes: number): Promise<RtpSink> {
		const worker = new Worker(new URL('./sink-worker.ts', import.meta.url), {
			workerData: { count, recvBufferBytes } satisfies SinkWorkerData,
		});
		const ready = await new Promise<SinkResponse & { type: 'ready' }>((resolve, reject) => {
			const timer = setTimeout(() => reject(new Error('sink did not start within 5 s')), 5000);
			worker.once('error', reject);
			worker.on('message', function onReady(r: SinkResponse) {
				if (r.type === 'error') reject(new Error(r.message));
				if (r.type !== 'ready') return;
				clearTimeout(timer);
				worker.off('message', onReady);
				worker.off('error', reject);
				resolve(r);
			});
		});
		return new RtpSink(worker, ready.ports, ready.recvBufferBytes);
	}

	#request(req: SinkRequest & { id: number }): Promise<SinkResponse> {
		return new Promise((resolve, reject) => {
			const timer = setTimeout(() => {
				this.#waiting.delete(req.id);
				reject(new Error(`sink did not answer ${req.type} within 5 s`));
			}, 5000);
			this.#waiting.set(req.id, (r) => {
				clearTimeout(timer);
				resolve(r);
			});
			this.#worker.postMessage(req);
		});
	}

	async snapshot(): Promise<SinkSnapshot> {
		if (this.#error) throw new Error(`sink socket error: ${this.#error}`);
		const r = await this.#request({ type: 'snapshot', id: this.#nextId++ });
		if (r.type !== 'snapshot') throw new Error(`unexpected sink answer ${r.type}`);
		const streams = new Map<number, StreamCount>();
		const f = r.streams;
		for (let i = 0; i + 3 < f.length; i += 4) {
			streams.set(f[i]!, { packets: f[i + 1]!, bytes: f[i + 2]!, maxExt: f[i + 3]! });
		}
		return { streams, rtcp: r.rtcp, other: r.other };
	}

	/** Forgets all streams (between runs, so one run's consumers never count in the next). */
	async reset(): Promise<void> {
		await this.#request({ type: 'reset', id: this.#nextId++ });
	}

	async close(): Promise<void> {
		this.#worker.postMessage({ type: 'close' } satisfies SinkRequest);
		// The thread ends once its sockets are closed; terminate if it does not within 2 s.
		const exited = new Promise<void>((resolve) => this.#worker.once('exit', () => resolve()));
		const timeout = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), 2000).unref());
		if ((await Promise.race([exited, timeout])) === 'timeout') await this.#worker.terminate();
	}
}

/**
 * Counts between two snapshots. `ssrcs`: the consumers' own SSRCs; other streams (with a
 * bandwidth estimator, mediasoup's probation packets) are left out.
 */
export function sinkWindow(a: SinkSnapshot, b: SinkSnapshot, ssrcs?: ReadonlySet<number>): SinkWindow {
	const w: SinkWindow = { streams: 0, newStreams: 0, stalled: 0, packets: 0, bytes: 0, expected: 0, lost: 0, rtcp: b.rtcp - a.rtcp };
	for (const [ssrc, end] of b.streams) {
		if (ssrcs && !ssrcs.has(ssrc)) continue;
		const start = a.streams.get(ssrc);
		if (!start) {
			w.newStreams++;
			continue;
		}
		w.streams++;
		const received = end.packets - start.packets;
		if (received === 0) w.stalled++;
		const expected = end.maxExt - start.maxExt;
		w.packets += received;
		w.bytes += end.bytes - start.bytes;
		w.expected += expected;
		w.lost += Math.max(0, expected - received);
	}
	return w;
}
