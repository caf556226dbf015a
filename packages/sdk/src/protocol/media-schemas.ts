import * as z from 'zod';

// Structural checks for the mediasoup objects that cross the wire. mediasoup validates them
// in depth on the server; these keep obvious garbage (and huge payloads) out before that.
const shortString = z.string().max(256);
const params = z.record(z.string().max(64), z.union([z.string().max(256), z.number(), z.boolean()]));

export const dtlsParametersSchema = z
	.object({
		role: z.enum(['auto', 'client', 'server']).optional(),
		fingerprints: z
			.array(z.object({ algorithm: z.enum(['sha-1', 'sha-224', 'sha-256', 'sha-384', 'sha-512']), value: shortString }))
			.min(1)
			.max(8),
	})
	.passthrough();

const rtcpFeedback = z.object({ type: shortString, parameter: shortString.optional() }).passthrough();

const rtpCodecParameters = z
	.object({
		mimeType: z.string().regex(/^(audio|video)\/[A-Za-z0-9._-]+$/),
		payloadType: z.number().int().min(0).max(127),
		clockRate: z.number().int().positive(),
		channels: z.number().int().positive().optional(),
		parameters: params.optional(),
		rtcpFeedback: z.array(rtcpFeedback).max(32).optional(),
	})
	.passthrough();

const rtpEncoding = z
	.object({
		ssrc: z.number().int().nonnegative().optional(),
		rid: shortString.optional(),
		scalabilityMode: shortString.optional(),
		maxBitrate: z.number().positive().optional(),
	})
	.passthrough();

export const rtpParametersSchema = z
	.object({
		mid: shortString.optional(),
		codecs: z.array(rtpCodecParameters).min(1).max(32),
		headerExtensions: z
			.array(z.object({ uri: shortString, id: z.number().int() }).passthrough())
			.max(32)
			.optional(),
		encodings: z.array(rtpEncoding).max(8).optional(),
		rtcp: z.object({ cname: shortString.optional(), reducedSize: z.boolean().optional() }).passthrough().optional(),
	})
	.passthrough();

export const rtpCapabilitiesSchema = z
	.object({
		codecs: z
			.array(
				z
					.object({
						kind: z.enum(['audio', 'video']),
						mimeType: shortString,
						clockRate: z.number().int().positive(),
						preferredPayloadType: z.number().int().optional(),
						channels: z.number().int().optional(),
						parameters: params.optional(),
						rtcpFeedback: z.array(rtcpFeedback).max(32).optional(),
					})
					.passthrough(),
			)
			.max(64)
			.optional(),
		headerExtensions: z
			.array(z.object({ uri: shortString }).passthrough())
			.max(64)
			.optional(),
	})
	.passthrough();
