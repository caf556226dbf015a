import type { RecordingManifest } from '../manifest.ts';
import type { VideoTrack } from './layout.ts';
import type { GatheredPart } from './segments.ts';

/** A gathered part on the item's timeline. */
export interface PlacedPart extends GatheredPart {
	/** Item time (seconds) of the part's concat time 0 (its first readable media). */
	offset: number;
	/** The concat list file for this part. */
	listFile: string;
}

export interface AudioTrack {
	partIndex: number;
	/** Stream index inside the part's files. */
	streamIndex: number;
	offset: number;
}

export interface Timeline {
	parts: PlacedPart[];
	/** Item length in seconds (ms precision). */
	duration: number;
	/** Item time 0 as wall clock (ms since the epoch). */
	origin: number;
	video: (VideoTrack & { partIndex: number; streamIndex: number; offset: number })[];
	audio: AudioTrack[];
}

const ms = (x: number) => Math.round(x * 1000) / 1000;

/**
 * Places each part by its `startedAt` relative to the recording's start, plus where its first
 * readable segment begins in the part's own time (so a dropped first segment leaves the rest at
 * the right moment). The item starts at the first media, not at the press of the record button:
 * a recording started before anyone was on camera does not open with minutes of black.
 */
export function placeParts(manifest: RecordingManifest, parts: readonly GatheredPart[], listFiles: readonly string[]): Timeline {
	if (parts.length === 0) throw new RangeError('no parts to place');
	const wall = parts.map((g) => (g.part.startedAt - manifest.startedAt) / 1000 + g.start);
	const first = Math.min(...wall);
	const placed: PlacedPart[] = parts.map((g, i) => ({ ...g, offset: ms(wall[i]! - first), listFile: listFiles[i]! }));
	const duration = ms(Math.max(...placed.map((p) => p.offset + (p.end - p.start))));
	const video: Timeline['video'] = [];
	const audio: AudioTrack[] = [];
	placed.forEach((p, partIndex) => {
		const recordedVideo = p.part.streams.filter((s) => s.kind === 'video');
		let videoSeen = 0;
		p.streams.forEach((s) => {
			if (s.kind === 'audio') {
				audio.push({ partIndex, streamIndex: s.index, offset: p.offset });
				return;
			}
			const source = recordedVideo[videoSeen++]?.source === 'screen' ? 'screen' : 'camera';
			const { width, height } = s;
			video.push({
				id: `${p.part.dir}:${s.index}`,
				slot: `${p.part.participantId}:${source}`,
				role: p.part.role,
				source,
				start: p.offset,
				end: ms(p.offset + (p.end - p.start)),
				width,
				height,
				partIndex,
				streamIndex: s.index,
				offset: p.offset,
			});
		});
	});
	return { parts: placed, duration, origin: manifest.startedAt + first * 1000, video, audio };
}
