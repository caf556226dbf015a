/** What one client's WebRTC statistics say, summed over its RTP streams. */
export interface ClientCounters {
	audioPackets: number;
	videoPackets: number;
	bytes: number;
	/** Lost as the receiver counts it from sequence numbers (inbound), or as the server reports it (outbound). */
	packetsLost: number;
	/** Inbound video: lost packets of video alone (the rest of packetsLost is audio's). */
	videoPacketsLost: number;
	/** Inbound video: NACKs and PLIs the receiver sent, frames decoded. */
	nacks: number;
	plis: number;
	framesDecoded: number;
	/** Inbound: the largest interarrival jitter of its streams, in seconds. */
	jitter: number | undefined;
	/** Seconds: the selected candidate pair's, or RTCP's for a sender. */
	rtt: number | undefined;
}

export const noCounters: ClientCounters = {
	audioPackets: 0,
	videoPackets: 0,
	bytes: 0,
	packetsLost: 0,
	videoPacketsLost: 0,
	nacks: 0,
	plis: 0,
	framesDecoded: 0,
	jitter: undefined,
	rtt: undefined,
};

type Stat = Record<string, unknown> & { type: string };

const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);

function kindOf(s: Stat): string | undefined {
	return (s.kind ?? s.mediaType) as string | undefined;
}

/**
 * mediasoup probes a receiver's bandwidth with padding packets on a stream of their own (SSRC 1234,
 * which mediasoup-client signals as the m-section `probator`). They are sent in bursts with gaps in
 * their sequence numbers, so libwebrtc counts "lost" packets on that stream: not media, and left out.
 */
export function isProbation(s: Record<string, unknown>): boolean {
	return s.mid === 'probator';
}

/** Sums a stats report's `inbound-rtp` (direction `in`) or `outbound-rtp` (direction `out`) entries. */
export function countersOf(report: RTCStatsReport | undefined, direction: 'in' | 'out'): ClientCounters {
	const c: ClientCounters = { ...noCounters };
	if (!report) return c;
	let pairRtt: number | undefined;
	let rtcpRtt: number | undefined;
	report.forEach((raw: unknown) => {
		const s = raw as Stat;
		if (direction === 'in' && s.type === 'inbound-rtp' && !isProbation(s)) {
			const packets = num(s.packetsReceived);
			if (kindOf(s) === 'audio') c.audioPackets += packets;
			else {
				c.videoPackets += packets;
				c.videoPacketsLost += Math.max(0, num(s.packetsLost));
				c.nacks += num(s.nackCount);
				c.plis += num(s.pliCount);
				c.framesDecoded += num(s.framesDecoded);
			}
			c.bytes += num(s.bytesReceived);
			c.packetsLost += Math.max(0, num(s.packetsLost));
			if (typeof s.jitter === 'number') c.jitter = Math.max(c.jitter ?? 0, s.jitter);
		} else if (direction === 'out' && s.type === 'outbound-rtp') {
			const packets = num(s.packetsSent);
			if (kindOf(s) === 'audio') c.audioPackets += packets;
			else c.videoPackets += packets;
			c.bytes += num(s.bytesSent);
		} else if (direction === 'out' && s.type === 'remote-inbound-rtp') {
			c.packetsLost += Math.max(0, num(s.packetsLost));
			if (typeof s.roundTripTime === 'number') rtcpRtt = Math.max(rtcpRtt ?? 0, s.roundTripTime);
		} else if (s.type === 'candidate-pair' && s.nominated === true && s.state === 'succeeded') {
			if (typeof s.currentRoundTripTime === 'number') pairRtt = s.currentRoundTripTime;
		}
	});
	c.rtt = rtcpRtt ?? pairRtt;
	return c;
}
