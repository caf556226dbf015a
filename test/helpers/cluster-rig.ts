import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashApiKey, newApiKey, newTokenSecret } from '@luwte/engine/auth';
import type { TestTenant } from './host.ts';
import { freePortRange } from './ports.ts';
import { startRedis, type TestRedis } from './redis-server.ts';
import { waitFor } from './wait.ts';

// Three real `luwte serve` hosts on one machine, each in a network namespace of its own, joined by
// a Linux bridge that lives in the test's namespace; one real redis-server and one real HAProxy
// on the bridge's address in front of them (issue 14: one session across hosts).
//
//   test process (clients), redis-server, HAProxy ── bridge 10.88.0.1/24
//        ├── veth ── namespace a: luwte serve 10.88.0.11
//        ├── veth ── namespace b: luwte serve 10.88.0.12
//        └── veth ── namespace c: luwte serve 10.88.0.13
//
// A host's HTTP port and media ports are the same numbers in every namespace, as on real machines.
// 10.88.0.0/24 is private (RFC 1918) and exists only inside the namespaces the test makes; netns.ts
// uses 198.18.0.0/15, so both rigs can share one test namespace.

export const BRIDGE_IP = '10.88.0.1';
export const HOST_IDS = ['a', 'b', 'c'] as const;
export type HostId = (typeof HOST_IDS)[number];
const HOST_IP: Record<HostId, string> = { a: '10.88.0.11', b: '10.88.0.12', c: '10.88.0.13' };
/** HAProxy's backend holding the three hosts (its servers are named after the host ids). */
const BACKEND = 'luwte';

/** Why this process cannot build the rig, or undefined when it can. */
export function clusterRigUnavailable(): string | undefined {
	if (process.platform !== 'linux' || process.getuid?.() !== 0) return 'needs root on Linux';
	// Only inside the private namespace scripts/test.mjs makes (nothing but lo): the bridge and
	// its addresses must never appear on the machine's own network.
	const ifaces = Object.keys(networkInterfaces());
	if (ifaces.some((i) => i !== 'lo')) return `not in a private network namespace (interfaces: ${ifaces.join(', ')})`;
	for (const [tool, args] of [
		['ip', ['-V']],
		['unshare', ['--version']],
		['nsenter', ['--version']],
		['haproxy', ['-v']],
		['/usr/bin/redis-server', ['--version']],
		['setpriv', ['--version']],
	] as const) {
		if (spawnSync(tool, args, { stdio: 'ignore' }).status !== 0) return `${tool} missing (scripts/install-system-deps.sh)`;
	}
	if (spawnSync('unshare', ['-n', 'true']).status !== 0) return 'unshare -n not permitted';
	return undefined;
}

export interface RigHost {
	readonly id: HostId;
	/** Its address on the bridge (also its announced address: clients and other hosts send media there). */
	readonly ip: string;
	/** `http://<ip>:<port>`, reached from the test's namespace directly, past the load balancer. */
	readonly url: string;
	readonly port: number;
	readonly rtcPorts: { min: number; max: number };
	readonly dataDir: string;
	/** The `luwte serve` process's pid while it runs. */
	readonly pid: number | undefined;
	running(): boolean;
	/** Starts `luwte serve` again (same namespace, ports, data directory and arguments). */
	start(): Promise<void>;
	/**
	 * Sends the signal (SIGKILL: a crash; SIGTERM: a drain) and resolves with the exit code once the
	 * process is gone (null when a signal ended it). SIGKILLs it after `timeoutMs` (default 60 s).
	 */
	stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<number | null>;
	/** Everything the host wrote (every run), for failure messages. */
	output(): string;
	/** Admin API call as the rig's tenant, straight to this host. */
	api(method: string, path: string, body?: unknown): Promise<{ status: number; json: any }>;
	/** Runs a command in this host's namespace (e.g. `ss -uan`, an nft rule); returns its stdout. */
	inNamespace(cmd: string, ...args: string[]): string;
	/** Takes the host's link to the bridge down (a network partition; the process keeps running) or up again. */
	setLink(up: boolean): void;
}

