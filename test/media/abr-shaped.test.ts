import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { parseTrace } from '@luwte/engine/abr';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
	describeShapedRun,
	offsetTable,
	runShapedTrace,
	senderFault,
	type ShapedProfileId,
	type ShapedRun,
} from '../helpers/abr-shaped-rig.ts';
import { startTestHost, type TestHost } from '../helpers/host.ts';
import { addServerAddress, removeServerAddress, SERVER_IP, shapedRigUnavailable, type ShapedReceiver } from '../helpers/netns.ts';

// The real-network check of the calm controller (docs/abr.md): one bandwidth trace played on a
// real link (tc-shaped veth into a receiver's own namespace, test/helpers/abr-shaped-rig.ts)
// through the real engine to real libwebrtc receivers, calm's resolution switches set against
// the simulator's prediction for the same trace. Asserted: what holds on a busy machine too,
// the count and the sequence of calm's switches. Reported, not asserted: when each switch came
// against the predicted moment (printed and in test-output/abr-shaped.json); that timing depends
// on how fast the real estimate follows the link, which a loaded machine slows. Timing
// comparisons are the benchmark's: `node_modules/.bin/node bench/src/abr-shaped.ts` (bench/RESULTS.md).
// Two things make a run disagree that are not the controller's model being wrong, and the test
// plays the trace again for them (at most three plays, each reported in test-output/abr-shaped-N.json):
// - a run whose sender did not keep its ladder (libwebrtc paused its own top layer: seen at load
//   average 9-11 on 2 cores) did not measure the controller;
// - the real estimate (GoogCC) on the long 450 kbit/s stretch sometimes swings far below and
//   above the link (loss reported at 70 %, then an estimate 20 % above the link), and calm follows
//   it one layer further down or up for a few seconds than the model, whose estimate is smooth
//   (bench/RESULTS.md: about one run in three under load in the runs of 2026-11-30). So the claim
//   asserted is the one that holds on a busy machine: at least one of three plays agrees. A
//   controller or wiring that is wrong disagrees every time and fails.

const trace = parseTrace(readFileSync(new URL('../fixtures/shaped-steps.csv', import.meta.url), 'utf8'));
const durationMs = trace.at(-1)!.tMs;
const unavailable = shapedRigUnavailable();

describe.skipIf(unavailable !== undefined)('calm layers over a tc-shaped link', () => {
	let t: TestHost | undefined;
	const receivers = new Map<ShapedProfileId, ShapedReceiver>();
	beforeAll(async () => {
		addServerAddress();
		t = await startTestHost({ listenIp: SERVER_IP });
	});
	afterAll(async () => {
		await Promise.all([...receivers.values()].map((r) => r.close()));
		await t?.close();
		removeServerAddress();
	});

	// About 3.5 minutes a play, at most three plays: its own ceiling, well above the default.
	it('makes the switches the simulator predicts for the same trace (count and sequence), and reports their timing', async () => {
		// The bottleneck's queue (tbf latency): 400 ms, a home router's usual buffer. Tried too:
		// 1000 ms (the simulator's queueMs) made the real estimate undershoot a drop to ~30 % of
		// the link, 150 ms made it collapse on loss to ~30 kbit/s. LUWTE_SHAPED_QUEUE_MS overrides.
		const latencyMs = Number(process.env.LUWTE_SHAPED_QUEUE_MS ?? 400);
		mkdirSync('test-output', { recursive: true });
		const report = (run: ShapedRun, file: string) => {
			writeFileSync(`test-output/${file}`, `${JSON.stringify(run, null, 1)}\n`);
			for (const line of describeShapedRun(run)) console.log(`[abr-shaped] ${line}`);
			const calm = run.results.find((r) => r.profile === 'calm')!;
			console.log(`[abr-shaped] calm: when each predicted switch came (observed minus predicted)\n${offsetTable(calm).join('\n')}`);
		};
		const agrees = (r: ShapedRun) => {
			const c = r.results.find((x) => x.profile === 'calm')!;
			return c.countWithinTolerance && c.resolutionSequenceDistance <= 1;
		};
		let run: ShapedRun | undefined;
		for (let play = 1; play <= 3; play++) {
			run = await runShapedTrace(t!, { trace, latencyMs, receivers, linkOffset: 2 * (play - 1) });
			report(run, `abr-shaped-${play}.json`);
			if (agrees(run)) break;
			const fault = senderFault(run);
			console.log(
				`[abr-shaped] play ${play} did not agree${fault ? ` (void: ${fault})` : ''}${play < 3 ? '; playing the trace again' : ''}`,
			);
		}
		run = run!;
		writeFileSync('test-output/abr-shaped.json', `${JSON.stringify(run, null, 1)}\n`);
		const calm = run.results.find((r) => r.profile === 'calm')!;
		const sender = senderFault(run) ?? 'the sender kept its ladder';

		// Video really flowed all along at both receivers: decoded frames grew in every 10 s.
		for (const r of run.results) {
			for (let from = 0; from + 10 <= durationMs / 1000; from += 10) {
				const at = (s: number) => r.frames.findLast((f) => f.t <= s)?.frames ?? 0;
				expect(at(from + 10) - at(from), `${r.profile}: frames decoded in ${from}-${from + 10} s`).toBeGreaterThan(0);
			}
		}
		// Agreement, for calm (the profile the controller owns: with `holdLayers` mediasoup
		// forwards its layers through dips of its own estimate; greedy is mediasoup's own
		// behaviour, whose estimator the simulator does not model, so it is reported only).
		// The stated tolerance (docs/abr.md): the spatial switch count within max(1, 30 %) of
		// the prediction, and the sequence of resolutions shown at most one edit away from the
		// predicted one.
		expect(calm.predicted.spatialSwitches, 'the trace must make calm switch').toBeGreaterThanOrEqual(2);
		const history = `observed ${calm.observed.timeline.join(', ')}; predicted ${calm.predicted.switches.join(', ')}; ${sender}`;
		const counts = `calm: ${calm.observed.spatialSwitches} switches against ${calm.predicted.spatialSwitches} predicted`;
		expect(calm.countWithinTolerance, `${counts}; ${history}`).toBe(true);
		const sequences = `calm: resolutions ${calm.observed.resolutions.join('>')} against ${calm.predicted.resolutions.join('>')}`;
		expect(calm.resolutionSequenceDistance, `${sequences}; ${history}`).toBeLessThanOrEqual(1);
	}, 1_200_000);
});
