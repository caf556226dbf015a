import dgram from 'node:dgram';
import { readFile } from 'node:fs/promises';

function bind(port: number, ip: string): Promise<dgram.Socket | undefined> {
	return new Promise((resolve) => {
		const s = dgram.createSocket('udp4');
		s.once('error', () => {
			s.close();
			resolve(undefined);
		});
		s.bind(port, ip, () => resolve(s));
	});
}

/**
 * Port ranges mediasoup workers of this process bind in at any moment (plain and pipe
 * transports). The kernel's ephemeral range usually overlaps them, so a port found free here
 * could be taken by a worker before ffmpeg binds it (ffmpeg then fails, or a worker's transport
 * gets the recording's packets): ports in these ranges are never handed to ffmpeg.
 */
const reserved: { min: number; max: number }[] = [];

/** Keeps `freeRtpPortPair` out of a range mediasoup binds in (the engine's `rtpPortRange`). */
export function reserveUdpPortRange(range: { min: number; max: number }): void {
	if (!reserved.some((r) => r.min === range.min && r.max === range.max)) reserved.push({ ...range });
}

const isReserved = (port: number) => reserved.some((r) => port >= r.min && port <= r.max);

/**
 * Pairs handed out lately (port → when): a pair is free only until its ffmpeg binds it, so two
 * parts starting at once (a recording's start takes everyone) could otherwise get the same one.
 */
const handedOut = new Map<number, number>();
const HANDED_OUT_MS = 60_000;

function recentlyHandedOut(port: number, now: number): boolean {
	for (const [p, at] of handedOut) if (now - at > HANDED_OUT_MS) handedOut.delete(p);
	return handedOut.has(port) || handedOut.has(port - 1) || handedOut.has(port + 1);
}

/**
 * A fresh pair of free UDP ports (even RTP port, RTCP on the next) for one ffmpeg input stream.
 * Fresh each time: ffmpeg restarted on ports that still receive the old stream drops its packets
 * as "received too late".
 */
export async function freeRtpPortPair(ip = '127.0.0.1', attempts = 50): Promise<number> {
	for (let i = 0; i < attempts; i++) {
		const a = await bind(0, ip);
		if (!a) continue;
		const port = a.address().port;
		if (isReserved(port) || isReserved(port + 1) || recentlyHandedOut(port, Date.now())) {
			a.close();
			continue;
		}
		const rtp = port % 2 === 0 ? port : port + 1;
		// An odd port: RTP needs the even one of a pair, so let this one go and take the next.
		if (rtp !== port) a.close();
		const first = rtp === port ? a : await bind(rtp, ip);
		const second = first ? await bind(rtp + 1, ip) : undefined;
		first?.close();
		second?.close();
		if (first && second && !recentlyHandedOut(rtp, Date.now())) {
			handedOut.set(rtp, Date.now());
			return rtp;
		}
	}
	throw new Error('no free UDP port pair for recording');
}

/** Local UDP ports something listens on now (Linux: /proc/net/udp); undefined where that cannot be read. */
async function boundUdpPorts(): Promise<Set<number> | undefined> {
	try {
		const text = await readFile('/proc/net/udp', 'utf8');
		const ports = new Set<number>();
		for (const line of text.split('\n').slice(1)) {
			const local = line.trim().split(/\s+/)[1];
			if (local) ports.add(Number.parseInt(local.split(':')[1] ?? '', 16));
		}
		return ports;
	} catch {
		return undefined;
	}
}

/**
 * Waits until every port is bound (ffmpeg opens its sockets once it has read the SDP), so that
 * the first packets, with the key frame, are not sent into the void. Where the socket table
 * cannot be read, waits a fixed second instead.
 */
export async function waitUntilListening(
	ports: readonly number[],
	timeoutMs = 5000,
	isAlive: () => boolean = () => true,
): Promise<boolean> {
	const deadline = Date.now() + timeoutMs;
	while (Date.now() < deadline && isAlive()) {
		const bound = await boundUdpPorts();
		if (!bound) {
			await new Promise((r) => setTimeout(r, 1000));
			return isAlive();
		}
		if (ports.every((p) => bound.has(p))) return true;
		await new Promise((r) => setTimeout(r, 25));
	}
	return false;
}
