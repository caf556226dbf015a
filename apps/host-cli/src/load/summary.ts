import type { ClientCounters } from './rtc-stats.ts';

export interface Spread {
	/** How many clients the figures are over. */
	n: number;
	p50: number;
	p95: number;
	max: number;
}

/** One role's figures over the measured window. */
export interface RoleSummary {
	clients: number;
	tracks: number;
	packets: number;
	packetsLost: number;
	/**
	 * Subscribers: of packetsLost, those of video; the video receivers' NACKs, PLIs and decoded frames;
	 * freezes: runs of whole seconds in which a subscriber got no video packet, and those seconds.
	 */
	video: { packetsLost: number; nacks: number; plis: number; freezes: number; frozenSeconds: number; framesDecoded: number };
	/** Lost ÷ (received + lost) for subscribers, lost ÷ sent (as the server reports it) for publishers, in percent. */
	lossPercent: number;
	/** All clients of the role together. */
	bitrateKbps: number;
	/** Per client, the mean over the window. */
	bitrateKbpsPerClient: Spread | undefined;
	rttMs: Spread | undefined;
	jitterMs: Spread | undefined;
	/** Publishers: connect and publish; subscribers: connect. */
	joinMs: Spread | undefined;
	/** Subscribers: from starting to connect until the first video packet arrives. */
	joinToFirstPacketMs: Spread | undefined;
}

export interface LoadReport {
	server: string;
	sessionId: string;
	/** Seconds of the measured window (after every client joined). */
	windowSeconds: number;
	publishers: RoleSummary;
	subscribers: RoleSummary;
	/**
	 * Audio packets every subscriber received in the window against those the publishers sent (audio
	 * is not simulcast, so each subscriber should get every packet): 1.0 is all of them.
	 */
	audioDelivery: { sent: number; received: number; expected: number; ratio: number | undefined; minSubscriberRatio: number | undefined };
	/** CPU cores in use on average over the window (1 = one core busy). */
	cpu: { generatorCores: number; serverWorkerCores: number | undefined };
	interrupted: boolean;
	/** Clients that failed to join or publish (the first few reasons). */
	failures: { count: number; first: string[] };
}

export function spread(values: readonly number[]): Spread | undefined {
	if (values.length === 0) return undefined;
	const sorted = [...values].sort((a, b) => a - b);
	// Nearest rank: the value at or above the fraction, never interpolated between clients.
	const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
	return { n: sorted.length, p50: at(0.5), p95: at(0.95), max: sorted.at(-1)! };
}

/** Counters of one client at the window's start and end. */
export interface ClientWindow {
	start: ClientCounters;
	end: ClientCounters;
	tracks: number;
	joinMs: number | undefined;
	firstPacketMs: number | undefined;
	/** Subscribers: see RoleSummary.video. */
	freezes?: number;
	frozenSeconds?: number;
}