export interface ClusterRig {
	readonly hosts: readonly RigHost[];
	host(id: HostId): RigHost;
	/** The load balancer, `http://10.88.0.1:<port>`; `?pin=<id>` prefers that host while HAProxy has it up. */
	readonly lbUrl: string;
	readonly redis: TestRedis;
	/** The tenant every host knows (through Redis). */
	readonly tenant: TestTenant;
	/** The operator key every host accepts (`/v1/tenants…`). */
	readonly operatorKey: string;
	/** Whether this `luwte serve` has `--host-id` (then each host got `--host-id <id>`). */
	readonly hostIdFlag: boolean;
	/** The HAProxy configuration in use, for failure messages. */
	readonly haproxyConfig: string;
	/** Each host's state in HAProxy: 'UP', 'DOWN', or a transition such as 'UP 1/2'. */
	serverStates(): Promise<Record<HostId, string>>;
	waitServerState(id: HostId, state: 'UP' | 'DOWN', timeoutMs?: number): Promise<void>;
	/** A command on HAProxy's runtime API (e.g. `set server luwte/b state drain`); returns its answer. */
	haproxyCommand(command: string): Promise<string>;
	/** What HAProxy wrote (warnings, alerts). */
	lbOutput(): string;
	/** Stops everything and removes the namespaces, the bridge and the folders; safe to call twice. */
	close(): Promise<void>;
}

export interface ClusterRigOptions {
	/** HTTP port of every host (in its own namespace). Default 8080. */
	httpPort?: number;
	/** Media ports of every host: WebRTC and the pipes between hosts. Default 44400–44599. */
	rtcPorts?: { min: number; max: number };
	/** Extra `luwte serve` arguments for every host, then for one host. */
	extraArgs?: string[];
	hostArgs?: Partial<Record<HostId, string[]>>;
	/** Extra environment for every host. */
	env?: Record<string, string>;
}

const bin = new URL('../../apps/host-cli/src/main.ts', import.meta.url).pathname;
const OUTPUT_LIMIT = 400_000;

function run(cmd: string, args: string[]): string {
	return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 10_000 });
}

function tryRun(cmd: string, args: string[]): void {
	spawnSync(cmd, args, { stdio: 'ignore', timeout: 10_000 });
}

let hostIdFlagKnown: boolean | undefined;
/** Whether `luwte serve --help` lists `--host-id` (it is being added alongside this rig). */
function serveHasHostId(): boolean {
	hostIdFlagKnown ??= (
		spawnSync(process.execPath, [bin, 'serve', '--help'], { encoding: 'utf8', timeout: 60_000 }).stdout ?? ''
	).includes('--host-id');
	return hostIdFlagKnown;
}

/** Waits for `child` to exit, SIGKILLing it after `timeoutMs`; resolves with its exit code. */
function exitOf(child: ChildProcess, timeoutMs: number): Promise<number | null> {
	if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
	return new Promise((resolve) => {
		const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
		child.once('exit', (code) => {
			clearTimeout(timer);
			resolve(code);
		});
	});
}

function alive(child: ChildProcess | undefined): child is ChildProcess {
	return child !== undefined && child.exitCode === null && child.signalCode === null;
}

/**
 * A process that holds a new network namespace for as long as it runs: `unshare -n` execs `sh`,
 * which waits on its stdin (a pipe from us), so it also ends when this process dies.
 */
async function namespaceHolder(): Promise<ChildProcess> {
	const holder = spawn('unshare', ['-n', 'sh', '-c', 'read _line'], { stdio: ['pipe', 'ignore', 'ignore'] });
	const ours = readlinkSync('/proc/self/ns/net');
	const moved = () => {
		try {
			return readlinkSync(`/proc/${holder.pid}/ns/net`) !== ours;
		} catch {
			return false;
		}
	};
	await waitFor(() => moved() || !alive(holder), 30_000, 'a new network namespace');
	if (holder.exitCode !== null || holder.signalCode !== null)
		throw new Error(`unshare -n exited (${holder.exitCode ?? holder.signalCode})`);
	return holder;
}

