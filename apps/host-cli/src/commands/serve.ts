import type { LogLevel } from '@luwte/host-web';
import { defineCommand } from '../framework/declare.ts';

const logLevels = ['debug', 'info', 'warn', 'error', 'silent'] as const satisfies readonly LogLevel[];

/** `luwte serve`: starts the engine, REST API and signalling, until SIGINT/SIGTERM. */
export const serveCommand = defineCommand({
	name: 'serve',
	summary: 'Run the host: the media engine, the REST API and signalling on one HTTP port, until SIGINT or SIGTERM.',
	options: {
		port: { type: 'integer', env: 'LUWTE_PORT', default: 8080, description: 'the HTTP port; 0 takes any free one' },
		host: { type: 'string', placeholder: 'ADDRESS', default: '0.0.0.0', description: 'the address to listen on' },
		'data-dir': {
			type: 'string',
			placeholder: 'DIR',
			env: 'LUWTE_DATA_DIR',
			default: './luwte-data',
			description: 'tenants, keys, recordings, the library',
		},
		'library-dir': {
			type: 'string',
			placeholder: 'DIR',
			env: 'LUWTE_LIBRARY_DIR',
			description:
				'the on-demand library (finished recordings; default DATA_DIR/library); shared by every host of a cluster, e.g. an NFS mount',
		},
		'rtc-port-min': { type: 'integer', placeholder: 'PORT', description: 'lowest UDP/TCP port for media (default 44400)' },
		'rtp-port-min': {
			type: 'integer',
			placeholder: 'PORT',
			description:
				'lowest UDP port for pipes between hosts and for recording (default 40000); keep it out of the kernel ephemeral range',
		},
		'rtp-port-max': {
			type: 'integer',
			placeholder: 'PORT',
			description: 'highest port for pipes and recording (default the lowest + 999)',
		},
		'rtc-port-max': { type: 'integer', placeholder: 'PORT', description: 'highest port for media (default the lowest + 99)' },
		'announced-address': {
			type: 'string',
			placeholder: 'ADDR',
			env: 'LUWTE_ANNOUNCED_ADDRESS',
			description: 'the public address clients send media to',
		},
		workers: { type: 'integer', placeholder: 'N', description: 'media worker processes (default one per CPU core)' },
		'spread-above-load': {
			type: 'integer',
			placeholder: 'N',
			description: "past this load on a session's worker (about one per viewer), new viewers receive on another worker (default 100)",
		},
		'max-incoming-kbps': {
			type: 'integer',
			placeholder: 'KBPS',
			description: 'the most one connection may send, in kbit/s, all its tracks together (default 3000)',
		},
		'log-level': {
			type: 'string',
			placeholder: 'LEVEL',
			choices: logLevels,
			default: 'info',
			description: 'the least important log lines shown',
		},
		'attendance-retention-days': {
			type: 'integer',
			placeholder: 'N',
			env: 'LUWTE_ATTENDANCE_RETENTION_DAYS',
			description:
				'attendance events older than this are removed (at start and daily); without it they are kept until a client is forgotten',
		},
		'drain-seconds': {
			type: 'integer',
			placeholder: 'N',
			default: 20,
			description: 'on SIGTERM/SIGINT, the longest the drain may take before the host stops anyway',
		},
		'max-connections-per-ip': {
			type: 'integer',
			placeholder: 'N',
			env: 'LUWTE_MAX_CONNECTIONS_PER_IP',
			description: 'open connections (HTTP and WebSocket) from one address (default 256); raise it for many clients behind one NAT',
		},
		'trusted-addresses': {
			type: 'string',
			placeholder: 'LIST',
			env: 'LUWTE_TRUSTED_ADDRESSES',
			description: 'comma-separated addresses or CIDR ranges not held to the connection limits (a reverse proxy, the admins)',
		},
		'turn-urls': {
			type: 'string',
			placeholder: 'LIST',
			env: 'LUWTE_TURN_URLS',
			description:
				'comma-separated TURN URLs handed to clients behind firewalls, e.g. turn:turn.example.org:3478?transport=udp,turns:turn.example.org:443?transport=tcp',
		},
		'turn-secret': {
			type: 'string',
			placeholder: 'SECRET',
			env: 'LUWTE_TURN_SECRET',
			description: "the TURN server's shared secret (coturn's static-auth-secret); credentials handed out at join last 6 hours",
		},
		'metrics-address': {
			type: 'string',
			placeholder: 'HOST:PORT',
			env: 'LUWTE_METRICS_ADDRESS',
			description:
				'also serve /metrics here without a key (loopback or an admin network only Prometheus reaches); on the main port it needs the operator key',
		},
		dev: {
			type: 'boolean',
			description:
				'keep the development tenant (and its demo) even when tenants are configured; without it, only while there are none',
		},
		demo: {
			type: 'boolean',
			description:
				'serve the demo pages (they hand out host tokens without a key) to every address; without it only to this machine (loopback)',
		},
		'redis-url': {
			type: 'string',
			placeholder: 'redis://…',
			env: 'LUWTE_REDIS_URL',
			description:
				'keep sessions, tenants and the attendance ledger in Redis instead of the data directory; the hosts sharing it form a cluster (docs/scaling.md)',
		},
		'ledger-heartbeat-seconds': {
			type: 'integer',
			placeholder: 'S',
			description:
				"between attendance heartbeats of connected participants (default 15); after a crash, presence counts until each one's last heartbeat",
		},
		'webhook-retry-min-ms': {
			type: 'integer',
			placeholder: 'MS',
			description: 'first wait before a failed webhook delivery is tried again (default 10000; doubles each time)',
		},
		'webhook-retry-max-ms': {
			type: 'integer',
			placeholder: 'MS',
			description: 'longest wait between webhook attempts (default 3600000); retries give up 24 h after the event',
		},
		'host-id': {
			type: 'string',
			placeholder: 'NAME',
			env: 'LUWTE_HOST_ID',
			description: "this host's name in the cluster, unique per host (default: the machine's name with a random suffix)",
		},
		'pipe-address': {
			type: 'string',
			placeholder: 'IP',
			description:
				'where other hosts of the cluster send media to this host (default: --announced-address); UDP in the media port range',
		},
		'no-pipe-srtp': {
			type: 'boolean',
			description: 'no SRTP on media between hosts (only where the link between them is private)',
		},
		'no-cluster': {
			type: 'boolean',
			description: 'with --redis-url, share the stores but do not join the other hosts as a cluster',
		},
	},
	notes: 'Environment: MEDIASOUP_WORKER_BIN names a mediasoup worker built elsewhere (docs/mediasoup-worker.md).',
	async run({ values, io }) {
		// Loaded here, not at the top: it starts the media engine's modules, which `luwte --help` does not need.
		const { startHost } = await import('@luwte/host-web');
		const rtcMin = values['rtc-port-min'];
		const rtcMax = values['rtc-port-max'];
		const announced = values['announced-address'];
		const turnUrls = (values['turn-urls'] ?? '')
			.split(',')
			.map((u) => u.trim())
			.filter((u) => u !== '');
		const host = await startHost({
			port: values.port,
			hostname: values.host,
			dataDir: values['data-dir'],
			...(values['library-dir'] ? { libraryDir: values['library-dir'] } : {}),
			...(values['redis-url'] ? { redisUrl: values['redis-url'] } : {}),
			cluster:
				values['no-cluster'] === true
					? false
					: {
							...(values['host-id'] ? { hostId: values['host-id'] } : {}),
							...(values['pipe-address'] ? { pipeAddress: values['pipe-address'] } : {}),
							...(values['no-pipe-srtp'] === true ? { pipeSrtp: false } : {}),
						},
			...(values['metrics-address'] ? { metricsAddress: values['metrics-address'] } : {}),
			...(values['ledger-heartbeat-seconds'] !== undefined ? { ledgerHeartbeatMs: values['ledger-heartbeat-seconds'] * 1000 } : {}),
			...(values['attendance-retention-days'] !== undefined ? { attendanceRetentionDays: values['attendance-retention-days'] } : {}),
			...(values['webhook-retry-min-ms'] !== undefined || values['webhook-retry-max-ms'] !== undefined
				? {
						webhooks: {
							retry: {
								...(values['webhook-retry-min-ms'] !== undefined ? { minMs: values['webhook-retry-min-ms'] } : {}),
								...(values['webhook-retry-max-ms'] !== undefined ? { maxMs: values['webhook-retry-max-ms'] } : {}),
							},
						},
					}
				: {}),
			logLevel: values['log-level'],
			dev: values.dev === true,
			demo: values.demo === true,
			limits: {
				...(values['max-connections-per-ip'] !== undefined ? { maxConnectionsPerIp: values['max-connections-per-ip'] } : {}),
				...(values['trusted-addresses']
					? {
							trustedAddresses: values['trusted-addresses']
								.split(',')
								.map((a) => a.trim())
								.filter((a) => a !== ''),
						}
					: {}),
			},
			engine: {
				...(values.workers !== undefined ? { workerCount: values.workers } : {}),
				...(values['spread-above-load'] !== undefined ? { spreadAboveLoad: values['spread-above-load'] } : {}),
				...(values['max-incoming-kbps'] !== undefined ? { maxIncomingBitrate: values['max-incoming-kbps'] * 1000 } : {}),
				...(values['rtp-port-min'] !== undefined || values['rtp-port-max'] !== undefined
					? {
							rtpPortRange: {
								min: values['rtp-port-min'] ?? 40000,
								max: values['rtp-port-max'] ?? (values['rtp-port-min'] ?? 40000) + 999,
							},
						}
					: {}),
				webRtc: {
					...(turnUrls.length > 0 || values['turn-secret']
						? { turn: { urls: turnUrls, secret: values['turn-secret'] ?? '' } }
						: {}),
					...(announced ? { announcedAddress: announced } : {}),
					...(rtcMin !== undefined || rtcMax !== undefined
						? { portRange: { min: rtcMin ?? 44400, max: rtcMax ?? (rtcMin ?? 44400) + 99 } }
						: {}),
				},
			},
		});
		io.out.write(`Luwte host listening on ${host.url} (${host.engine.health().workers} media workers)\n`);
		if (host.metricsUrl) io.out.write(`Metrics for Prometheus (no key): ${host.metricsUrl}\n`);
		if (host.operatorKeyPath) io.out.write(`Operator key (manages tenants: /v1/tenants) is in ${host.operatorKeyPath}\n`);
		if (host.devApiKey) {
			io.out.write(
				`No tenants configured: using the development tenant "dev".\n  API key: ${host.devApiKey}\n  Try: curl -X POST -H "Authorization: Bearer ${host.devApiKey}" -H 'content-type: application/json' -d '{"title":"Samen bewegen"}' ${host.url}/v1/sessions\n`,
			);
		}
		const signal = await new Promise<string>((resolve) => {
			process.once('SIGINT', () => resolve('SIGINT'));
			process.once('SIGTERM', () => resolve('SIGTERM'));
		});
		// Draining: no new joins, everyone told to reconnect, recordings' parts closed, the ledger
		// and the session store flushed. Bounded: a stuck drain must not keep an orchestrator waiting;
		// a second signal stops at once.
		io.out.write(`Stopping (${signal}): telling everyone to reconnect…\n`);
		const drainMs = values['drain-seconds'] * 1000;
		const hardStop = (why: string) => {
			io.err.write(`Stopped before the drain finished (${why}).\n`);
			process.exit(1);
		};
		process.once('SIGINT', () => hardStop('second signal'));
		process.once('SIGTERM', () => hardStop('second signal'));
		const timer = setTimeout(() => hardStop(`${values['drain-seconds']} s`), drainMs);
		timer.unref();
		await host.close();
		clearTimeout(timer);
		io.out.write('Stopped.\n');
	},
});
