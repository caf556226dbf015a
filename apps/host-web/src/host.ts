import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import { createEngine, type Engine, type EngineConfigInput } from '@luwte/engine';
import { AttendanceLog, LedgerOutbox, LedgerWriter, RedisLedgerStore, type LedgerStore } from '@luwte/engine/attendance';
import { TenantDirectory, type TenantRegistry } from '@luwte/engine/auth';
import { Cluster, clusterOptionsSchema, defaultHostId } from '@luwte/engine/cluster';
import { Library } from '@luwte/engine/library';
import { RecordingService } from '@luwte/engine/recording';
import { FileSessionStore, RedisSessionStore, type SessionStore } from '@luwte/engine/session';
import { z } from 'zod';
import { BillingConfig } from './billing-config.ts';
import { type EmbedBundles, loadEmbedBundles } from './embed/bundles.ts';
import { createApp } from './http/app.ts';
import { OriginPolicy } from './http/origins.ts';
import { ConnectionGate } from './limits/connection-gate.ts';
import { limitsSchema } from './limits/options.ts';
import { createLogger, type Logger, type LogLevel } from './log.ts';
import { listenMetrics, metricsAddressPattern } from './metrics/address.ts';
import { HostMetrics } from './metrics/index.ts';
import { attachSignalling } from './signal/server.ts';
import { DEV_TENANT_ID, loadOperatorKey, loadTenants } from './tenants-file.ts';
import { openWebhooks, webhookOptionsSchema, type Webhooks } from './webhooks/service.ts';

