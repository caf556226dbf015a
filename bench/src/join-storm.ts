/**
 * Join storm: N clients join one session at the same instant through signalling only (token,
 * WebSocket, join, send and recv transports, ready; no media), against a real host started here;
 * then the same media-server steps (two WebRtcTransports per client on a WebRtcServer) as bare
 * mediasoup calls on one router, so the engine's share of the join shows as a ratio in one run.
 *
 *   node bench/src/join-storm.ts [--clients 200] [--rounds 1] [--timeout 60] [--process] [--json]
 *
 * Rounds alternate engine, bare, bare, engine… so drift of the shared machine cancels out.
 * Progress goes to stderr; the table (Markdown, or JSON with --json) to stdout.
 */
import { rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { routerMediaCodecs } from '@luwte/engine';
import * as mediasoup from 'mediasoup';
import { startTestHost } from '../../test/helpers/host.ts';
import { hostProcess } from '../../test/helpers/host-process.ts';
import { freePortRange } from '../../test/helpers/ports.ts';
import { openSignal } from '../../test/helpers/ws-client.ts';
import { benchArgs, intArg } from './args.ts';
import { pin, processTree } from './pin.ts';

const args = benchArgs(
	'usage: node bench/src/join-storm.ts [--clients 200] [--rounds 1] [--timeout 60] [--process] [--json] [--out FILE]',
	{
		clients: { type: 'string', default: '200' },
		rounds: { type: 'string', default: '1' },
		timeout: { type: 'string', default: '60' },
		// The host as its own `luwte serve` process pinned to CPU 0 (this process, the clients, to
		// CPU 1), so the clients' cost does not count as the host's; default: in this process.
		process: { type: 'boolean', default: false },
		out: { type: 'string', default: '' },
	},
);
const clients = intArg('clients', args.clients, 1, 2000);
const rounds = intArg('rounds', args.rounds, 1, 5);
/** Per storm: a client not ready by then counts as failed, and the storm ends. */
const stormTimeoutMs = intArg('timeout', args.timeout, 5, 600) * 1000;
/** Whole bench, hard stop (every loop is also bounded by count). */
const hardLimitMs = 10 * 60_000;

const log = (msg: string): void => {
	process.stderr.write(`[join-storm ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
};

interface StormResult {
	variant: 'engine' | 'bare';
	ok: number;
	failed: number;
	firstError?: string;
	/** ms from the storm's start to ready (engine) or to both transports made (bare): p50/p95/max. */
	signalling: Quantiles;
	/** Engine only: the separate storm of token requests, ms from its start. */
	token?: Quantiles;
	/** Engine only: each step's own duration per client (WebSocket open, join, both transports, ready). */
	phases?: Record<Phase, Quantiles>;
	/** The (signalling) storm's start to its last client. */
	wallMs: number;
	/** Every client's signalling time, ms, ascending (the distribution RESULTS.md plots). */
	samples: number[];
}

type Phase = 'open' | 'join' | 'transports' | 'ready';

interface Quantiles {
	p50: number;
	p95: number;
	max: number;
}

function quantiles(values: number[]): Quantiles {
	if (values.length === 0) return { p50: Number.NaN, p95: Number.NaN, max: Number.NaN };
	const s = [...values].sort((a, b) => a - b);
	const at = (q: number) => s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)] ?? Number.NaN;
	return { p50: at(0.5), p95: at(0.95), max: s[s.length - 1] ?? Number.NaN };
}

const sorted = (values: number[]) => [...values].sort((a, b) => a - b).map((v) => Math.round(v * 10) / 10);

/** Rejects after `ms`, so one stuck client cannot hold the storm. */
function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
	let timer: NodeJS.Timeout | undefined;
	const t = new Promise<never>((_, reject) => {
		timer = setTimeout(() => reject(new Error(`${what}: no answer in ${ms} ms`)), ms);
	});
	return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

function ensureOk(r: any, what: string): any {
	if (!r || r.error) throw new Error(`${what}: ${JSON.stringify(r?.error ?? r)}`);
	return r.result;
}

/** What the storm needs of a host, in this process or in its own. */
interface StormHost {
	url: string;
	api(method: string, path: string, body?: unknown): Promise<{ status: number; json: any }>;
	close(): Promise<void>;
}

async function engineStorm(t: StormHost): Promise<StormResult> {
	const created = await t.api('POST', '/v1/sessions', { title: 'Join storm' });
	if (created.status !== 201) throw new Error(`create session: ${created.status}`);
	const sessionId = created.json.id as string;
	const token = async (participantId: string): Promise<string> => {
		const r = await t.api('POST', `/v1/sessions/${sessionId}/tokens`, { role: 'participant', participantId });
		if (r.status !== 201) throw new Error(`token: ${r.status} ${JSON.stringify(r.json)}`);
		return r.json.token as string;
	};
	const errors: string[] = [];
	// Phase 1, its own storm: every token requested at once over the admin API (what the tenant's
	// backend does before handing them out). Kept apart so it does not load the signalling storm.
	const tokenTimes: number[] = [];
	const tokens: (string | undefined)[] = new Array(clients);
	const tt0 = performance.now();
	const tokenRuns = await Promise.allSettled(
		Array.from({ length: clients }, (_, i) =>
			within(
				// Pseudonymous participant IDs only.
				token(`storm-${i}`).then((tok) => {
					tokens[i] = tok;
					tokenTimes.push(performance.now() - tt0);
				}),
				stormTimeoutMs,
				`token ${i}`,
			),
		),
	);
	for (const r of tokenRuns) if (r.status === 'rejected') errors.push(String(r.reason?.message ?? r.reason));
	// Phase 2, the join storm proper: every client opens its socket at the same instant.
	const opened: { close(): void }[] = [];
	const joins: number[] = [];
	const phaseTimes: Record<Phase, number[]> = { open: [], join: [], transports: [], ready: [] };
	const t0 = performance.now();
	const one = async (token: string): Promise<void> => {
		let last = performance.now();
		const lap = (phase: Phase) => {
			const now = performance.now();
			phaseTimes[phase].push(now - last);
			last = now;
		};
		const s = await openSignal(t.url);
		opened.push(s);
		lap('open');
		const join = ensureOk(await s.request('join', { token }), 'join');
		lap('join');
		ensureOk(await s.request('createTransport', { direction: 'send' }), 'createTransport send');
		ensureOk(await s.request('createTransport', { direction: 'recv' }), 'createTransport recv');
		lap('transports');
		// The router's own capabilities: a client that can receive everything the router offers.
		ensureOk(await s.request('ready', { rtpCapabilities: join.routerRtpCapabilities }), 'ready');
		lap('ready');
		joins.push(performance.now() - t0);
	};
	const settled = await Promise.allSettled(tokens.flatMap((tok, i) => (tok ? [within(one(tok), stormTimeoutMs, `client ${i}`)] : [])));
	const wallMs = performance.now() - t0;
	for (const r of settled) if (r.status === 'rejected') errors.push(String(r.reason?.message ?? r.reason));
	for (const s of opened) s.close();
	await t.api('DELETE', `/v1/sessions/${sessionId}`).catch(() => undefined);
	return {
		variant: 'engine',
		ok: joins.length,
		failed: errors.length,
		...(errors[0] ? { firstError: errors[0] } : {}),
		signalling: quantiles(joins),
		samples: sorted(joins),
		token: quantiles(tokenTimes),
		phases: {
			open: quantiles(phaseTimes.open),
			join: quantiles(phaseTimes.join),
			transports: quantiles(phaseTimes.transports),
			ready: quantiles(phaseTimes.ready),
		},
		wallMs,
	};
}

/** The engine's media-server calls for one join (session-router.ts), made directly. */
async function bareStorm(): Promise<StormResult> {
	const ports = await freePortRange(1);
	const worker = await mediasoup.createWorker({ logLevel: 'warn' });
	// On the host's CPU, as the engine's worker is with --process.
	if (args.process) pin([worker.pid], '0');
	try {
		const webRtcServer = await worker.createWebRtcServer({
			listenInfos: [{ protocol: 'udp', ip: '127.0.0.1', port: ports.min }],
		});
		const router = await worker.createRouter({ mediaCodecs: routerMediaCodecs });
		const errors: string[] = [];
		const totals: number[] = [];
		const t0 = performance.now();
		const one = async (): Promise<void> => {
			const create = () => router.createWebRtcTransport({ webRtcServer, enableUdp: true, enableTcp: false, preferUdp: true });
			const send = await create();
			await send.setMaxIncomingBitrate(1_500_000);
			await create();
			void router.rtpCapabilities;
			totals.push(performance.now() - t0);
		};
		const settled = await Promise.allSettled(
			Array.from({ length: clients }, (_, i) => within(one(), stormTimeoutMs, `bare client ${i}`)),
		);
		const wallMs = performance.now() - t0;
		for (const r of settled) if (r.status === 'rejected') errors.push(String(r.reason?.message ?? r.reason));
		return {
			variant: 'bare',
			ok: totals.length,
			failed: errors.length,
			...(errors[0] ? { firstError: errors[0] } : {}),
			signalling: quantiles(totals),
			samples: sorted(totals),
			wallMs,
		};
	} finally {
		worker.close();
	}
}

async function inProcessHost(): Promise<StormHost> {
	const t = await startTestHost({
		limits: { maxConnectionsPerIp: 10_000, apiRatePerSecond: 100_000, apiBurst: 100_000 },
	});
	const tenant = t.tenants[0];
	if (!tenant) throw new Error('test host without tenants');
	return { url: t.host.url, api: (m, p, b) => t.api(tenant, m, p, b), close: () => t.close() };
}

/** `luwte serve` in its own process; it and its mediasoup worker pinned to CPU 0, this process to CPU 1. */
async function separateHost(): Promise<StormHost> {
	const h = await hostProcess({ extraArgs: ['--max-connections-per-ip', '10000'] });
	// The host is this process's child; its mediasoup worker, the host's child.
	const pinned = processTree(process.pid).filter((p) => p !== process.pid);
	pin(pinned, '0');
	pin([process.pid], '1');
	log(`host process${pinned.length ? `es ${pinned.join(', ')}` : ''} pinned to CPU 0, clients to CPU 1`);
	return {
		url: h.url,
		api: h.api,
		close: async () => {
			await h.stop('SIGTERM');
			rmSync(h.dataDir, { recursive: true, force: true });
		},
	};
}

async function main(): Promise<void> {
	const hard = setTimeout(() => {
		log(`hard limit of ${hardLimitMs / 1000} s reached, exiting`);
		process.exit(3);
	}, hardLimitMs);
	hard.unref();
	// 200 WebSockets plus the token requests' keep-alive connections all come from 127.0.0.1: the
	// per-address cap (default 256) and the admin API rate are raised so the storm measures the join.
	const t = args.process ? await separateHost() : await inProcessHost();
	const results: StormResult[] = [];
	try {
		const order = Array.from({ length: rounds * 2 }, (_, i) => (i % 4 === 0 || i % 4 === 3 ? 'engine' : 'bare'));
		for (const variant of order) {
			log(`${variant}: ${clients} clients at once`);
			const r = variant === 'engine' ? await engineStorm(t) : await bareStorm();
			log(
				`${variant}: ${r.ok} ready, ${r.failed} failed, p50 ${r.signalling.p50.toFixed(0)} ms, p95 ${r.signalling.p95.toFixed(0)} ms, max ${r.signalling.max.toFixed(0)} ms${r.token ? `; tokens p95 ${r.token.p95.toFixed(0)} ms` : ''}${r.firstError ? ` (first error: ${r.firstError})` : ''}`,
			);
			if (r.phases) {
				const ph = Object.entries(r.phases).map(([k, q]) => `${k} ${q.p50.toFixed(0)}/${q.p95.toFixed(0)}`);
				log(`${variant} steps p50/p95 ms: ${ph.join(', ')}`);
			}
			results.push(r);
		}
	} finally {
		await t.close();
	}
	const mean = (v: 'engine' | 'bare', f: (r: StormResult) => number) => {
		const rs = results.filter((r) => r.variant === v);
		return rs.reduce((a, r) => a + f(r), 0) / rs.length;
	};
	const ratioP95 = mean('engine', (r) => r.signalling.p95) / mean('bare', (r) => r.signalling.p95);
	const summary = {
		clients,
		rounds,
		cores: os.cpus().length,
		hostInOwnProcess: args.process,
		node: process.version,
		mediasoup: mediasoup.version,
		date: new Date().toISOString(),
		results,
		engineSignallingP95OverBareP95: ratioP95,
	};
	if (args.out) writeFileSync(args.out, `${JSON.stringify(summary, null, 2)}\n`);
	if (args.json) {
		process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
		return;
	}
	const f = (q?: Quantiles) => (q ? `${q.p50.toFixed(0)} / ${q.p95.toFixed(0)} / ${q.max.toFixed(0)}` : '–');
	const lines = [
		`Join storm: ${clients} clients at once, host ${args.process ? 'in its own process on CPU 0, clients on CPU 1' : "in the clients' process"}, ${summary.cores} cores, node ${summary.node}, mediasoup ${summary.mediasoup}`,
		'',
		'| variant | ready | failed | join p50/p95/max ms | token storm p50/p95/max ms | wall ms |',
		'|---|---|---|---|---|---|',
		...results.map((r) => `| ${r.variant} | ${r.ok} | ${r.failed} | ${f(r.signalling)} | ${f(r.token)} | ${r.wallMs.toFixed(0)} |`),
		'',
		`engine join p95 / bare p95: ${ratioP95.toFixed(2)} (engine: WebSocket open, join, two transports, ready; bare: the two createWebRtcTransport calls)`,
	];
	process.stdout.write(`${lines.join('\n')}\n`);
}

await main();
// mediasoup workers and the host are closed; nothing else should hold the loop.
process.exit(0);
