import type { Cluster } from '@luwte/engine/cluster';
import type { Engine } from '@luwte/engine';
import type { LedgerStore } from '@luwte/engine/attendance';
import type { RecordingService } from '@luwte/engine/recording';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { MediaWatch } from './media-watch.ts';

export { httpMetrics } from './http.ts';

/**
 * Where a request or connection was refused by a limit (`luwte_refused_total{door}`). A fixed list
 * keeps the label bounded; a helper adding a limit adds its door here.
 */
export const refusalDoors = [
	/** A signalling connection sending faster than its token bucket (answered `rate_limited`). */
	'signal_messages',
	/** A signalling socket closed because it did not join in time (close 4408). */
	'signal_join_deadline',
	/** A TCP connection beyond the per-address limit (HTTP 429 or WebSocket upgrade refused). */
	'connections_per_ip',
	/** A TCP connection beyond the host's total (descriptor reserve kept for loopback and trusted addresses). */
	'connections_total',
	/** An API request beyond its tenant's (or the operator's) rate (429 `rate_limited`). */
	'api_rate',
] as const;
export type RefusalDoor = (typeof refusalDoors)[number];

/** What the metrics read from the ledger's outbox (`LedgerOutbox.stats`). */
export interface OutboxFigures {
	depth: number;
	oldestAgeMs: number;
	failedAttempts: number;
	refused: number;
}

/** What the metrics read from the connection gate (`ConnectionGate.stats`). */
export interface GateFigures {
	open: number;
	refusedPerIp: number;
	refusedTotal: number;
}

/** Duration buckets (seconds) for HTTP and signalling: a join takes tens of milliseconds, a slow billing export seconds. */
const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/**
 * The host's Prometheus series (docs/operations.md, "Metrics"). Labels never carry a participant,
 * session or recording ID, nor a raw path: only bounded sets (states, roles, route patterns,
 * protocol methods, error codes, worker indexes).
 */
export class HostMetrics {
	readonly registry = new Registry();
	/** Refusals by a limit; other modules count theirs with `refused.inc({ door })`. */
	readonly refused: Counter<'door'>;
	readonly httpRequests: Counter<'method' | 'route' | 'status'>;
	readonly httpDuration: Histogram<'method' | 'route'>;
	readonly signalRequests: Counter<'method' | 'outcome'>;
	readonly signalDuration: Histogram<'method'>;
	readonly signalConnections: Gauge;
	readonly ledgerAppendDuration: Histogram<'outcome'>;
	#ledgerInFlight = 0;
	#outbox: (() => OutboxFigures | undefined) | undefined;
	/** Refusals counted elsewhere as running totals (the connection gate): added to `refused` at each scrape. */
	readonly #externalRefusals: { door: RefusalDoor; total: () => number; seen: number }[] = [];

