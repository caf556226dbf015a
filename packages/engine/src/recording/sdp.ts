import type { types } from 'mediasoup';

/** One stream ffmpeg receives: the consumer's RTP parameters and the local ports it listens on. */
export interface SdpStream {
	kind: 'audio' | 'video';
	rtpParameters: types.RtpParameters;
	/** RTP port; RTCP goes to the next one (no RTCP mux: ffmpeg needs the sender reports). */
	port: number;
}

/**
 * The SDP that tells ffmpeg what arrives on which port. Only the media codec of each consumer
 * (its first codec: RTX is not negotiated for recording consumers), with its fmtp parameters.
 */
export function recordingSdp(streams: readonly SdpStream[], ip = '127.0.0.1'): string {
	const lines = ['v=0', `o=- 0 0 IN IP4 ${ip}`, 's=Luwte recording', `c=IN IP4 ${ip}`, 't=0 0'];
	for (const s of streams) {
		const codec = s.rtpParameters.codecs[0];
		if (!codec) throw new Error('a recording consumer without a codec');
		const name = codec.mimeType.split('/')[1]!;
		const channels = s.kind === 'audio' && codec.channels && codec.channels > 1 ? `/${codec.channels}` : '';
		lines.push(`m=${s.kind} ${s.port} RTP/AVP ${codec.payloadType}`);
		lines.push(`a=rtcp:${s.port + 1}`);
		lines.push(`a=rtpmap:${codec.payloadType} ${name}/${codec.clockRate}${channels}`);
		const fmtp = Object.entries(codec.parameters ?? {})
			.filter(([k]) => !k.startsWith('x-google'))
			.map(([k, v]) => `${k}=${v}`)
			.join(';');
		if (fmtp) lines.push(`a=fmtp:${codec.payloadType} ${fmtp}`);
		// Only packets from the engine (ffmpeg binds the port on every interface).
		lines.push(`a=source-filter: incl IN IP4 * ${ip}`);
		lines.push('a=recvonly');
	}
	return `${lines.join('\r\n')}\r\n`;
}

/** What the router offers a recording consumer: no RTX, no congestion feedback, no header extensions. */
export function recordingCapabilities(router: types.RtpCapabilities): types.RtpCapabilities {
	return {
		codecs: (router.codecs ?? [])
			.filter((c) => !c.mimeType.toLowerCase().endsWith('/rtx'))
			.map((c) => ({ ...c, rtcpFeedback: (c.rtcpFeedback ?? []).filter((fb) => fb.type === 'nack' && fb.parameter === 'pli') })),
		headerExtensions: [],
	};
}

/** ffmpeg's codec name for a mediasoup MIME type (what the manifest records). */
export function codecName(mimeType: string): string {
	return mimeType.split('/')[1]!.toLowerCase();
}