/** One command on HAProxy's runtime API (stats socket); HAProxy answers and closes. Bounded. */
function socketCommand(socketPath: string, command: string, timeoutMs = 10_000): Promise<string> {
	return new Promise((resolve, reject) => {
		const s = createConnection(socketPath);
		let out = '';
		const timer = setTimeout(() => {
			s.destroy();
			reject(new Error(`HAProxy runtime API: no answer to "${command}" within ${timeoutMs} ms`));
		}, timeoutMs);
		s.once('connect', () => s.write(`${command}\n`));
		s.on('data', (d) => {
			out += String(d);
		});
		s.once('error', (err) => {
			clearTimeout(timer);
			reject(err);
		});
		s.once('close', () => {
			clearTimeout(timer);
			resolve(out);
		});
	});
}

function haproxyConfigText(o: { lbPort: number; socket: string; httpPort: number }): string {
	const pins = HOST_IDS.map((id) => `    use-server ${id} if { url_param(pin) -m str ${id} }`);
	const servers = HOST_IDS.map((id) => `    server ${id} ${HOST_IP[id]}:${o.httpPort}`);
	return `# Written by test/helpers/cluster-rig.ts. deploy/haproxy.cfg is the production-shaped example.
global
    stats socket ${o.socket} mode 600 level admin
    stats timeout 10s
    maxconn 4000

defaults
    mode http
    timeout connect 2s
    timeout client 60s
    timeout server 60s
    # After a WebSocket upgrade: signalling stays open for the whole session.
    timeout tunnel 1h
    timeout http-request 10s
    timeout http-keep-alive 5s
    timeout check 2s
    # Closes the server side after each plain request (the next may go elsewhere); an upgraded
    # connection is a tunnel and stays open.
    option http-server-close
    # A request whose server refuses it (dead host not yet marked down) goes to another one.
    retries 3
    option redispatch 1

frontend luwte_in
    bind ${BRIDGE_IP}:${o.lbPort}
    default_backend ${BACKEND}

backend ${BACKEND}
    balance roundrobin
    option httpchk GET /healthz
    http-check expect status 200
    default-server check inter 500ms fastinter 500ms downinter 500ms fall 2 rise 1
    # Test determinism: ?pin=<id> prefers that host while it is up; HAProxy ignores the rule for a
    # server that is down and balances as usual.
${pins.join('\n')}
    # Which host answered, for tests only.
    http-response set-header X-Rig-Server %s
${servers.join('\n')}
`;
}

/**
 * Builds the bridge and three host namespaces, starts Redis, the three hosts (host a first: it
 * brings the rig's tenant into the empty Redis, then b and c start sharing it) and HAProxy, and
 * waits until HAProxy has all three up. Call only where `clusterRigUnavailable()` is undefined.
 */