export const hostOptionsSchema = z
	.object({
		port: z.number().int().min(0).max(65535).default(8080),
		hostname: z.string().min(1).default('0.0.0.0'),
		dataDir: z.string().min(1).default('./luwte-data'),
		/**
		 * The on-demand library's folder (finished items only; recordings in progress stay in
		 * `<dataDir>/recordings`). Default `<dataDir>/library`. Every host of a cluster may share it
		 * (e.g. an NFS mount), so any host serves any item: docs/operations.md.
		 */
		libraryDir: z.string().min(1).optional(),
		logLevel: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
		/** Between attendance heartbeats of connected participants (default 15 s; short in tests). */
		ledgerHeartbeatMs: z.number().int().min(50).max(3_600_000).optional(),
		/**
		 * How long attendance events are kept (days). Absent: kept until forgotten one client at a
		 * time; billing records usually must be kept for years (the care organisation decides).
		 */
		attendanceRetentionDays: z.number().int().min(1).max(36_500).optional(),
		/**
		 * Keep the attendance ledger in Redis Streams and the tenants in Redis (several hosts, one
		 * ledger, the same tenants) instead of the files under the data directory. Redis must
		 * persist with `appendonly yes` and `appendfsync always` (checked at start; docs/attendance.md).
		 */
		redisUrl: z
			.string()
			.regex(/^rediss?:\/\//, 'a redis:// or rediss:// URL')
			.optional(),
		/**
		 * Also serve `/metrics` on this `host:port`, without a key (an admin network or loopback only
		 * Prometheus reaches; nothing else is served there). The public port keeps asking for the operator key.
		 */
		metricsAddress: z.string().regex(metricsAddressPattern, 'host:port, e.g. 127.0.0.1:9464').optional(),
		/**
		 * With `redisUrl` the hosts sharing that Redis form a cluster (docs/scaling.md, "Across
		 * hosts"): a session's people may connect to any host, which pipes the media between them.
		 * `false`: this host stays on its own (it still shares tenants, sessions and the ledger).
		 */
		cluster: z
			.union([
				z.literal(false),
				// The engine's own cluster options (checked there too); the URL is `redisUrl`, and a host ID
				// defaults to the machine's name with a random suffix, the pipe address to the announced one.
				clusterOptionsSchema.pick({ hostId: true, pipeAddress: true, pipeSrtp: true, leaseMs: true }).partial(),
			])
			.optional(),
		/**
		 * Keep the development tenant (key in `<dataDir>/dev-tenant.json`) beside configured tenants.
		 * Without it the development tenant exists only while no tenants are configured.
		 */
		dev: z.boolean().default(false),
		/**
		 * Serve the demo pages (`/`, `/demo/…`: they hand out host tokens without a key) to every
		 * address. Without it only requests from this machine (loopback, not forwarded) get them.
		 */
		demo: z.boolean().default(false),
		/** Connections per address and in all, join deadline, idle timeouts, API rate (docs/operations.md, "Limits"). */
		limits: limitsSchema.prefault({}),
		/** Webhook delivery timing: retry backoff, attempt deadline, concurrency (docs/webhooks.md; short in tests). */
		webhooks: webhookOptionsSchema.optional(),
	})
	.strict();

export type HostOptions = z.input<typeof hostOptionsSchema> & {
	/** Engine configuration (validated by the engine). */
	engine?: EngineConfigInput;
	/** Tenants to use instead of the data directory's files (tests, embedding hosts); not persisted. */
	tenants?: TenantRegistry;
	/** Operator key for managing tenants; default LUWTE_OPERATOR_KEY or `<dataDir>/operator-key`. */
	operatorKey?: string;
	logger?: Logger;
};

export interface Host {
	readonly engine: Engine;
	readonly tenants: TenantRegistry;
	readonly port: number;
	/** Base URL, e.g. http://127.0.0.1:8080 */
	readonly url: string;
	/** Development tenant key, when no tenants are configured. */
	readonly devApiKey: string | undefined;
	/** Where the operator key is kept, when it lives in the data directory. */
	readonly operatorKeyPath: string | undefined;
	/** The on-demand library in `libraryDir` or `<dataDir>/library` (post-processing adds items with `addItem`). */
	readonly library: Library;
	/** The attendance ledger: `<dataDir>/attendance/events.jsonl`, or Redis with `redisUrl`. */
	readonly attendance: LedgerStore;
	/** Writes the engine's session events and heartbeats into `attendance`. */
	readonly ledger: LedgerWriter;
	/** Removes attendance events older than the retention period now (also runs at start and daily). */
	purgeExpiredAttendance(): Promise<{ removed: number }>;
	/** Where sessions are kept: `<dataDir>/sessions/sessions.jsonl`, or Redis with `redisUrl`. */
	readonly sessions: SessionStore;
	/** This host in its cluster (with `redisUrl`, unless `cluster: false`). */
	readonly cluster: Cluster | undefined;
	/** Stopped recordings become library items here (progress, state). */
	readonly recordings: RecordingService;
	/** Webhook endpoints (`<dataDir>/webhooks/`) and the dispatcher delivering the engine's events to them. */
	readonly webhooks: Webhooks;
	/** The Prometheus series served at `/metrics`; other parts count refusals with `metrics.refused.inc({ door })`. */
	readonly metrics: HostMetrics;
	/** Counts and refuses TCP connections per address and in all (`limits`). */
	readonly connections: ConnectionGate;
	/** Where `/metrics` is served without a key (`metricsAddress`), e.g. http://127.0.0.1:9464/metrics. */
	readonly metricsUrl: string | undefined;
	/** The browser scripts served under `/embed/` (built before the host listened): their version and paths. */
	readonly embed: EmbedBundles;
	close(): Promise<void>;
}

/** Starts engine, REST API and signalling on one HTTP port. */
export async function startHost(input: HostOptions = {}): Promise<Host> {
	const { engine: engineConfig, tenants: givenTenants, operatorKey: givenOperatorKey, logger, ...rest } = input;
	const opts = hostOptionsSchema.parse(rest);
	const log = logger ?? createLogger(opts.logLevel as LogLevel);
	const metrics = new HostMetrics();
	// The browser scripts build (or come from the disk cache) while the rest starts; awaited before listening.
	const embed = loadEmbedBundles();
	embed.catch(() => {});
	// Given tenants live in memory only; else the tenants file, or Redis with `redisUrl` (shared by hosts).
	const loaded = givenTenants
		? { registry: givenTenants, directory: new TenantDirectory(givenTenants), devApiKey: undefined }
		: await loadTenants(opts.dataDir, { redisUrl: opts.redisUrl, log, dev: opts.dev });
	const attendance = opts.redisUrl ? await openRedisLedger(opts.dataDir, opts.redisUrl, log) : await openFileLedger(opts.dataDir, log);
	const sessions = await openSessionStore(opts, log);
	const library = await Library.open(opts.dataDir, { attendance, logger: log, dir: opts.libraryDir });
	if (library.skippedAtOpen.length > 0) log.warn('library.skipped_items', { items: library.skippedAtOpen });
	// Recordings live under the host's data directory unless the engine config names another.
	const engine = await createEngine(
		{ dataDir: opts.dataDir, ...(engineConfig ?? {}) },
		{ logger: log, sessions, policyOf: (tenantId) => loaded.registry.get(tenantId) },
	);
	// Every scheduled and live session comes back; live ones empty until their participants reconnect.
	const restored = await engine.restoreSessions();
	if (restored > 0) log.info('sessions.restored', { sessions: restored });
	const cluster =
		opts.redisUrl && opts.cluster !== false
			? await Cluster.start(
					engine,
					{
						url: opts.redisUrl,
						hostId: opts.cluster?.hostId ?? defaultHostId(),
						pipeAddress: opts.cluster?.pipeAddress ?? engine.config.webRtc.announcedAddress ?? '127.0.0.1',
						...(opts.cluster?.pipeSrtp !== undefined ? { pipeSrtp: opts.cluster.pipeSrtp } : {}),
						...(opts.cluster?.leaseMs !== undefined ? { leaseMs: opts.cluster.leaseMs } : {}),
					},
					log,
				).catch(async (err: unknown) => {
					await engine.close();
					await sessions.close();
					throw err;
				})
			: undefined;
	if (cluster) log.info('cluster.joined', { hostId: cluster.hostId, hosts: cluster.hosts().length });
	const ledger = new LedgerWriter({
		events: engine.events,
		// Timed here: how long the store takes to acknowledge each append (luwte_ledger_append_duration_seconds).
		store: metrics.timeLedger(attendance),
		...(opts.ledgerHeartbeatMs !== undefined ? { heartbeatMs: opts.ledgerHeartbeatMs } : {}),
		onError: (err, e) => log.error('attendance.write_failed', { type: e.type, id: e.id, error: String(err) }),
	});
	// With --redis-url: how many events wait in the outbox, how old the oldest is, failed retries.
	metrics.watchOutbox(() => ledger.outbox);
	const purgeExpiredAttendance = async (): Promise<{ removed: number }> => {
		if (opts.attendanceRetentionDays === undefined) return { removed: 0 };
		const r = await attendance.purgeBefore(Date.now() - opts.attendanceRetentionDays * 86_400_000);
		if (r.removed > 0) log.info('attendance.purged', { removed: r.removed, retentionDays: opts.attendanceRetentionDays });
		return r;
	};
	await purgeExpiredAttendance();
	const retention = setInterval(
		() => void purgeExpiredAttendance().catch((err) => log.error('attendance.purge_failed', { error: String(err) })),
		86_400_000,
	);
	retention.unref();
	engine.events.on('recording.part', (e) =>
		log[e.what === 'recording.ffmpeg_exit' || e.what === 'recording.part_failed' ? 'warn' : 'info'](e.what, {
			session: e.sessionId,
			recording: e.recordingId,
			participant: e.participantId,
			detail: e.detail,
		}),
	);
	const recordings = new RecordingService({ events: engine.events, library, dataDir: opts.dataDir, logger: log });
	const pending = await recordings.resumePending();
	if (pending > 0) log.warn('recording.resumed_processing', { recordings: pending });
	const webhooks = await openWebhooks(opts.dataDir, opts.webhooks ?? {}, log, { events: engine.events, library }, opts.redisUrl);
	metrics.watchEngine(engine, recordings);
	if (cluster) metrics.watchCluster(cluster);
	engine.events.on('recording.consent', (e) =>
		log.info('recording.consent', { session: e.sessionId, participant: e.participantId, consent: e.consent, by: e.by }),
	);
	engine.events.on('worker.died', (e) => log.error('engine.worker_died', { worker: e.workerIndex, pid: e.pid, error: e.error }));
	engine.events.on('worker.replaced', (e) => log.warn('engine.worker_replaced', { worker: e.workerIndex, pid: e.pid }));

	const origins = new OriginPolicy(loaded.registry);
	const demoTenant = loaded.devApiKey ? loaded.registry.get(DEV_TENANT_ID) : undefined;
	const operator = givenTenants || givenOperatorKey ? { key: givenOperatorKey, path: undefined } : await loadOperatorKey(opts.dataDir);
	const gate = new ConnectionGate(opts.limits, log);
	metrics.watchConnections(gate);
	const app = createApp(engine, loaded.registry, log, origins, {
		apiRateLimit: { ratePerSecond: opts.limits.apiRatePerSecond, burst: opts.limits.apiBurst },
		demoTenant,
		demoForAnyAddress: opts.demo,
		operatorKey: operator.key,
		tenantDirectory: loaded.directory,
		library,
		recordings,
		metrics,
		cluster,
		webhooks,
		attendance: { store: attendance, config: new BillingConfig(opts.dataDir) },
		embed,
	});
	let server: Server;
	let embedBundles: EmbedBundles;
	let metricsListener: Awaited<ReturnType<typeof listenMetrics>> | undefined;
	try {
		// No request waits for a build, and a host whose scripts cannot be built does not start.
		embedBundles = await embed;
		if (opts.metricsAddress) metricsListener = await listenMetrics(metrics, opts.metricsAddress);
		server = await new Promise<Server>((resolve, reject) => {
			const s = serve(
				{ fetch: gate.fetch(app.fetch), port: opts.port, hostname: opts.hostname, serverOptions: gate.serverOptions() },
				() => resolve(s as Server),
			);
			// Before the first connection: serve() has only begun to listen.
			gate.attach(s as Server);
			s.once('error', reject);
		});
	} catch (err) {
		await metricsListener?.close();
		await cluster?.close();
		await engine.close();
		await sessions.close();
		await ledger.close();
		await attendance.close();
		await webhooks.close();
		await loaded.directory.close();
		throw err;
	}
	const signalling = attachSignalling(server, engine, loaded.registry, origins, log, {
		joinDeadlineMs: opts.limits.joinDeadlineMs,
		refuseUpgrade: (socket) => gate.refuseUpgrade(socket),
		metrics,
		ledgerWritten: (id) => ledger.written(id),
	});
	const port = (server.address() as AddressInfo).port;
	const shownHost = opts.hostname === '0.0.0.0' || opts.hostname === '::' ? '127.0.0.1' : opts.hostname;
	log.info('host.started', { port, workers: engine.health().workers, maxConnections: gate.maxConnections });

	let closing: Promise<void> | undefined;
	return {
		engine,
		tenants: loaded.registry,
		port,
		url: `http://${shownHost.includes(':') ? `[${shownHost}]` : shownHost}:${port}`,
		devApiKey: loaded.devApiKey,
		operatorKeyPath: operator.path,
		library,
		attendance,
		ledger,
		sessions,
		cluster,
		purgeExpiredAttendance,
		recordings,
		webhooks,
		metrics,
		connections: gate,
		metricsUrl: metricsListener?.url,
		embed: embedBundles,
		close() {
			closing ??= (async () => {
				// Drained while signalling still runs: everyone hears to reconnect (host-restart).
				if (sessions.durable) await engine.drain();
				signalling.close();
				// After the drain: the others heard everyone leave; then they drop this host at once.
				await cluster?.close();
				await metricsListener?.close();
				const closed = new Promise<void>((resolve) => server.close(() => resolve()));
				server.closeAllConnections();
				await closed;
				await engine.close();
				await sessions.close();
				recordings.close();
				// After the engine: its last leaves and session ends are written too.
				clearInterval(retention);
				await ledger.close();
				await attendance.close();
				// After the engine: the last leaves are queued (delivered after the next start if not now).
				await webhooks.close();
				await loaded.directory.close();
			})();
			return closing;
		},
	};
}

/** Sessions in `<dataDir>/sessions/sessions.jsonl`, or in Redis with `redisUrl` (several hosts, one programme). */
async function openSessionStore(opts: { dataDir: string; redisUrl?: string | undefined }, log: Logger): Promise<SessionStore> {
	if (opts.redisUrl) return RedisSessionStore.open({ url: opts.redisUrl });
	const file = await FileSessionStore.open(opts.dataDir);
	if (file.skippedAtOpen > 0) log.warn('sessions.skipped_lines', { lines: file.skippedAtOpen });
	return file;
}

/**
 * The Redis ledger behind a durable local outbox (`<dataDir>/attendance/outbox.jsonl`): an event
 * counts once it is fsynced there, and is retried into Redis until Redis acknowledges it, across
 * Redis and host restarts (docs/attendance.md).
 */
async function openRedisLedger(dataDir: string, url: string, log: Logger): Promise<LedgerOutbox> {
	const remote = await RedisLedgerStore.open({ url, failWhileDisconnected: true });
	const outbox = await LedgerOutbox.open({
		path: join(dataDir, 'attendance', 'outbox.jsonl'),
		remote,
		onRemoteError: (err, i) => log.warn('attendance.outbox_retrying', { attempts: i.attempts, depth: i.depth, error: String(err) }),
		onRecovered: (i) => log.info('attendance.outbox_recovered', { attempts: i.attempts, depth: i.depth, outageMs: i.outageMs }),
	});
	if (outbox.depth > 0) log.info('attendance.outbox_replayed', { depth: outbox.depth });
	return outbox;
}

async function openFileLedger(dataDir: string, log: Logger): Promise<AttendanceLog> {
	const file = await AttendanceLog.open(dataDir);
	if (file.skippedAtOpen > 0) log.warn('attendance.skipped_lines', { lines: file.skippedAtOpen });
	return file;
}
