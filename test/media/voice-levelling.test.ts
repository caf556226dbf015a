import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import wrtc from '@roamhq/wrtc';
import { SessionClient } from '@luwte/sdk';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeViolations } from '../helpers/axe.ts';
import { chromiumAvailable, chromiumPath, servePage } from '../helpers/chromium.ts';
import { startTestHost, type TestHost } from '../helpers/host.ts';
import { waitFor, webrtc } from '../helpers/wrtc-media.ts';
import { levellingSettings } from '../../packages/sdk/src/elements/session/voice-levelling.ts';

// Calm sound live (issue 17 part 3): a begeleider who speaks loud (a tone at −6 dBFS peak) and a
// client who speaks quietly (−30 dBFS peak) publish from libwebrtc in Node; one client listens in
// Chromium through <luwte-session>. The element reports each voice's level as the listener hears
// it (`outputLevels()`, a tap at the end of what plays); the test compares levelling on and off,
// and the listener's own volume for one person.

const outDir = join(import.meta.dirname, '..', '..', 'test-output');
const LOUD_DBFS = -6;
const QUIET_DBFS = -30;

/** A steady tone at `peakDbfs` (peak, so its RMS is 3 dB lower) from a libwebrtc audio source. */
function tone(peakDbfs: number, hz: number) {
	const source = new wrtc.nonstandard.RTCAudioSource();
	const amplitude = 32767 * 10 ** (peakDbfs / 20);
	const samples = new Int16Array(480);
	let phase = 0;
	const timer = setInterval(() => {
		for (let i = 0; i < samples.length; i++) {
			phase += (2 * Math.PI * hz) / 48000;
			samples[i] = Math.round(amplitude * Math.sin(phase));
		}
		source.onData({ samples, sampleRate: 48000, bitsPerSample: 16, channelCount: 1, numberOfFrames: samples.length });
	}, 10);
	const track = source.createTrack() as unknown as MediaStreamTrack;
	return {
		track,
		stop() {
			clearInterval(timer);
			track.stop();
		},
	};
}

let hostUrl = '';
const providerPage = () => `<!doctype html>
<html lang="nl"><head><meta charset="utf-8"><title>Zorgaanbieder — samen zingen</title>
<script type="module" src="${hostUrl}/embed/luwte.js"></script></head>
<body><main><h1>Samen zingen</h1><div id="slot"></div></main>
<script>
window.mount = (server, token) => {
	const el = document.createElement('luwte-session');
	el.setAttribute('server', server);
	el.token = token;
	document.getElementById('slot').append(el);
};
</script></body></html>`;

/**
 * The median level per person over about `ms`, read from the element's output taps every 50 ms.
 * A median, not a mean: a busy machine's audio may drop a block now and then, and a tap made a
 * moment ago reads silence at first.
 */
async function levels(page: Page, ms = 1000): Promise<Record<string, number>> {
	return page.evaluate(async (ms) => {
		const el = document.querySelector('luwte-session') as any;
		const reads: Record<string, number[]> = {};
		const t0 = performance.now();
		while (performance.now() - t0 < ms) {
			for (const l of el.outputLevels()) {
				reads[l.participantId] ??= [];
				if (Number.isFinite(l.dbfs)) reads[l.participantId]!.push(l.dbfs);
			}
			await new Promise((r) => setTimeout(r, 50));
		}
		const median = (xs: number[]) => {
			const s = [...xs].sort((a, b) => a - b);
			return s.length === 0 ? -Infinity : Math.round(100 * s[Math.floor(s.length / 2)]!) / 100;
		};
		return Object.fromEntries(Object.entries(reads).map(([id, xs]) => [id, median(xs)]));
	}, ms);
}

/** Levels once they hold still: two readings in a row within 0.5 dB for everyone (after a change). */
async function steadyLevels(page: Page): Promise<Record<string, number>> {
	let last = await levels(page);
	const deadline = Date.now() + 30_000;
	for (;;) {
		const next = await levels(page);
		const ids = Object.keys(next);
		if (ids.length > 0 && ids.every((id) => Math.abs(next[id]! - (last[id] ?? -Infinity)) < 0.5)) return next;
		if (Date.now() > deadline) throw new Error(`levels did not settle: ${JSON.stringify([last, next])}`);
		last = next;
	}
}

