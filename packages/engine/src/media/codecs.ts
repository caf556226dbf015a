import type { types } from 'mediasoup';

/**
 * Router codecs. VP8 first: every browser and libwebrtc build we test with (including
 * @roamhq/wrtc, which has no H.264) decodes it, and its simulcast is the most mature.
 * H.264 stays for Safari-era devices; Opus for audio with in-band FEC against loss.
 */
export const routerMediaCodecs: types.RouterRtpCodecCapability[] = [
	{
		kind: 'audio',
		mimeType: 'audio/opus',
		clockRate: 48000,
		channels: 2,
		parameters: { useinbandfec: 1, usedtx: 1 },
	},
	{
		kind: 'video',
		mimeType: 'video/VP8',
		clockRate: 90000,
		parameters: { 'x-google-start-bitrate': 600 },
	},
	{
		kind: 'video',
		mimeType: 'video/H264',
		clockRate: 90000,
		parameters: {
			'packetization-mode': 1,
			'profile-level-id': '42e01f',
			'level-asymmetry-allowed': 1,
			'x-google-start-bitrate': 600,
		},
	},
];
