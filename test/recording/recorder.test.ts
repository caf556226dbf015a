import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SessionClient } from '@luwte/sdk';
import { recordingManifestSchema, type RecordingManifest } from '@luwte/engine/recording';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHost, type TestHost } from '../helpers/host.ts';
import { waitFor } from '../helpers/wait.ts';
import { fakeMedia, webrtc } from '../helpers/wrtc-media.ts';

/**
 * What ffprobe finds in a part's segments: codec per stream, the seconds of media they cover
 * (first to last packet: the segments carry continuous timestamps), unreadable segments.
 */
function probePart(dir: string): { codecs: string[]; seconds: number; segments: string[]; broken: string[] } {
	const segments = readdirSync(dir)
		.filter((f) => /^seg-\d{5}\.mkv$/.test(f))
		.sort();
	let codecs: string[] = [];
	let first = Number.POSITIVE_INFINITY;
	let last = Number.NEGATIVE_INFINITY;
	const broken: string[] = [];
	for (const f of segments) {
		try {
			const out = JSON.parse(
				execFileSync(
					'ffprobe',
					['-v', 'error', '-show_entries', 'stream=codec_name:packet=pts_time', '-of', 'json', join(dir, f)],
					{ encoding: 'utf8', stdio: 'pipe', maxBuffer: 64 << 20 },
				),
			) as { streams: { codec_name: string }[]; packets?: { pts_time?: string }[] };
			codecs = out.streams.map((s) => s.codec_name);
			for (const p of out.packets ?? []) {
				const t = Number(p.pts_time);
				if (!Number.isFinite(t)) continue;
				first = Math.min(first, t);
				last = Math.max(last, t);
			}
		} catch {
			broken.push(f);
		}
	}
	return { codecs, seconds: last - first, segments, broken };
}

function manifestOf(dir: string): RecordingManifest {
	return recordingManifestSchema.parse(JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')));
}

describe('recording a live session', () => {
	let t: TestHost;
	beforeAll(async () => {
		t = await startTestHost();
	});
	afterAll(() => t?.close());

	it('records the host, a client only with consent, cuts a withdrawn client at once, and survives a killed ffmpeg', async () => {
		const tenant = t.tenants[0]!;
		const sessionId = await t.createSession(tenant, { title: 'Koken', module: 'vaardig-en-creatief' });
		const host = new SessionClient({ server: t.host.url, webrtc });
		const client = new SessionClient({ server: t.host.url, webrtc });
		const hostMedia = fakeMedia(640, 360, 15);
		const clientMedia = fakeMedia(320, 240, 15);
		try {
			await host.connect(await t.token(tenant, sessionId, 'host', 'begeleider-1'));
			await host.publish({ camera: hostMedia.camera, microphone: hostMedia.microphone });
			await client.connect(await t.token(tenant, sessionId, 'participant', 'client-1'));
			await client.publish({ camera: clientMedia.camera, microphone: clientMedia.microphone });
			const session = t.host.engine.session(tenant.id, sessionId);

			await host.startRecording();
			await waitFor(() => host.recording.active && client.recording.active, 30_000, 'everyone told the session is recorded');
			await waitFor(() => session.recordingStatus().recorded.includes('begeleider-1'), 30_000, 'the host recorded');
			await waitFor(() => host.recording.recorded.join() === 'begeleider-1', 30_000, 'the host told they are recorded');
			// The client sees the indicator, and that they themselves are not in the recording.
			expect(client.recording).toMatchObject({ active: true, you: false, consent: false, recorded: [] });
			await new Promise((r) => setTimeout(r, 6000));
			expect(session.recordingStatus().recorded).toEqual(['begeleider-1']);

			// Consent given (by the client): their tracks join the recording, for about 6 s
			// counted from the consent (the waits below take longer on a busy machine).
			const consentAt = Date.now();
			await client.setRecordingConsent(true);
			await waitFor(() => client.recording.you, 30_000, 'the client told they are recorded');
			expect(session.recordingStatus().recorded.sort()).toEqual(['begeleider-1', 'client-1']);
			// The host sees who has consented (the client only their own).
			await waitFor(() => host.recording.consented.includes('client-1'), 30_000, 'the host told of the consent');
			expect(client.recording.consented).toEqual([]);
			await new Promise((r) => setTimeout(r, Math.max(0, consentAt + 6000 - Date.now())));

			// Withdrawn (by the host for the client): cut at once.
			await host.setRecordingConsent(false, 'client-1');
			expect(session.recordingStatus().recorded).toEqual(['begeleider-1']);
			await waitFor(() => !client.recording.you, 30_000, 'the client told they are no longer recorded');
			await waitFor(() => host.recording.consented.length === 0, 30_000, 'the host told of the withdrawal');

			// ffmpeg killed: recording goes on in a new part.
			const writer = session.recorder!.writerOf('begeleider-1')!;
			process.kill(writer.pid!, 'SIGKILL');
			await waitFor(
				() => session.recorder!.writerOf('begeleider-1') !== undefined && session.recorder!.writerOf('begeleider-1') !== writer,
				30_000,
				'a new part for the host',
			);
			await new Promise((r) => setTimeout(r, 6000));

			const { dir } = await session.stopRecording();
			await waitFor(() => !host.recording.active, 30_000, 'recording stopped for everyone');
			const manifest = manifestOf(dir);
			expect(manifest.endedAt).not.toBeNull();
			const byWho = (id: string) => manifest.parts.filter((p) => p.participantId === id);
			expect(byWho('begeleider-1')).toHaveLength(2);
			expect(byWho('client-1')).toHaveLength(1);
			const killed = byWho('begeleider-1')[0]!;
			for (const part of manifest.parts) {
				expect(part.streams.map((s) => `${s.source}:${s.codec}`)).toEqual(['microphone:opus', 'camera:vp8']);
				const probed = probePart(join(dir, part.dir));
				// Only the segment ffmpeg was writing when it was killed may be unreadable.
				expect(probed.broken).toEqual(part === killed ? probed.broken.filter((f) => f === probed.segments.at(-1)) : []);
				expect(probed.codecs.sort()).toEqual(['opus', 'vp8']);
				const span = ((part.endedAt ?? manifest.endedAt!) - part.startedAt) / 1000;
				// Everything up to the end, minus at most one segment (4 s) for the killed part.
				expect(probed.seconds).toBeGreaterThan(span - 4.5);
				expect(probed.seconds).toBeLessThan(span + 1);
			}
			// The client's part covers only the time with consent (about 6 s, not the whole recording).
			const clientPart = byWho('client-1')[0]!;
			expect((clientPart.endedAt! - clientPart.startedAt) / 1000).toBeLessThan(8);
			expect(existsSync(join(dir, byWho('begeleider-1')[0]!.dir, 'input.sdp'))).toBe(true);
		} finally {
			hostMedia.stop();
			clientMedia.stop();
			await client.leave().catch(() => undefined);
			await host.leave().catch(() => undefined);
		}
	}, 240_000);
});