const db = (x: number) => Math.round(100 * x) / 100;

const shadow = (page: Page, fn: (root: ShadowRoot) => unknown) =>
	page.evaluate(`(${fn.toString()})(document.querySelector('luwte-session').shadowRoot)`);

describe.skipIf(!chromiumAvailable())('<luwte-session> levels incoming voices', () => {
	let t: TestHost;
	let browser: Browser;
	let site: Awaited<ReturnType<typeof servePage>>;

	beforeAll(async () => {
		site = await servePage(providerPage);
		t = await startTestHost({ allowedOrigins: { a: [new URL(site.url).origin] } });
		hostUrl = t.host.url;
		// The browser's own autoplay policy (no --autoplay-policy flag): sound may start only after
		// the person's click on "Meedoen", which is what the element relies on.
		browser = await chromium.launch({
			executablePath: chromiumPath,
			headless: true,
			args: [
				'--headless',
				'--no-sandbox',
				'--disable-gpu',
				'--disable-quic',
				'--no-first-run',
				'--disable-background-networking',
				'--disable-component-update',
				'--disable-sync',
				'--use-fake-device-for-media-stream',
				'--use-fake-ui-for-media-stream',
				'--allow-loopback-in-peer-connection',
			],
		});
		await mkdir(outDir, { recursive: true });
	});
	afterAll(async () => {
		await browser?.close();
		await site?.close();
		await t?.close();
	});

	it('holds a sudden shout down from its first milliseconds (the chain alone, in Chromium)', async () => {
		// The element's chain with its own settings, rendered offline by Chromium's Web Audio: a voice
		// at -30 dBFS peak jumps to 0 dBFS (a shout). Without the chain it would play at 0 dBFS.
		const context = await browser.newContext();
		try {
			const page = await context.newPage();
			await page.goto(site.url);
			const peaks = await page.evaluate(async (s) => {
				const sr = 48000;
				const ctx = new OfflineAudioContext(1, sr * 3, sr);
				const osc = new OscillatorNode(ctx, { frequency: 330 });
				const level = new GainNode(ctx, { gain: 10 ** (-30 / 20) });
				level.gain.setValueAtTime(1, 1);
				const dbGain = (db: number) => 10 ** (db / 20);
				osc.connect(level)
					.connect(new DynamicsCompressorNode(ctx, s.compressor))
					.connect(new GainNode(ctx, { gain: dbGain(s.compressorTrimDb) }))
					.connect(new DynamicsCompressorNode(ctx, s.limiter))
					.connect(new GainNode(ctx, { gain: dbGain(s.limiterTrimDb) }))
					.connect(ctx.destination);
				osc.start();
				const d = (await ctx.startRendering()).getChannelData(0);
				const peak = (from: number, to: number) => {
					let m = 0;
					for (let i = Math.round(from * sr); i < Math.round(to * sr); i++) m = Math.max(m, Math.abs(d[i]!));
					return Math.round(200 * Math.log10(m)) / 10;
				};
				return { before: peak(0.5, 1), first50ms: peak(1, 1.05), steady: peak(2.5, 3) };
			}, levellingSettings);
			await writeFile(
				join(outDir, 'voice-levelling-shout.json'),
				`${JSON.stringify({ unit: 'dBFS peak', sent: '-30 then 0', ...peaks })}\n`,
			);
			console.log('shout through the chain (dBFS peak):', JSON.stringify(peaks));
			expect(Math.abs(peaks.before - -30)).toBeLessThan(1); // a quiet voice passes as it was
			expect(peaks.steady).toBeLessThan(-12); // 0 dBFS comes out at about -15.6
			expect(peaks.first50ms).toBeLessThan(peaks.steady + 2); // no startling onset above that
		} finally {
			await context.close();
		}
	});

	it('brings a loud voice toward a quiet one when on, plays them as sent when off, and lets the listener turn one person down', async () => {
		const tenant = t.tenants[0]!;
		const sessionId = await t.createSession(tenant, { title: 'Samen zingen' });
		const loud = tone(LOUD_DBFS, 330);
		const quiet = tone(QUIET_DBFS, 550);
		const begeleider = new SessionClient({ server: t.host.url, webrtc });
		const client = new SessionClient({ server: t.host.url, webrtc });
		const context = await browser.newContext({ viewport: { width: 1000, height: 900 } });
		try {
			await begeleider.connect(await t.token(tenant, sessionId, 'host', 'begeleider-1'));
			await begeleider.publish({ microphone: loud.track });
			await client.connect(await t.token(tenant, sessionId, 'participant', 'client-2'));
			await client.publish({ microphone: quiet.track });

			// The listener: a client with the default (calm) stimulus profile, joining by a click.
			const page = await context.newPage();
			await page.goto(site.url);
			await page.waitForFunction(() => customElements.get('luwte-session') !== undefined);
			await page.evaluate(([server, token]) => (window as any).mount(server, token), [
				t.host.url,
				await t.token(tenant, sessionId, 'participant', 'client-9'),
			] as const);
			const joinButton = page.getByRole('button', { name: 'Meedoen' });
			await page.waitForFunction(
				() =>
					!(document.querySelector('luwte-session')!.shadowRoot!.querySelector('button.join') as HTMLButtonElement | null)
						?.disabled,
				null,
				{ timeout: 60_000 },
			);
			expect(await page.evaluate(() => (document.querySelector('luwte-session') as any).voiceLevelling)).toBe('auto');
			await joinButton.click();

			// Both voices arrive, play through the levelling (the click let the audio context run),
			// and are loud enough to measure.
			const heard = async () => {
				const l = await levels(page, 300);
				return (l['begeleider-1'] ?? -Infinity) > -45 && (l['client-2'] ?? -Infinity) > -60;
			};
			await waitFor(
				async () =>
					(await page.evaluate(() => (document.querySelector('luwte-session') as any).voiceLevellingActive)) && (await heard()),
				60_000,
				'both voices levelled and audible at the listener',
			);
			// The <audio> elements stay (Chromium needs them for the remote tracks to flow), muted.
			expect(await shadow(page, (r) => [...r.querySelectorAll('audio')].map((a) => a.muted))).toEqual([true, true]);
			const on = await steadyLevels(page);

			// The listener turns the begeleider down two steps, by keyboard; nothing moves.
			const boxes = () =>
				shadow(page, (r) =>
					[...r.querySelectorAll('.tile, .tile-volume, .volume-buttons button')].map((e) => {
						const b = e.getBoundingClientRect();
						return [Math.round(b.x), Math.round(b.y), Math.round(b.width), Math.round(b.height)];
					}),
				);
			const before = await boxes();
			const down = page.getByRole('button', { name: 'Begeleider: Zachter' });
			await down.focus();
			await page.keyboard.press('Enter');
			await page.keyboard.press('Enter');
			await page.getByText('Geluid: zacht', { exact: true }).waitFor({ timeout: 10_000 });
			expect(await boxes()).toEqual(before);
			expect(await axeViolations(page, 'luwte-session')).toEqual([]);
			await page.screenshot({ path: join(outDir, 'voice-levelling-volume.png'), fullPage: true });
			const turnedDown = await steadyLevels(page);
			// Back to normal ("Harder" twice); at the top "Harder" stays in place, marked unavailable.
			const up = page.getByRole('button', { name: 'Begeleider: Harder' });
			await up.click();
			await up.click();
			await page.getByText('Geluid: normaal').first().waitFor();
			expect(await up.getAttribute('aria-disabled')).toBe('true');

			// Levelling off: the elements play the voices as sent, at full volume.
			await page.evaluate(() => {
				(document.querySelector('luwte-session') as any).voiceLevelling = 'off';
			});
			await waitFor(
				async () => !(await page.evaluate(() => (document.querySelector('luwte-session') as any).voiceLevellingActive)),
				10_000,
				'levelling to stop',
			);
			expect(await shadow(page, (r) => [...r.querySelectorAll('audio')].map((a) => [a.muted, a.volume]))).toEqual([
				[false, 1],
				[false, 1],
			]);
			const off = await steadyLevels(page);
			// Off, the listener's volume is the element's own: one step down halves it for that person.
			await page.getByRole('button', { name: 'Begeleider: Zachter' }).click();
			await page.getByText('Geluid: iets zachter', { exact: true }).waitFor({ timeout: 10_000 });
			const plainVolumes = await page.evaluate(() =>
				Object.fromEntries(
					(document.querySelector('luwte-session') as any).outputLevels().map((l: any) => [l.participantId, l.volume]),
				),
			);
			expect(plainVolumes).toEqual({ 'begeleider-1': 0.5, 'client-2': 1 });
			expect((await shadow(page, (r) => [...r.querySelectorAll('audio')].map((a) => a.volume).sort())) as number[]).toEqual([0.5, 1]);
			// A bad value is refused and changes nothing.
			const refused = await page.evaluate(() => {
				const el = document.querySelector('luwte-session') as any;
				try {
					el.voiceLevelling = 'loud';
				} catch (err) {
					return [(err as Error).name, el.voiceLevelling];
				}
				return ['accepted', el.voiceLevelling];
			});
			expect(refused).toEqual(['TypeError', 'off']);

			const report = {
				sent: { 'begeleider-1': `${LOUD_DBFS} dBFS peak sine`, 'client-2': `${QUIET_DBFS} dBFS peak sine` },
				unit: 'dBFS RMS at the listener (a sine at -6 dBFS peak is -9 dBFS RMS)',
				off,
				on,
				difference: {
					off: db(off['begeleider-1']! - off['client-2']!),
					on: db(on['begeleider-1']! - on['client-2']!),
				},
				loudDrop: db(off['begeleider-1']! - on['begeleider-1']!),
				quietChange: db(on['client-2']! - off['client-2']!),
				volumeTwoStepsDown: { levels: turnedDown, begeleiderDrop: db(on['begeleider-1']! - turnedDown['begeleider-1']!) },
			};
			await writeFile(join(outDir, 'voice-levelling.json'), `${JSON.stringify(report, null, '\t')}\n`);
			console.log('voice levelling (dBFS RMS):', JSON.stringify(report));

			// Off: the difference stays as sent (24 dB), within what Opus and the taps add.
			expect(report.difference.off).toBeGreaterThan(24 - 2);
			expect(report.difference.off).toBeLessThan(24 + 2);
			// On: the loud voice comes down by about 11-12 dB, the quiet one stays where it was, so a
			// 24 dB difference becomes about 12 dB (documented in docs/embed.md).
			expect(report.loudDrop).toBeGreaterThan(9);
			expect(Math.abs(report.quietChange)).toBeLessThan(2);
			expect(report.difference.on).toBeLessThan(report.difference.off - 9);
			// Two steps down is 12 dB quieter for that person only.
			expect(Math.abs(report.volumeTwoStepsDown.begeleiderDrop - 12)).toBeLessThan(1.5);
			expect(Math.abs(turnedDown['client-2']! - on['client-2']!)).toBeLessThan(1.5);

			// A listener with the standard stimulus profile hears the voices as sent (the begeleider,
			// client-2 and the first listener's fake microphone), unless the page asks for levelling.
			const other = await context.newPage();
			await other.goto(site.url);
			await other.waitForFunction(() => customElements.get('luwte-session') !== undefined);
			await other.evaluate(([server, token]) => (window as any).mount(server, token), [
				t.host.url,
				await t.token(tenant, sessionId, 'participant', 'client-10', 'standard'),
			] as const);
			await other.waitForFunction(
				() =>
					!(document.querySelector('luwte-session')!.shadowRoot!.querySelector('button.join') as HTMLButtonElement | null)
						?.disabled,
				null,
				{ timeout: 60_000 },
			);
			await other.getByRole('button', { name: 'Meedoen' }).click();
			await other.waitForFunction(
				() => document.querySelector('luwte-session')!.shadowRoot!.querySelectorAll('audio').length >= 3,
				null,
				{
					timeout: 60_000,
				},
			);
			expect(await other.evaluate(() => (document.querySelector('luwte-session') as any).voiceLevellingActive)).toBe(false);
			expect(await shadow(other, (r) => [...r.querySelectorAll('audio')].map((a) => a.muted))).toEqual([false, false, false]);
			await other.evaluate(() => document.querySelector('luwte-session')!.setAttribute('voice-levelling', 'on'));
			await other.waitForFunction(() => (document.querySelector('luwte-session') as any).voiceLevellingActive, null, {
				timeout: 10_000,
			});
		} finally {
			await context.close();
			await begeleider.leave();
			await client.leave();
			loud.stop();
			quiet.stop();
		}
	});
});