export async function startClusterRig(opts: ClusterRigOptions = {}): Promise<ClusterRig> {
	const why = clusterRigUnavailable();
	if (why) throw new Error(`cluster rig unavailable: ${why}`);
	const httpPort = opts.httpPort ?? 8080;
	const rtcPorts = opts.rtcPorts ?? { min: 44400, max: 44599 };
	const tag = `lwr${process.pid}`;
	const bridge = tag;
	const root = mkdtempSync(join(tmpdir(), 'luwte-cluster-'));
	const operatorKey = `lwo_rig-${newTokenSecret().slice(0, 16)}`;
	const tenant: TestTenant = { id: 'zorg-rig', apiKey: newApiKey() };
	const hostIdFlag = serveHasHostId();

	// Everything started so far, stopped in reverse order by close(), also after a failed start.
	const children = new Set<ChildProcess>();
	const links: string[] = [];
	let redis: TestRedis | undefined;
	let haproxy: ChildProcess | undefined;
	let lbLog = '';
	const hostStops: (() => Promise<unknown>)[] = [];
	const holders: ChildProcess[] = [];
	// If the test process ends without close(), nothing may keep running: this handler covers an
	// orderly exit, the parent-death signal (setpriv) a SIGKILL of the test process.
	const killAll = () => {
		for (const c of children) if (alive(c)) c.kill('SIGKILL');
	};
	process.once('exit', killAll);

	let closed: Promise<void> | undefined;
	const close = () => {
		closed ??= (async () => {
			if (alive(haproxy)) {
				haproxy.kill('SIGTERM');
				await exitOf(haproxy, 5000);
			}
			await Promise.all(hostStops.map((stop) => stop()));
			await redis?.close().catch(() => undefined);
			for (const h of holders) {
				h.kill('SIGKILL');
				await exitOf(h, 5000);
			}
			for (const l of links) tryRun('ip', ['link', 'del', l]);
			tryRun('ip', ['link', 'del', bridge]);
			killAll();
			process.removeListener('exit', killAll);
			rmSync(root, { recursive: true, force: true });
		})();
		return closed;
	};

	try {
		run('ip', ['link', 'add', 'name', bridge, 'type', 'bridge']);
		tryRun('sysctl', ['-qw', `net.ipv6.conf.${bridge}.disable_ipv6=1`]);
		run('ip', ['addr', 'add', `${BRIDGE_IP}/24`, 'dev', bridge]);
		run('ip', ['link', 'set', bridge, 'up']);

		redis = await startRedis({ bind: BRIDGE_IP });

		const hosts: RigHost[] = [];
		for (const id of HOST_IDS) {
			const holder = await namespaceHolder();
			holders.push(holder);
			children.add(holder);
			const nsPid = String(holder.pid);
			const inNs = (cmd: string, ...args: string[]) => run('nsenter', ['-t', nsPid, '-n', cmd, ...args]);
			const outer = `${tag}${id}`;
			const inner = `${tag}${id}p`;
			run('ip', ['link', 'add', outer, 'type', 'veth', 'peer', 'name', inner]);
			links.push(outer);
			tryRun('sysctl', ['-qw', `net.ipv6.conf.${outer}.disable_ipv6=1`]);
			run('ip', ['link', 'set', outer, 'master', bridge]);
			run('ip', ['link', 'set', outer, 'up']);
			run('ip', ['link', 'set', inner, 'netns', nsPid]);
			tryRun('nsenter', ['-t', nsPid, '-n', 'sysctl', '-qw', 'net.ipv6.conf.all.disable_ipv6=1']);
			inNs('ip', 'link', 'set', 'lo', 'up');
			inNs('ip', 'addr', 'add', `${HOST_IP[id]}/24`, 'dev', inner);
			inNs('ip', 'link', 'set', inner, 'up');
			// Anything else in the test's namespace (a TURN server on 198.18.0.1, say) goes through the bridge.
			inNs('ip', 'route', 'add', 'default', 'via', BRIDGE_IP);
			const host = rigHost({
				id,
				nsPid,
				inNs,
				outerLink: outer,
				httpPort,
				rtcPorts,
				dataDir: join(root, `host-${id}`),
				redisUrl: redis.url,
				operatorKey,
				tenant,
				hostIdFlag,
				args: [...(opts.extraArgs ?? []), ...(opts.hostArgs?.[id] ?? [])],
				env: opts.env ?? {},
				children,
			});
			hostStops.push(() => host.stop('SIGTERM', 10_000));
			hosts.push(host);
		}

		// Host a imports the tenants file into the empty Redis; b and c then load the tenant from there.
		const [a, b, c] = hosts as [RigHost, RigHost, RigHost];
		writeFileSync(
			join(a.dataDir, 'tenants.json'),
			JSON.stringify([
				{
					id: tenant.id,
					name: 'Zorg Rig',
					apiKeyHashes: [hashApiKey(tenant.apiKey)],
					tokenSecret: newTokenSecret(),
					allowedOrigins: [],
				},
			]),
			{ mode: 0o600 },
		);
		await a.start();
		await Promise.all([b.start(), c.start()]);
		for (const h of hosts) {
			await waitFor(
				async () => (await h.api('GET', '/v1/sessions').catch(() => ({ status: 0 }))).status === 200,
				60_000,
				`host ${h.id} accepting the rig tenant's key`,
			);
		}

		const lbPort = (await freePortRange(1)).min;
		const socket = join(root, 'haproxy.sock');
		const cfgPath = join(root, 'haproxy.cfg');
		const haproxyConfig = haproxyConfigText({ lbPort, socket, httpPort });
		writeFileSync(cfgPath, haproxyConfig);
		const check = spawnSync('haproxy', ['-c', '-q', '-f', cfgPath], { encoding: 'utf8', timeout: 30_000 });
		if (check.status !== 0) throw new Error(`HAProxy rejects its configuration:\n${check.stderr}${check.stdout}`);
		const lb = spawn('setpriv', ['--pdeathsig', 'KILL', '--', 'haproxy', '-f', cfgPath, '-db'], { stdio: ['ignore', 'pipe', 'pipe'] });
		haproxy = lb;
		children.add(lb);
		const onLbOutput = (d: Buffer) => {
			lbLog = (lbLog + String(d)).slice(-OUTPUT_LIMIT);
		};
		lb.stdout!.on('data', onLbOutput);
		lb.stderr!.on('data', onLbOutput);

		const haproxyCommand = (command: string) => {
			if (!alive(lb)) return Promise.reject(new Error(`HAProxy is not running:\n${lbLog}`));
			return socketCommand(socket, command);
		};
		const serverStates = async (): Promise<Record<HostId, string>> => {
			const [header, ...rows] = (await haproxyCommand('show stat')).split('\n').filter((l) => l.trim() !== '');
			const cols = (header ?? '').replace(/^# /, '').split(',');
			const [px, sv, st] = ['pxname', 'svname', 'status'].map((c) => cols.indexOf(c)) as [number, number, number];
			const states = {} as Record<HostId, string>;
			for (const row of rows) {
				const f = row.split(',');
				if (f[px] === BACKEND && (HOST_IDS as readonly string[]).includes(f[sv] ?? '')) states[f[sv] as HostId] = f[st] ?? '';
			}
			return states;
		};
		const waitServerState = async (id: HostId, state: 'UP' | 'DOWN', timeoutMs = 30_000) => {
			let last = '';
			try {
				await waitFor(
					async () => {
						last = (await serverStates().catch(() => ({}) as Partial<Record<HostId, string>>))[id] ?? '';
						return last === state;
					},
					timeoutMs,
					`HAProxy to mark host ${id} ${state}`,
				);
			} catch (err) {
				throw new Error(`${(err as Error).message}; last state "${last}"\n${lbLog}`);
			}
		};
		await waitFor(
			async () => alive(lb) && (await socketCommand(socket, 'show info').catch(() => '')).includes('Name: HAProxy'),
			30_000,
			`HAProxy to start:\n${lbLog}`,
		);
		for (const id of HOST_IDS) await waitServerState(id, 'UP', 60_000);

		return {
			hosts,
			host: (id) => hosts.find((h) => h.id === id)!,
			lbUrl: `http://${BRIDGE_IP}:${lbPort}`,
			redis,
			tenant,
			operatorKey,
			hostIdFlag,
			haproxyConfig,
			serverStates,
			waitServerState,
			haproxyCommand,
			lbOutput: () => lbLog,
			close,
		};
	} catch (err) {
		await close();
		throw err;
	}
}

function rigHost(o: {
	id: HostId;
	nsPid: string;
	inNs: (cmd: string, ...args: string[]) => string;
	outerLink: string;
	httpPort: number;
	rtcPorts: { min: number; max: number };
	dataDir: string;
	redisUrl: string;
	operatorKey: string;
	tenant: TestTenant;
	hostIdFlag: boolean;
	args: string[];
	env: Record<string, string>;
	children: Set<ChildProcess>;
}): RigHost {
	const ip = HOST_IP[o.id];
	const url = `http://${ip}:${o.httpPort}`;
	mkdirSync(o.dataDir, { recursive: true, mode: 0o700 });
	let child: ChildProcess | undefined;
	let log = '';
	const args = [
		bin,
		'serve',
		'--host',
		'0.0.0.0',
		'--port',
		String(o.httpPort),
		'--redis-url',
		o.redisUrl,
		'--announced-address',
		ip,
		...(o.hostIdFlag ? ['--host-id', o.id] : []),
		'--data-dir',
		o.dataDir,
		'--workers',
		'1',
		'--rtc-port-min',
		String(o.rtcPorts.min),
		'--rtc-port-max',
		String(o.rtcPorts.max),
		'--log-level',
		'warn',
		...o.args,
	];
	const start = async () => {
		if (alive(child)) throw new Error(`host ${o.id} is already running`);
		// setpriv and nsenter each exec the next: the child's pid is the host's own, so a signal to it
		// reaches `luwte serve` itself. The parent-death signal ends the host even when the test
		// process is killed outright (no exit handler runs then).
		const c = spawn('setpriv', ['--pdeathsig', 'KILL', '--', 'nsenter', '-t', o.nsPid, '-n', process.execPath, ...args], {
			stdio: ['ignore', 'pipe', 'pipe'],
			env: { ...process.env, ...o.env, LUWTE_OPERATOR_KEY: o.operatorKey },
		});
		child = c;
		o.children.add(c);
		c.once('exit', () => o.children.delete(c));
		const append = (d: Buffer) => {
			log = (log + String(d)).slice(-OUTPUT_LIMIT);
		};
		c.stdout!.on('data', append);
		c.stderr!.on('data', append);
		const runStart = log.length;
		const started = () => log.slice(Math.min(runStart, log.length)).includes('Luwte host listening on');
		try {
			await waitFor(() => started() || !alive(c), 60_000, `host ${o.id} to start`);
			if (!started()) throw new Error(`exited (${c.exitCode ?? c.signalCode}) while starting`);
			// Listening inside its namespace is not yet reachable over the bridge: check from here.
			await waitFor(
				async () => (await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(5000) }).catch(() => undefined))?.status === 200,
				60_000,
				`host ${o.id}'s /healthz over the bridge`,
			);
		} catch (err) {
			if (alive(c)) {
				c.kill('SIGKILL');
				await exitOf(c, 5000);
			}
			throw new Error(`host ${o.id}: ${(err as Error).message}\n${log}`);
		}
	};
	return {
		id: o.id,
		ip,
		url,
		port: o.httpPort,
		rtcPorts: o.rtcPorts,
		dataDir: o.dataDir,
		get pid() {
			return alive(child) ? child.pid : undefined;
		},
		running: () => alive(child),
		start,
		async stop(signal = 'SIGTERM', timeoutMs = 60_000) {
			const c = child;
			if (!c) return null;
			if (alive(c)) c.kill(signal);
			return exitOf(c, timeoutMs);
		},
		output: () => log,
		async api(method, path, body) {
			const res = await fetch(`${url}${path}`, {
				method,
				headers: { authorization: `Bearer ${o.tenant.apiKey}`, 'content-type': 'application/json' },
				signal: AbortSignal.timeout(30_000),
				...(body !== undefined ? { body: JSON.stringify(body) } : {}),
			});
			return { status: res.status, json: await res.json().catch(() => undefined) };
		},
		inNamespace: (cmd, ...args) => o.inNs(cmd, ...args),
		setLink(up) {
			run('ip', ['link', 'set', o.outerLink, up ? 'up' : 'down']);
		},
	};
}
