import { SessionClient } from '@luwte/sdk';
import type { AdminClient } from '@luwte/sdk/admin';
import { type ClientCounters, countersOf, noCounters } from './rtc-stats.ts';
import { serverWorkerCpuSeconds } from './server-cpu.ts';
import { type ClientWindow, type LoadReport, summariseRole } from './summary.ts';
import { syntheticMedia, type SyntheticMedia, type Wrtc } from './synthetic-media.ts';

export interface LoadOptions {
	server: string;
	admin: AdminClient;
	wrtc: Wrtc;
	publishers: number;
	subscribers: number;
	/** Seconds of the measured window, after every client joined. */
	durationSeconds: number;
	/** Camera video as three spatial layers (the server picks one per subscriber), or one. */
	simulcast: boolean;
	/** Clients joining at the same time. */
	joinConcurrency: number;
	/** For the server's worker CPU from /metrics; without it that figure is left out. */
	operatorKey?: string | undefined;
	signal: AbortSignal;
	/** Called about once a second with one line of progress. */
	progress(line: string): void;
}

/** The longest one client may take to connect (and publish), and to see its first packet. */
const joinTimeoutMs = 30_000;
const firstPacketTimeoutMs = 30_000;
/** How often a subscriber still waiting for media looks at its stats. */
const firstPacketPollMs = 50;

interface Client {
	role: 'publisher' | 'subscriber';
	id: string;
	session: SessionClient;
	media?: SyntheticMedia;
	joined: boolean;
	joinMs?: number;
	firstPacketMs?: number;
	last: ClientCounters;
	/** Subscribers, in the window: seconds in which no video packet arrived, and the runs of them. */
	frozenSeconds: number;
	freezes: number;
	frozenNow: boolean;
}

const zero = noCounters;

function sleep(ms: number, signal: AbortSignal): Promise<void> {
	return new Promise((resolve) => {
		if (signal.aborted) return resolve();
		const timer = setTimeout(done, ms);
		signal.addEventListener('abort', done, { once: true });
		function done() {
			clearTimeout(timer);
			signal.removeEventListener('abort', done);
			resolve();
		}
	});
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
	let timer: NodeJS.Timeout | undefined;
	return Promise.race([
		p,
		new Promise<never>((_, reject) => {
			timer = setTimeout(() => reject(new Error(`${what}: no answer in ${ms} ms`)), ms);
		}),
	]).finally(() => clearTimeout(timer));
}

async function countersNow(c: Client): Promise<ClientCounters> {
	if (!c.joined) return c.last;
	try {
		const report = c.role === 'publisher' ? await c.session.sendStats() : await c.session.receiveStats();
		c.last = countersOf(report, c.role === 'publisher' ? 'out' : 'in');
	} catch {
		// A client that closed keeps its last counters.
	}
	return c.last;
}

/**
 * Creates a session, joins publishers (synthetic camera and microphone, simulcast) and subscribers
 * (viewers: they only receive, and count what arrives without decoding it), measures a window of
 * `durationSeconds`, then leaves, ends the session and reports. Every wait is bounded; an aborted
 * signal (SIGINT) cuts the joining or the window short and still tears everything down.
 */