	constructor() {
		const registers = [this.registry];
		// Node's own: CPU, memory, open and maximum file descriptors, event-loop lag, GC (standard names).
		collectDefaultMetrics({ register: this.registry });
		const external = this.#externalRefusals;
		this.refused = new Counter({
			name: 'luwte_refused_total',
			help: 'Requests, messages or connections refused by a limit, by door.',
			labelNames: ['door'],
			registers,
			collect() {
				for (const e of external) {
					const now = e.total();
					if (now > e.seen) this.inc({ door: e.door }, now - e.seen);
					e.seen = now;
				}
			},
		});
		for (const door of refusalDoors) this.refused.inc({ door }, 0);
		this.httpRequests = new Counter({
			name: 'luwte_http_requests_total',
			help: 'HTTP requests answered, by method, route pattern and status code.',
			labelNames: ['method', 'route', 'status'],
			registers,
		});
		this.httpDuration = new Histogram({
			name: 'luwte_http_request_duration_seconds',
			help: 'Time to answer an HTTP request (until the handler returned its response), by method and route pattern.',
			labelNames: ['method', 'route'],
			buckets: LATENCY_BUCKETS,
			registers,
		});
		this.signalRequests = new Counter({
			name: 'luwte_signal_requests_total',
			help: 'Signalling requests answered, by protocol method and outcome (ok, or the error code).',
			labelNames: ['method', 'outcome'],
			registers,
		});
		this.signalDuration = new Histogram({
			name: 'luwte_signal_request_duration_seconds',
			help: 'Time to answer a signalling request, by protocol method.',
			labelNames: ['method'],
			buckets: LATENCY_BUCKETS,
			registers,
		});
		this.signalConnections = new Gauge({
			name: 'luwte_signal_connections',
			help: 'Open signalling WebSockets (joined or not).',
			registers,
		});
		this.ledgerAppendDuration = new Histogram({
			name: 'luwte_ledger_append_duration_seconds',
			help: 'Time for the attendance store to acknowledge an append (file fsync or Redis), by outcome (ok, error).',
			labelNames: ['outcome'],
			buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
			registers,
		});
		const self = this;
		new Gauge({
			name: 'luwte_ledger_appends_in_flight',
			help: 'Appends to the attendance store not yet acknowledged.',
			registers,
			collect() {
				this.set(self.#ledgerInFlight);
			},
		});
		new Gauge({
			name: 'luwte_ledger_outbox_depth',
			help: 'Attendance events durable in the local outbox, not yet acknowledged by Redis (0 without --redis-url).',
			registers,
			collect() {
				this.set(self.#outbox?.()?.depth ?? 0);
			},
		});
		new Gauge({
			name: 'luwte_ledger_outbox_oldest_age_seconds',
			help: 'Age of the oldest event waiting in the outbox: how far the Redis ledger lags (0 when empty).',
			registers,
			collect() {
				this.set((self.#outbox?.()?.oldestAgeMs ?? 0) / 1000);
			},
		});
		new Counter({
			name: 'luwte_ledger_outbox_failed_attempts_total',
			help: 'Appends from the outbox to Redis that failed (each is retried until acknowledged).',
			registers,
			collect() {
				this.reset();
				this.inc(self.#outbox?.()?.failedAttempts ?? 0);
			},
		});
		new Counter({
			name: 'luwte_ledger_outbox_refused_total',
			help: 'Attendance events refused because the outbox was full (these are missing from the ledger: alert on any).',
			registers,
			collect() {
				this.reset();
				this.inc(self.#outbox?.()?.refused ?? 0);
			},
		});
	}

	/** The text a scrape gets, and its content type. */
	async scrape(): Promise<{ body: string; contentType: string }> {
		return { body: await this.registry.metrics(), contentType: this.registry.contentType };
	}

	/** The ledger writer's outbox (with `--redis-url`); undefined while it has none. */
	watchOutbox(stats: () => OutboxFigures | undefined): void {
		this.#outbox = stats;
	}

	/** The connection gate: open connections, its cap, and its refusals (running totals) as doors. */
	watchConnections(gate: { readonly stats: GateFigures; readonly maxConnections: number }): void {
		const registers = [this.registry];
		new Gauge({
			name: 'luwte_connections_open',
			help: 'TCP connections open now (HTTP and WebSocket together).',
			registers,
			collect() {
				this.set(gate.stats.open);
			},
		});
		new Gauge({
			name: 'luwte_connections_max',
			help: 'The cap on open connections in force (--max-connections, or 80 % of the descriptor limit).',
			registers,
			collect() {
				this.set(gate.maxConnections);
			},
		});
		this.#externalRefusals.push(
			{ door: 'connections_per_ip', total: () => gate.stats.refusedPerIp, seen: 0 },
			{ door: 'connections_total', total: () => gate.stats.refusedTotal, seen: 0 },
		);
	}

	/** The attendance store, with every append timed and counted while in flight (same object otherwise). */
	timeLedger<S extends LedgerStore>(store: S): S {
		const append = store.append.bind(store);
		const timed = (async (events: Parameters<LedgerStore['append']>[0]) => {
			const end = this.ledgerAppendDuration.startTimer();
			this.#ledgerInFlight++;
			try {
				const r = await append(events as never);
				end({ outcome: 'ok' });
				return r;
			} catch (err) {
				end({ outcome: 'error' });
				throw err;
			} finally {
				this.#ledgerInFlight--;
			}
		}) as unknown as LedgerStore['append'];
		return new Proxy(store, {
			get(target, key) {
				if (key === 'append') return timed;
				// Bound to the store itself: its methods may use private fields.
				const v = Reflect.get(target, key, target) as unknown;
				return typeof v === 'function' ? v.bind(target) : v;
			},
		});
	}

	/** The cluster's series: hosts alive as this host sees them, sessions held here with others, producers piped in. */
	watchCluster(cluster: Cluster): void {
		const registers = [this.registry];
		new Gauge({
			name: 'luwte_cluster_hosts',
			help: 'Hosts of the cluster alive (their lease current), as this host sees them, itself included.',
			registers,
			collect() {
				this.set(cluster.stats().hosts);
			},
		});
		new Gauge({
			name: 'luwte_cluster_sessions_linked',
			help: 'Sessions someone is connected to through this host, linked to the other hosts.',
			registers,
			collect() {
				this.set(cluster.stats().sessions);
			},
		});
		new Gauge({
			name: 'luwte_cluster_producers_piped_in',
			help: 'Producers of other hosts piped into this host now (one stream each, however many receive it here).',
			registers,
			collect() {
				this.set(cluster.stats().pipedIn);
			},
		});
		const lost = new Counter({
			name: 'luwte_cluster_hosts_lost_total',
			help: 'Hosts this host saw go (lease expired, or back as a new run).',
			registers,
		});
		cluster.onHostLost(() => lost.inc());
	}

	/** The engine's series: sessions, participants, workers, consumers, traffic, ABR switches, recordings. */
	watchEngine(engine: Engine, recordings: RecordingService | undefined): void {
		const registers = [this.registry];
		new Gauge({
			name: 'luwte_sessions',
			help: 'Sessions held by this host, by state (scheduled, live).',
			labelNames: ['state'],
			registers,
			collect() {
				const { live, scheduled } = engine.health().sessions;
				this.set({ state: 'live' }, live);
				this.set({ state: 'scheduled' }, scheduled);
			},
		});
		const ended = new Counter({
			name: 'luwte_sessions_ended_total',
			help: 'Sessions ended, by reason (ended, idle, overdue, cancelled, engine-closed).',
			labelNames: ['reason'],
			registers,
		});
		engine.events.on('session.ended', (e) => ended.inc({ reason: e.reason }));
		new Gauge({
			name: 'luwte_participants',
			help: 'Participants connected to live sessions now, by role.',
			labelNames: ['role'],
			registers,
			collect() {
				const byRole: Record<string, number> = { host: 0, participant: 0, location: 0, viewer: 0 };
				for (const s of engine.programme.sessions()) {
					if (s.state !== 'live') continue;
					for (const p of s.info().participants) byRole[p.role] = (byRole[p.role] ?? 0) + 1;
				}
				for (const [role, n] of Object.entries(byRole)) this.set({ role }, n);
			},
		});
		const joins = new Counter({
			name: 'luwte_participant_joins_total',
			help: 'Joins, by role.',
			labelNames: ['role'],
			registers,
		});
		engine.events.on('participant.joined', (e) => joins.inc({ role: e.role }));
		const leaves = new Counter({
			name: 'luwte_participant_leaves_total',
			help: 'Leaves, by reason (left, disconnected, replaced, session-ended, media-failure, host-restart).',
			labelNames: ['reason'],
			registers,
		});
		engine.events.on('participant.left', (e) => leaves.inc({ reason: e.reason }));

		const switches = new Counter({
			name: 'luwte_abr_layer_switches_total',
			help: 'Layer changes mediasoup made on simulcast consumers: spatial (resolution) or temporal (frame rate only).',
			labelNames: ['kind'],
			registers,
		});
		switches.inc({ kind: 'spatial' }, 0);
		switches.inc({ kind: 'temporal' }, 0);
		const media = new MediaWatch(engine, (kind) => switches.inc({ kind }));

		new Gauge({
			name: 'luwte_media_workers',
			help: 'mediasoup workers running.',
			registers,
			collect() {
				this.set(engine.health().workers);
			},
		});
		new Gauge({
			name: 'luwte_worker_load',
			help: 'Routers and transports placed on each mediasoup worker (new sessions go to the least loaded).',
			labelNames: ['worker'],
			registers,
			collect() {
				this.reset();
				for (const w of engine.health().workerLoad) this.set({ worker: String(w.index) }, w.load);
			},
		});
		const restarts = new Counter({
			name: 'luwte_worker_deaths_total',
			help: 'mediasoup workers that died (each is replaced).',
			registers,
		});
		restarts.inc(0);
		engine.events.on('worker.died', () => restarts.inc());
		new Counter({
			name: 'luwte_worker_cpu_seconds_total',
			help: 'CPU time used by each mediasoup worker process, by mode (user, system).',
			labelNames: ['worker', 'mode'],
			registers,
			async collect() {
				// Absolute values from the worker: reset and set, a replaced worker starts from zero (a counter reset).
				const usage = await Promise.all(
					media.workers().map(async (w) => ({ w, u: await w.worker.getResourceUsage().catch(() => undefined) })),
				);
				this.reset();
				for (const { w, u } of usage) {
					if (!u) continue;
					this.inc({ worker: String(w.index), mode: 'user' }, u.ru_utime / 1000);
					this.inc({ worker: String(w.index), mode: 'system' }, u.ru_stime / 1000);
				}
			},
		});
		new Gauge({
			name: 'luwte_worker_transports',
			help: 'WebRTC and plain transports open on each mediasoup worker.',
			labelNames: ['worker'],
			registers,
			collect() {
				this.reset();
				for (const w of media.workers()) this.set({ worker: String(w.index) }, w.transports.size);
			},
		});
		new Gauge({
			name: 'luwte_worker_consumers',
			help: 'Consumers (one per stream a receiver gets) open on each mediasoup worker.',
			labelNames: ['worker'],
			registers,
			collect() {
				this.reset();
				for (const w of media.workers()) this.set({ worker: String(w.index) }, w.consumers.size);
			},
		});
		// Traffic: one bounded sample per scrape, shared by the series below.
		let sample: ReturnType<MediaWatch['sampleTraffic']> | undefined;
		const traffic = () => {
			sample ??= media.sampleTraffic().finally(() => setImmediate(() => (sample = undefined)));
			return sample;
		};
		new Counter({
			name: 'luwte_worker_bytes_total',
			help: 'Bytes through the transports of each worker (in: received from clients, out: sent to them), sampled at scrape time.',
			labelNames: ['worker', 'direction'],
			registers,
			async collect() {
				for (const t of await traffic()) {
					this.inc({ worker: String(t.index), direction: 'in' }, t.bytesIn);
					this.inc({ worker: String(t.index), direction: 'out' }, t.bytesOut);
				}
			},
		});
		new Gauge({
			name: 'luwte_worker_packet_loss_ratio',
			help: 'Mean packet loss (0..1) over the sampled transports of each worker: in, what clients sent us; out, what we sent them.',
			labelNames: ['worker', 'direction'],
			registers,
			async collect() {
				this.reset();
				for (const t of await traffic()) {
					if (t.lossIn !== undefined) this.set({ worker: String(t.index), direction: 'in' }, t.lossIn);
					if (t.lossOut !== undefined) this.set({ worker: String(t.index), direction: 'out' }, t.lossOut);
				}
			},
		});
		new Gauge({
			name: 'luwte_worker_transports_sampled',
			help: 'Transports whose stats were read at this scrape (at most 32 per worker; larger workers are covered in turns).',
			labelNames: ['worker'],
			registers,
			async collect() {
				this.reset();
				for (const t of await traffic()) this.set({ worker: String(t.index) }, t.sampled);
			},
		});

		if (!recordings) return;
		new Gauge({
			name: 'luwte_recordings',
			help: 'Recordings since the host started, by state (recording, processing, done, failed).',
			labelNames: ['state'],
			registers,
			collect() {
				const c = recordings.counts();
				for (const state of ['recording', 'processing', 'done', 'failed'] as const) this.set({ state }, c[state]);
			},
		});
		new Gauge({
			name: 'luwte_recording_queue_length',
			help: 'Stopped recordings waiting for or in post-processing (one is processed at a time).',
			registers,
			collect() {
				this.set(recordings.counts().queued);
			},
		});
	}
}