export function summariseRole(clients: readonly ClientWindow[], seconds: number, direction: 'in' | 'out'): RoleSummary {
	let packets = 0;
	let lost = 0;
	let bytes = 0;
	const video = { packetsLost: 0, nacks: 0, plis: 0, freezes: 0, frozenSeconds: 0, framesDecoded: 0 };
	const perClientKbps: number[] = [];
	for (const c of clients) {
		const p = c.end.audioPackets + c.end.videoPackets - (c.start.audioPackets + c.start.videoPackets);
		const b = c.end.bytes - c.start.bytes;
		packets += p;
		lost += Math.max(0, c.end.packetsLost - c.start.packetsLost);
		bytes += b;
		video.packetsLost += Math.max(0, c.end.videoPacketsLost - c.start.videoPacketsLost);
		video.nacks += c.end.nacks - c.start.nacks;
		video.plis += c.end.plis - c.start.plis;
		video.freezes += c.freezes ?? 0;
		video.frozenSeconds += c.frozenSeconds ?? 0;
		video.framesDecoded += c.end.framesDecoded - c.start.framesDecoded;
		perClientKbps.push(seconds > 0 ? (8 * b) / seconds / 1000 : 0);
	}
	const denominator = direction === 'in' ? packets + lost : packets;
	const defined = (xs: (number | undefined)[]) => xs.filter((x): x is number => x !== undefined);
	return {
		clients: clients.length,
		tracks: clients.reduce((n, c) => n + c.tracks, 0),
		packets,
		packetsLost: lost,
		video,
		lossPercent: denominator > 0 ? (100 * lost) / denominator : 0,
		bitrateKbps: seconds > 0 ? (8 * bytes) / seconds / 1000 : 0,
		bitrateKbpsPerClient: spread(perClientKbps),
		rttMs: spread(defined(clients.map((c) => (c.end.rtt === undefined ? undefined : c.end.rtt * 1000)))),
		jitterMs: spread(defined(clients.map((c) => (c.end.jitter === undefined ? undefined : c.end.jitter * 1000)))),
		joinMs: spread(defined(clients.map((c) => c.joinMs))),
		joinToFirstPacketMs: spread(defined(clients.map((c) => c.firstPacketMs))),
	};
}

const f = (x: number, digits = 0) => x.toFixed(digits);
const s = (x: Spread | undefined, digits = 0) => (x ? `${f(x.p50, digits)}/${f(x.p95, digits)}/${f(x.max, digits)}` : '-');

/** The final table, for people. */
export function reportTable(r: LoadReport): string {
	const rows = [
		[
			'ROLE',
			'CLIENTS',
			'TRACKS',
			'KBIT/S',
			'KBIT/S/CLIENT p50',
			'LOSS %',
			'RTT ms p50/p95/max',
			'JITTER ms p50/p95/max',
			'JOIN ms p50/p95/max',
			'FIRST PACKET ms p50/p95/max',
		],
	];
	for (const [name, x] of [
		['publishers', r.publishers],
		['subscribers', r.subscribers],
	] as const) {
		rows.push([
			name,
			String(x.clients),
			String(x.tracks),
			f(x.bitrateKbps),
			x.bitrateKbpsPerClient ? f(x.bitrateKbpsPerClient.p50) : '-',
			f(x.lossPercent, 2),
			s(x.rttMs, 1),
			s(x.jitterMs, 1),
			s(x.joinMs),
			s(x.joinToFirstPacketMs),
		]);
	}
	const widths = rows[0]!.map((_, c) => Math.max(...rows.map((row) => row[c]!.length)));
	const lines = rows.map((row) => row.map((cell, c) => (c === row.length - 1 ? cell : cell.padEnd(widths[c]!))).join('  '));
	const d = r.audioDelivery;
	lines.push(
		'',
		`window ${f(r.windowSeconds, 1)} s, session ${r.sessionId}${r.interrupted ? ' (interrupted)' : ''}`,
		`subscribers' video: ${r.subscribers.video.packetsLost} packets lost, ${r.subscribers.video.nacks} NACKs, ${r.subscribers.video.plis} PLIs, ${r.subscribers.video.freezes} freezes (${r.subscribers.video.frozenSeconds} s without a video packet), ${r.subscribers.video.framesDecoded} frames decoded (libwebrtc decodes what it receives)`,
		`audio delivered ${d.received}/${d.expected} packets (${d.ratio === undefined ? '-' : f(100 * d.ratio, 1)} %, worst subscriber ${d.minSubscriberRatio === undefined ? '-' : f(100 * d.minSubscriberRatio, 1)} %)`,
		`cpu: generator ${f(100 * r.cpu.generatorCores)} % of a core, server media workers ${r.cpu.serverWorkerCores === undefined ? '- (no operator key)' : `${f(100 * r.cpu.serverWorkerCores)} % of a core`}`,
	);
	if (r.failures.count > 0) lines.push(`failures: ${r.failures.count} (${r.failures.first.join('; ')})`);
	return lines.join('\n');
}
