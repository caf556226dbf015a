import { availableParallelism } from 'node:os';
import { z } from 'zod';
import { EngineError, invalidInput } from './errors.ts';
import { turnConfigSchema } from './media/turn.ts';

const port = z.number().int().min(1).max(65535);

export const engineConfigSchema = z
	.object({
		/** Where recordings are written (`<dataDir>/recordings/…`); recording is refused without it. */
		dataDir: z.string().min(1).optional(),
		/** Number of mediasoup workers; one per core by default. */
		workerCount: z.number().int().min(1).max(256).optional(),
		/** The mediasoup workers' log level; when set, also the level of the engine's default logger ('none': silent). */
		logLevel: z.enum(['debug', 'warn', 'error', 'none']).default('warn'),
		/** mediasoup-worker binary; mediasoup's default (or MEDIASOUP_WORKER_BIN) when absent. */
		workerBin: z.string().min(1).optional(),
		webRtc: z
			.object({
				/** Address the WebRtcServers listen on. */
				listenIp: z.string().min(1).default('0.0.0.0'),
				/** Address announced to clients in ICE candidates (public IP or host name behind NAT). */
				announcedAddress: z.string().min(1).optional(),
				/**
				 * Each worker's WebRtcServer takes one port of this range (UDP and TCP on the same
				 * number); a replacement worker takes the next free one, so leave some spare.
				 */
				portRange: z
					.object({ min: port, max: port })
					.refine((r) => r.min <= r.max, { message: 'min must not be greater than max' })
					.default({ min: 44400, max: 44499 }),
				enableTcp: z.boolean().default(true),
				/** A TURN server for clients whose network blocks UDP (credentials handed out at join). */
				turn: turnConfigSchema.optional(),
			})
			.strict()
			.prefault({}),
		/** Ports for PlainTransports (recording, RTP ingest). */
		rtpPortRange: z
			.object({ min: port, max: port })
			.refine((r) => r.min <= r.max, { message: 'min must not be greater than max' })
			.default({ min: 40000, max: 40999 }),
		/** Outgoing bitrate cap per WebRTC transport (bits per second). */
		maxIncomingBitrate: z.number().int().min(100_000).default(3_000_000),
		initialAvailableOutgoingBitrate: z.number().int().min(100_000).default(1_000_000),
		/**
		 * When the worker of a session's origin router carries more than this load (its routers and
		 * transports: about one per viewer), new viewers receive on the least-loaded worker, fed by
		 * pipes from the origin. 100 from the fan-out benchmark: docs/scaling.md.
		 */
		spreadAboveLoad: z.number().int().min(0).default(100),
	})
	.strict();

export type EngineConfigInput = z.input<typeof engineConfigSchema>;
export type EngineConfig = z.output<typeof engineConfigSchema> & { workerCount: number };

/** Validates engine configuration; a bad value raises `invalid_config` naming the field. */
export function parseEngineConfig(input: unknown): EngineConfig {
	const result = engineConfigSchema.safeParse(input ?? {});
	if (!result.success) {
		throw invalidInput('invalid_config', 'engine config', result.error.issues);
	}
	const cfg = result.data;
	const workerCount = cfg.workerCount ?? availableParallelism();
	const span = cfg.webRtc.portRange.max - cfg.webRtc.portRange.min + 1;
	if (span < workerCount) {
		throw new EngineError(
			'invalid_config',
			`invalid engine config at "webRtc.portRange": ${span} port(s) for ${workerCount} worker(s)`,
			{ details: { field: 'webRtc.portRange' } },
		);
	}
	return { ...cfg, workerCount };
}
