import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TypedEmitter, type EngineEvents } from '@luwte/engine';
import { RecordingService, type PostprocessResult } from '@luwte/engine/recording';
import { webhookSources } from '@luwte/engine/webhooks';
import { describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/wait.ts';

// recording.ready / recording.flagged / recording.failed come from RecordingService's
// `recording.processed` (post-processing is faked here: its real run is test/recording's).

const quiet = { debug() {}, info() {}, warn() {}, error() {} };

function recordingDir(dataDir: string, recordingId: string, parts: number): void {
	const dir = join(dataDir, 'recordings', 'zorg-a', recordingId);
	mkdirSync(dir, { recursive: true });
	const part = (i: number) => ({
		dir: `part-00${i}`,
		participantId: `client-${i}`,
		role: 'participant',
		streams: [{ kind: 'video', source: 'camera', codec: 'VP8' }],
		startedAt: 1,
		endedAt: 2,
	});
	writeFileSync(
		join(dir, 'manifest.json'),
		JSON.stringify({
			version: 1,
			recordingId,
			tenantId: 'zorg-a',
			sessionId: `ses-${recordingId}`,
			title: null,
			module: 'communicatie',
			startedAt: 1,
			endedAt: 2,
			parts: Array.from({ length: parts }, (_, i) => part(i)),
		}),
	);
}

const result = (flagged: boolean): PostprocessResult => ({
	recordingId: 'x',
	startedAt: 1,
	file: 'item.mp4',
	thumbnail: 'thumb.jpg',
	durationSeconds: 42,
	videoCodec: 'h264',
	audioCodec: 'aac',
	width: 640,
	height: 360,
	loudness: { inputIntegrated: null, outputIntegrated: null, outputTruePeak: null, normalization: 'none' },
	flash: { flagged, windows: flagged ? [{ startSeconds: 1, endSeconds: 2, maxFlashesPerSecond: 5 }] : [], redFlagged: false },
	droppedSegments: [],
	skippedParts: [],
});

describe('recording outcomes as webhook events', () => {
	it('reports ready, flagged and failed post-processing', { timeout: 30_000 }, async () => {
		const dataDir = mkdtempSync(join(tmpdir(), 'luwte-wh-rec-'));
		recordingDir(dataDir, 'rec-ready', 1);
		recordingDir(dataDir, 'rec-flagged', 1);
		recordingDir(dataDir, 'rec-empty', 0);
		const events = new TypedEmitter<EngineEvents>(quiet);
		const got: string[] = [];
		events.on('recording.processed', (e) => {
			const d = webhookSources['recording.processed'](e);
			got.push(`${e.recordingId} ${d.type} ${JSON.stringify(d.data)}`);
		});
		let n = 0;
		const library = {
			createProcessing: async () => ({ id: `li_${++n}` }) as never,
			complete: async () => ({}) as never,
			markFailed: async () => ({}) as never,
		};
		const service = new RecordingService({
			events,
			library,
			dataDir,
			logger: quiet,
			postprocess: async (dir) => result(dir.endsWith('rec-flagged')),
		});
		expect(await service.resumePending()).toBe(3);
		await waitFor(() => got.length === 3, 20_000, 'three outcomes');
		service.close();
		expect(got.sort()).toEqual([
			'rec-empty recording.failed {"sessionId":"ses-rec-empty","recordingId":"rec-empty","itemId":null,"error":"nothing was recorded: nobody who may be recorded published a camera or microphone"}',
			expect.stringMatching(
				/^rec-flagged recording\.flagged \{"sessionId":"ses-rec-flagged","recordingId":"rec-flagged","itemId":"li_\d","flashWindows":1\}$/,
			),
			expect.stringMatching(
				/^rec-ready recording\.ready \{"sessionId":"ses-rec-ready","recordingId":"rec-ready","itemId":"li_\d","durationSeconds":42\}$/,
			),
		]);
	});
});
