import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashApiKey, newApiKey, newTokenSecret, TenantRegistry } from '@luwte/engine/auth';
import type { TurnConfigInput } from '@luwte/engine';
import { startHost, type Host, type HostOptions } from '@luwte/host-web';
import { freePortRange } from './ports.ts';

export interface TestTenant {
	id: string;
	apiKey: string;
}

export const testOperatorKey = 'lwo_test-operator-key-for-tests-only';

export interface TestHost {
	host: Host;
	tenants: TestTenant[];
	/** Calls the admin API as a tenant. */
	api(tenant: TestTenant, method: string, path: string, body?: unknown): Promise<{ status: number; json: any }>;
	/** Creates a session and returns its id. */
	createSession(tenant: TestTenant, body?: Record<string, unknown>): Promise<string>;
	/** Issues a join token, optionally with a stimulus profile (the host's default, calm, otherwise). */
	token(tenant: TestTenant, sessionId: string, role: string, participantId?: string, stimulusProfile?: string): Promise<string>;
	/** The host's data directory (recordings, library). */
	dataDir: string;
	close(): Promise<void>;
}

/**
 * A real host (engine with real mediasoup workers) with two tenants, on loopback unless
 * `listenIp` names another local address (HTTP, signalling and WebRTC all listen there).
 */
export async function startTestHost(
	opts: {
		workerCount?: number;
		allowedOrigins?: { a?: string[]; b?: string[] };
		listenIp?: string;
		dataDir?: string;
		ledgerHeartbeatMs?: number;
		attendanceRetentionDays?: number;
		redisUrl?: string;
		/** Connection, timeout and rate limits (short ones in tests of the limits). */
		limits?: HostOptions['limits'];
		/** A TURN server for the clients (credentials handed out at join). */
		turn?: TurnConfigInput;
		/** The HTTP port (default: any free one). */
		port?: number;
		/** Also serve /metrics here without a key (`host:port`). */
		metricsAddress?: string;
		/** The engine's `spreadAboveLoad` (low in tests of viewers spread over workers). */
		spreadAboveLoad?: number;
		/** The library folder (default `<dataDir>/library`); hosts of one cluster share one. */
		libraryDir?: string;
		/** The same tenants (keys and token secrets) as this other test host: two hosts of one cluster. */
		tenantsOf?: TestHost;
		/** With `redisUrl`: this host in the cluster (host ID, lease), or `false` to stay on its own. */
		cluster?: HostOptions['cluster'];
	} = {},
): Promise<TestHost> {
	const tenants: TestTenant[] = opts.tenantsOf?.tenants ?? [
		{ id: 'zorg-a', apiKey: newApiKey() },
		{ id: 'zorg-b', apiKey: newApiKey() },
	];
	const registry =
		opts.tenantsOf?.host.tenants ??
		new TenantRegistry(
			tenants.map((t, i) => ({
				id: t.id,
				name: t.id,
				apiKeyHashes: [hashApiKey(t.apiKey)],
				tokenSecret: newTokenSecret(),
				allowedOrigins: (i === 0 ? opts.allowedOrigins?.a : opts.allowedOrigins?.b) ?? [],
			})),
		);
	const workerCount = opts.workerCount ?? 1;
	const portRange = await freePortRange(workerCount + 2);
	const listenIp = opts.listenIp ?? '127.0.0.1';
	// Recordings and the library go to a private folder, never into the working copy.
	const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'luwte-test-'));
	const host = await startHost({
		dataDir,
		port: opts.port ?? 0,
		hostname: listenIp,
		logLevel: (process.env.LUWTE_TEST_LOG as 'warn' | undefined) ?? 'silent',
		tenants: registry,
		operatorKey: testOperatorKey,
		...(opts.ledgerHeartbeatMs !== undefined ? { ledgerHeartbeatMs: opts.ledgerHeartbeatMs } : {}),
		...(opts.attendanceRetentionDays !== undefined ? { attendanceRetentionDays: opts.attendanceRetentionDays } : {}),
		...(opts.redisUrl !== undefined ? { redisUrl: opts.redisUrl } : {}),
		...(opts.limits !== undefined ? { limits: opts.limits } : {}),
		...(opts.metricsAddress !== undefined ? { metricsAddress: opts.metricsAddress } : {}),
		...(opts.libraryDir !== undefined ? { libraryDir: opts.libraryDir } : {}),
		...(opts.cluster !== undefined ? { cluster: opts.cluster } : {}),
		engine: {
			workerCount,
			...(opts.spreadAboveLoad !== undefined ? { spreadAboveLoad: opts.spreadAboveLoad } : {}),
			webRtc: { listenIp, portRange, enableTcp: false, ...(opts.turn ? { turn: opts.turn } : {}) },
		},
	});
	const api: TestHost['api'] = async (tenant, method, path, body) => {
		const res = await fetch(`${host.url}${path}`, {
			method,
			headers: { authorization: `Bearer ${tenant.apiKey}`, 'content-type': 'application/json' },
			...(body !== undefined ? { body: JSON.stringify(body) } : {}),
		});
		return { status: res.status, json: await res.json() };
	};
	return {
		host,
		tenants,
		api,
		async createSession(tenant, body = {}) {
			const r = await api(tenant, 'POST', '/v1/sessions', { title: 'Activiteit', ...body });
			if (r.status !== 201) throw new Error(`create session: ${r.status} ${JSON.stringify(r.json)}`);
			return r.json.id as string;
		},
		async token(tenant, sessionId, role, participantId, stimulusProfile) {
			const r = await api(tenant, 'POST', `/v1/sessions/${sessionId}/tokens`, {
				role,
				...(participantId ? { participantId } : {}),
				...(stimulusProfile ? { stimulusProfile } : {}),
			});
			if (r.status !== 201) throw new Error(`token: ${r.status} ${JSON.stringify(r.json)}`);
			return r.json.token as string;
		},
		dataDir,
		async close() {
			await host.close();
			if (!opts.dataDir) rmSync(dataDir, { recursive: true, force: true });
		},
	};
}