export async function runLoad(o: LoadOptions): Promise<LoadReport> {
	const session = await o.admin.createSession({ title: 'luwte load-test', kind: 'online' });
	const clients: Client[] = [];
	const failures: string[] = [];
	const webrtc = {
		RTCPeerConnection: o.wrtc.RTCPeerConnection,
		RTCSessionDescription: o.wrtc.RTCSessionDescription,
		RTCIceCandidate: o.wrtc.RTCIceCandidate,
		MediaStream: o.wrtc.MediaStream,
		MediaStreamTrack: o.wrtc.MediaStreamTrack,
	};
	const make = (role: Client['role'], i: number): Client => ({
		role,
		// Pseudonymous by construction: nothing about a person.
		id: `${role === 'publisher' ? 'lt-pub' : 'lt-sub'}-${i + 1}`,
		session: new SessionClient({ server: o.server, webrtc, onListenerError: () => {} }),
		joined: false,
		last: zero,
		frozenSeconds: 0,
		freezes: 0,
		frozenNow: false,
	});
	for (let i = 0; i < o.publishers; i++) clients.push(make('publisher', i));
	for (let i = 0; i < o.subscribers; i++) clients.push(make('subscriber', i));
	const publishers = clients.filter((c) => c.role === 'publisher');
	const subscribers = clients.filter((c) => c.role === 'subscriber');

	const joinOne = async (c: Client) => {
		const { token } = await o.admin.createToken(session.id, { role: c.role === 'publisher' ? 'host' : 'viewer', participantId: c.id });
		const started = performance.now();
		await withTimeout(c.session.connect(token), joinTimeoutMs, `${c.id} connect`);
		if (c.role === 'publisher') {
			c.media = syntheticMedia(o.wrtc);
			await withTimeout(
				c.session.publish({ camera: c.media.camera, microphone: c.media.microphone, simulcast: o.simulcast }),
				joinTimeoutMs,
				`${c.id} publish`,
			);
		}
		c.joined = true;
		c.joinMs = performance.now() - started;
		if (c.role === 'subscriber') {
			// Polled closely only until the first video packet: that bounds the error to the poll interval.
			const deadline = started + joinTimeoutMs + firstPacketTimeoutMs;
			while (!o.signal.aborted && performance.now() < deadline) {
				if ((await countersNow(c)).videoPackets > 0) {
					c.firstPacketMs = performance.now() - started;
					return;
				}
				await sleep(firstPacketPollMs, o.signal);
			}
		}
	};

	let serverStart: number | undefined;
	let windowStart = performance.now();
	let windowEnd = windowStart;
	let interrupted = false;
	const startCounters = new Map<Client, ClientCounters>();
	try {
		// Publishers first, so subscribers have something to receive when they arrive.
		const queue = [...publishers, ...subscribers];
		const joinStarted = performance.now();
		let ticker = joinStarted;
		const workers = Array.from({ length: Math.max(1, Math.min(o.joinConcurrency, queue.length)) }, async () => {
			for (let next = queue.shift(); next && !o.signal.aborted; next = queue.shift()) {
				await joinOne(next).catch((err: unknown) => {
					failures.push(`${next.id}: ${err instanceof Error ? err.message : String(err)}`);
				});
				if (performance.now() - ticker >= 1000) {
					ticker = performance.now();
					const joined = clients.filter((c) => c.joined);
					o.progress(
						`joining ${((ticker - joinStarted) / 1000).toFixed(0)} s: publishers ${joined.filter((c) => c.role === 'publisher').length}/${o.publishers}, subscribers ${joined.filter((c) => c.role === 'subscriber').length}/${o.subscribers}, with media ${subscribers.filter((c) => c.firstPacketMs !== undefined).length}`,
					);
				}
			}
		});
		await Promise.all(workers);

		// The window: counters at its start and end, progress once a second, bounded by the duration.
		if (o.operatorKey) serverStart = await serverWorkerCpuSeconds(o.server, o.operatorKey, o.signal);
		await Promise.all(clients.map(async (c) => startCounters.set(c, await countersNow(c))));
		windowStart = performance.now();
		const cpuWindowStart = process.cpuUsage();
		let prev = { at: windowStart, cpu: cpuWindowStart, down: sumBytes(subscribers), up: sumBytes(publishers) };
		for (let tick = 1; tick <= Math.ceil(o.durationSeconds) && !o.signal.aborted; tick++) {
			await sleep(Math.max(0, windowStart + tick * 1000 - performance.now()), o.signal);
			if (o.signal.aborted) break;
			const videoBefore = new Map(subscribers.map((c) => [c, c.last.videoPackets]));
			await Promise.all(clients.map(countersNow));
			// A freeze, counted from what arrives: a whole tick (about a second) without a video packet.
			for (const c of subscribers) {
				if (!c.joined) continue;
				const stalled = c.last.videoPackets === videoBefore.get(c);
				if (stalled) {
					c.frozenSeconds++;
					if (!c.frozenNow) c.freezes++;
				}
				c.frozenNow = stalled;
			}
			const now = performance.now();
			const cpu = process.cpuUsage(prev.cpu);
			const secs = (now - prev.at) / 1000;
			const down = sumBytes(subscribers);
			const up = sumBytes(publishers);
			const lost = subscribers.reduce((n, c) => n + c.last.packetsLost - (startCounters.get(c)?.packetsLost ?? 0), 0);
			o.progress(
				`${tick}/${Math.ceil(o.durationSeconds)} s: up ${mbps(up - prev.up, secs)} Mbit/s, down ${mbps(down - prev.down, secs)} Mbit/s, subscribers with media ${subscribers.filter((c) => c.last.videoPackets > 0).length}/${o.subscribers}, lost ${lost}, generator cpu ${((cpu.user + cpu.system) / 1e4 / secs).toFixed(0)} %`,
			);
			prev = { at: now, cpu: process.cpuUsage(), down, up };
		}
		windowEnd = performance.now();
		interrupted = o.signal.aborted;
		const generatorCpu = process.cpuUsage(cpuWindowStart);
		const serverEnd = o.operatorKey && serverStart !== undefined ? await serverWorkerCpuSeconds(o.server, o.operatorKey) : undefined;
		await Promise.all(clients.map(countersNow));
		const seconds = (windowEnd - windowStart) / 1000;
		const windowOf = (c: Client): ClientWindow => ({
			start: startCounters.get(c) ?? zero,
			end: c.last,
			tracks: c.role === 'publisher' ? (c.joined ? 2 : 0) : c.session.remoteTracks.length,
			joinMs: c.joinMs,
			firstPacketMs: c.firstPacketMs,
			freezes: c.freezes,
			frozenSeconds: c.frozenSeconds,
		});
		const joinedSubs = subscribers.filter((c) => c.joined);
		const audioSent = publishers.reduce((n, c) => n + c.last.audioPackets - (startCounters.get(c)?.audioPackets ?? 0), 0);
		const subAudio = joinedSubs.map((c) => c.last.audioPackets - (startCounters.get(c)?.audioPackets ?? 0));
		const received = subAudio.reduce((a, b) => a + b, 0);
		const expected = audioSent * joinedSubs.length;
		return {
			server: o.server,
			sessionId: session.id,
			windowSeconds: seconds,
			publishers: summariseRole(publishers.filter((c) => c.joined).map(windowOf), seconds, 'out'),
			subscribers: summariseRole(joinedSubs.map(windowOf), seconds, 'in'),
			audioDelivery: {
				sent: audioSent,
				received,
				expected,
				ratio: expected > 0 ? received / expected : undefined,
				minSubscriberRatio: audioSent > 0 && subAudio.length > 0 ? Math.min(...subAudio) / audioSent : undefined,
			},
			cpu: {
				generatorCores: seconds > 0 ? (generatorCpu.user + generatorCpu.system) / 1e6 / seconds : 0,
				serverWorkerCores:
					serverStart !== undefined && serverEnd !== undefined && seconds > 0 ? (serverEnd - serverStart) / seconds : undefined,
			},
			interrupted,
			failures: { count: failures.length, first: failures.slice(0, 3) },
		};
	} finally {
		// Subscribers first, so publishers are not left sending to a shrinking room longer than needed.
		for (const c of [...subscribers, ...publishers]) {
			await withTimeout(c.session.leave(), 5_000, `${c.id} leave`).catch(() => {});
			c.media?.stop();
		}
		await withTimeout(o.admin.endSession(session.id), 10_000, 'end the session').catch(() => {});
	}
}

function sumBytes(cs: readonly Client[]): number {
	return cs.reduce((n, c) => n + c.last.bytes, 0);
}

function mbps(bytes: number, seconds: number): string {
	return seconds > 0 ? ((8 * bytes) / seconds / 1e6).toFixed(2) : '0';
}
