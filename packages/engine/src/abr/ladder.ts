import type { types } from 'mediasoup';
import type { StimulusProfile } from './profiles.ts';

/**
 * The spatial layers of a profile are named for a ladder of three: 2 is the camera's full
 * resolution, 1 half, 0 a quarter. A camera sends as many layers as its capture allows (a 360p or
 * 480p camera two, a small one a single stream; see the SDK's simulcastLadder), so a producer's
 * ladder may be shorter. Layers are then counted from the top: "full resolution" stays the
 * camera's own (its top layer), "half" the one below it, and what would fall below the lowest
 * layer is the lowest. A ladder of more than three keeps the top three's meaning as well.
 */
export const PROFILE_LAYERS = 3;

/** The profile's spatial layer `s` on a ladder of `layers` spatial layers (counted from the top). */
export function ladderLayer(s: number, layers: number): number {
	return Math.max(0, Math.min(layers - 1, s + layers - PROFILE_LAYERS));
}

/**
 * The profile as it applies to a producer with `layers` spatial layers: its caps and start layer
 * counted from the top of that ladder. Same object for a ladder of three.
 */
export function fitProfileToLadder(profile: StimulusProfile, layers: number): StimulusProfile {
	const n = Number.isInteger(layers) && layers > 0 ? layers : PROFILE_LAYERS;
	if (n === PROFILE_LAYERS) return profile;
	return {
		...profile,
		maxSpatialLayer: ladderLayer(profile.maxSpatialLayer, n),
		startSpatialLayer: ladderLayer(profile.startSpatialLayer, n),
	};
}

/** How many spatial layers a producer has: one per simulcast encoding, else one. */
export function spatialLayerCount(producer: Pick<types.Producer, 'rtpParameters'>): number {
	return Math.max(1, producer.rtpParameters.encodings?.length ?? 1);
}

/** Which of the producer's encodings a stats entry of its is (by RID, else by SSRC); -1 if none. */
export function encodingIndexOf(
	encodings: readonly types.RtpEncodingParameters[],
	stat: { rid?: string | undefined; ssrc?: number | undefined },
): number {
	return encodings.findIndex((e) => (e.rid !== undefined && e.rid === stat.rid) || (e.ssrc !== undefined && e.ssrc === stat.ssrc));
}

/**
 * The highest spatial layer the producer really sends now (bitrate and score above 0), or -1
 * when it sends none: a browser may announce a layer it does not send (yet), e.g. while its
 * bandwidth estimate is still too low for the top one.
 */
export async function highestSentLayer(producer: types.Producer): Promise<number> {
	const encodings = producer.rtpParameters.encodings ?? [];
	const stats = await producer.getStats().catch(() => []);
	let top = -1;
	for (const s of stats) {
		if (!(s.bitrate > 0 && s.score > 0)) continue;
		const i = encodingIndexOf(encodings, s);
		top = Math.max(top, encodings.length <= 1 ? 0 : i);
	}
	return top;
}
