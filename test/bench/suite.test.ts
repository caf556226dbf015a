// `npm run bench -- --quick`: the whole bench suite, small, as an operator would run it, into a
// scratch RESULTS.md. The point is that the suite keeps working (every bench runs, every server
// answers, the tables and plots are written), not the numbers: those are for a quiet machine.
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const repo = join(import.meta.dirname, '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'luwte-bench-suite-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const janus = existsSync('/usr/bin/janus');

describe('bench suite, quick', () => {
	it('runs every bench and writes the tables and plots', { timeout: 900_000 }, async () => {
		const results = join(dir, 'RESULTS.md');
		copyFileSync(join(repo, 'bench', 'RESULTS.md'), results);
		const before = readFileSync(results, 'utf8');
		const out = join(dir, 'out');
		let log = '';
		const code = await new Promise<number | null>((resolve) => {
			const child = spawn(
				process.execPath,
				[join(repo, 'bench', 'src', 'suite.ts'), '--quick', '--results', results, '--out-dir', out],
				{
					cwd: repo,
					stdio: ['ignore', 'pipe', 'pipe'],
				},
			);
			child.stdout.on('data', (d) => {
				log += String(d);
			});
			child.stderr.on('data', (d) => {
				log += String(d);
			});
			child.once('exit', resolve);
		});
		expect(code, log.slice(-4000)).toBe(0);

		// WebRTC fan-out: every server fed every subscriber, nothing lost on loopback.
		const fanout = JSON.parse(readFileSync(join(out, 'webrtc-fanout.json'), 'utf8'));
		expect(fanout.servers.map((s: { name: string }) => s.name)).toEqual(
			janus ? ['luwte', 'mediasoup', 'janus'] : ['luwte', 'mediasoup'],
		);
		for (const s of fanout.servers) {
			expect(s.steps.map((st: { subscribers: number }) => st.subscribers)).toEqual([2, 4]);
			for (const st of s.steps) {
				expect(st.silent, `${s.name} ${st.subscribers}`).toBe(0);
				expect(st.lossPct, `${s.name} ${st.subscribers}`).toBe(0);
				expect(st.kbpsPerSubscriber, `${s.name} ${st.subscribers}`).toBeGreaterThan(100);
				expect(st.serverCpuPct).toBeGreaterThan(0);
			}
		}
		expect(fanout.luwteOverMediasoup).toBeGreaterThan(0);

		// Join storms: everyone in, with and without media.
		const storm = JSON.parse(readFileSync(join(out, 'join-storm.json'), 'utf8'));
		for (const r of storm.results) {
			expect(r.ok, r.variant).toBe(50);
			expect(r.failed).toBe(0);
			expect(r.samples).toHaveLength(50);
		}
		const media = JSON.parse(readFileSync(join(out, 'media-storm.json'), 'utf8'));
		expect(media.report.subscribers.joinToFirstPacketMs.n).toBe(5);
		// Nothing lost on loopback. A picture begun on a layer above its start layer and stepped down
		// would lose one packet per step (mediasoup skips a sequence number to cut the frame in
		// flight short); a resume waits for the start layer instead (test/engine/start-layer.test.ts).
		expect(media.report.subscribers.lossPercent).toBe(0);

		// HTTP: three routes on three servers, each answered (limits on may refuse, with 429 only).
		const http = JSON.parse(readFileSync(join(out, 'http.json'), 'utf8'));
		expect(http.rows).toHaveLength(9);
		for (const r of http.rows) {
			expect(r.errors, `${r.route} @ ${r.server}`).toBe(0);
			expect(r.otherNon2xx, `${r.route} @ ${r.server}`).toBe(0);
			expect(r.okPerSecond + r.refusedPerSecond, `${r.route} @ ${r.server}`).toBeGreaterThan(0);
		}

		// RESULTS.md: the suite's section with its goals, tables and plots; everything else kept.
		const after = readFileSync(results, 'utf8');
		const section = after.slice(after.indexOf('<!-- suite:begin'), after.indexOf('<!-- suite:end -->'));
		expect(section).toContain('## The suite (quick run');
		expect(section).toMatch(/\| billing a month for 2,700 clients ≤ 1 s \(270 here\): the first bill [^|]*\| \d+ ms \|/);
		expect(section).toMatch(/\| … again, from the month's snapshot [^|]*\| [\d.]+ ms \| met \|/);
		expect(section).toContain('### WebRTC fan-out');
		expect(section).toContain('| token issue | luwte, limits off |');
		for (const svg of ['suite-webrtc-fanout.svg', 'suite-join-storm.svg'].map((n) => join(dir, n))) {
			expect(readFileSync(svg, 'utf8')).toMatch(/^<svg [^>]*viewBox/);
		}
		const headings = (t: string) => t.split('\n').filter((l) => l.startsWith('## ') && !l.startsWith('## The suite'));
		expect(headings(after)).toEqual(headings(before));
	});
});
