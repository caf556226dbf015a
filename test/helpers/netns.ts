import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';

// A receiving client behind a shaped link, on one machine. The test process (engine and sender)
// stays in its own network namespace; the receiver runs in a namespace of its own
// (`unshare -n`), joined to ours by a veth pair. `tc tbf` on our end of the pair shapes
// everything the engine sends to the receiver, as a home line's bottleneck would; what the
// sender sends to the engine never crosses a veth (both live here) and stays unshaped.
//
//   engine 198.18.0.1 (on lo) ── veth host end 198.18.N.1 ──tbf──▶ veth peer 198.18.N.2 (receiver)
//
// 198.18.0.0/15 is the range set aside for network benchmarks (RFC 2544): no real host has it,
// and nothing here is routed beyond the namespaces the test makes.

export const SERVER_IP = '198.18.0.1';

/** Why this process cannot build the rig, or undefined when it can. */
export function shapedRigUnavailable(): string | undefined {
	if (process.platform !== 'linux' || process.getuid?.() !== 0) return 'needs root on Linux';
	// Only inside the private namespace scripts/test.mjs makes (nothing but lo): never on the
	// machine's own network.
	const ifaces = Object.keys(networkInterfaces());
	if (ifaces.some((i) => i !== 'lo')) return `not in a private network namespace (interfaces: ${ifaces.join(', ')})`;
	for (const tool of ['ip', 'tc', 'unshare', 'nsenter']) {
		if (spawnSync(tool, ['-V']).error && spawnSync(tool, ['--version']).error) return `${tool} missing`;
	}
	if (spawnSync('unshare', ['-n', 'true']).status !== 0) return 'unshare -n not permitted';
	return undefined;
}

function run(cmd: string, args: string[]): void {
	execFileSync(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'], timeout: 10_000 });
}

function tryRun(cmd: string, args: string[]): void {
	spawnSync(cmd, args, { stdio: 'ignore', timeout: 10_000 });
}

/** The engine's address, on lo so that every receiver's namespace reaches it through its own link. */
export function addServerAddress(): void {
	run('ip', ['addr', 'add', `${SERVER_IP}/32`, 'dev', 'lo']);
}

export function removeServerAddress(): void {
	tryRun('ip', ['addr', 'del', `${SERVER_IP}/32`, 'dev', 'lo']);
}

export interface ReceiverStats {
	/** When the receiver reported (ms since the epoch, our clock). */
	at: number;
	frames: number;
	width: number;
	widthChanges: number;
	inbound?: { bytesReceived: number; framesDecoded: number; freezeCount: number; totalFreezesDuration: number; packetsLost: number };
	/** The path ICE chose (the nominated pair's local candidate). */
	path?: { candidateType: string; protocol: string; relayProtocol: string | undefined };
}

export interface ShapedReceiver {
	readonly hostIf: string;
	readonly pid: number;
	readonly stats: ReceiverStats[];
	/** Joins the session from inside the namespace. */
	join(server: string, token: string, timeoutMs?: number): Promise<void>;
	/** Sets the link's rate (engine → receiver). */
	shape(kbps: number): void;
	/** What tbf has sent and dropped so far (its queue overflowing is where the link loses packets). */
	counters(): { sentPackets: number; droppedPackets: number };
	/** Runs a command inside the receiver's namespace (e.g. `nft` rules: a firewall in front of this client). */
	inNamespace(cmd: string, ...args: string[]): void;
	/** The tbf settings in use, for the report. */
	readonly tbf: { burstBytes: number; latencyMs: number };
	close(): Promise<void>;
}

const receiverScript = fileURLToPath(new URL('./netns-receiver.ts', import.meta.url));

/**
 * Starts a receiver process in a new network namespace and links it to ours.
 * `latencyMs` is the tbf queue: how long a packet may wait at the bottleneck before it is dropped.
 */
export async function startShapedReceiver(opts: {
	index: number;
	kbps: number;
	latencyMs: number;
	deadlineMs: number;
	/** Extra /etc/hosts lines for this receiver only (its own mount namespace), e.g. a TURN server's name. */
	hosts?: string[];
}): Promise<ShapedReceiver> {
	const hostIf = `lwh${process.pid}x${opts.index}`;
	const peerIf = `lwp${process.pid}x${opts.index}`;
	const net = `198.18.${opts.index + 1}`;
	// `unshare -n` makes the namespace and then execs node in the same process: once node
	// prints "ready", the pid's namespace is the new one and the veth end can be moved into it.
	let args = ['-n', process.execPath, receiverScript, String(opts.deadlineMs)];
	if (opts.hosts) {
		// Names only this receiver resolves: its own mount namespace with its own /etc/hosts (exec keeps the pid).
		const hostsFile = join(mkdtempSync(join(tmpdir(), 'luwte-hosts-')), 'hosts');
		writeFileSync(hostsFile, `${readFileSync('/etc/hosts', 'utf8')}\n${opts.hosts.join('\n')}\n`);
		args = ['-n', '-m', 'sh', '-c', `mount --bind ${hostsFile} /etc/hosts && exec "$0" "$@"`, ...args.slice(1)];
	}
	const child: ChildProcess = spawn('unshare', args, { stdio: ['pipe', 'pipe', 'pipe'] });
	let stderr = '';
	child.stderr!.on('data', (d: Buffer) => {
		stderr = (stderr + d.toString()).slice(-4000);
	});
	const stats: ReceiverStats[] = [];
	const waiters: { type: string; resolve: (m: Record<string, unknown>) => void }[] = [];
	const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
	createInterface({ input: child.stdout! }).on('line', (line) => {
		let msg: Record<string, unknown>;
		try {
			msg = JSON.parse(line);
		} catch {
			return;
		}
		if (msg.type === 'stats') stats.push({ ...(msg as unknown as ReceiverStats), at: Date.now() });
		for (const w of waiters.filter((w) => w.type === msg.type || msg.type === 'error')) {
			waiters.splice(waiters.indexOf(w), 1);
			w.resolve(msg);
		}
	});
	const next = (type: string, timeoutMs: number) =>
		new Promise<Record<string, unknown>>((resolve, reject) => {
			const timer = setTimeout(
				() => reject(new Error(`receiver ${opts.index}: no "${type}" within ${timeoutMs} ms; stderr: ${stderr}`)),
				timeoutMs,
			);
			const done = (m: Record<string, unknown>) => {
				clearTimeout(timer);
				if (m.type === 'error') reject(new Error(`receiver ${opts.index}: ${String(m.message)}; stderr: ${stderr}`));
				else resolve(m);
			};
			waiters.push({ type, resolve: done });
			void exited.then(() => done({ type: 'error', message: `exited (${child.exitCode ?? child.signalCode})` }));
		});

	// The bucket holds one full-size packet and no more: a home line's bottleneck serialises every
	// packet at its rate. A larger bucket lets a short burst through at the veth's speed, and
	// the sender's bandwidth probes (a few packets) then "prove" a rate the link does not have.
	const burstBytes = 1600;
	const tbfArgs = (kbps: number) => ['root', 'tbf', 'rate', `${kbps}kbit`, 'burst', String(burstBytes), 'latency', `${opts.latencyMs}ms`];

	const close = async () => {
		if (child.exitCode === null && child.signalCode === null) {
			child.stdin!.end(`${JSON.stringify({ type: 'leave' })}\n`);
			const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
			await exited;
			clearTimeout(timer);
		}
		// The pair dies with the receiver's namespace; this is for the case where it never moved.
		tryRun('ip', ['link', 'del', hostIf]);
	};

	try {
		await next('ready', 30_000);
		const pid = String(child.pid);
		const inNs = (...args: string[]) => run('nsenter', ['-t', pid, '-n', ...args]);
		run('ip', ['link', 'add', hostIf, 'type', 'veth', 'peer', 'name', peerIf]);
		// IPv4 only: libwebrtc would otherwise also try link-local IPv6 candidates the engine never answers.
		tryRun('sysctl', ['-qw', `net.ipv6.conf.${hostIf}.disable_ipv6=1`]);
		run('ip', ['addr', 'add', `${net}.1/30`, 'dev', hostIf]);
		run('ip', ['link', 'set', hostIf, 'up']);
		run('ip', ['link', 'set', peerIf, 'netns', pid]);
		tryRun('nsenter', ['-t', pid, '-n', 'sysctl', '-qw', 'net.ipv6.conf.all.disable_ipv6=1']);
		inNs('ip', 'link', 'set', 'lo', 'up');
		inNs('ip', 'addr', 'add', `${net}.2/30`, 'dev', peerIf);
		inNs('ip', 'link', 'set', peerIf, 'up');
		inNs('ip', 'route', 'add', 'default', 'via', `${net}.1`);
		run('tc', ['qdisc', 'replace', 'dev', hostIf, ...tbfArgs(opts.kbps)]);
	} catch (err) {
		await close();
		throw err;
	}

	return {
		hostIf,
		pid: child.pid!,
		stats,
		tbf: { burstBytes, latencyMs: opts.latencyMs },
		async join(server, token, timeoutMs = 30_000) {
			const joined = next('joined', timeoutMs);
			child.stdin!.write(`${JSON.stringify({ type: 'join', server, token })}\n`);
			await joined;
		},
		inNamespace(cmd, ...args) {
			run('nsenter', ['-t', String(child.pid), '-n', cmd, ...args]);
		},
		counters() {
			const out = spawnSync('tc', ['-s', 'qdisc', 'show', 'dev', hostIf], { encoding: 'utf8', timeout: 5000 }).stdout ?? '';
			const m = /Sent \d+ bytes (\d+) pkt \(dropped (\d+)/.exec(out);
			return { sentPackets: Number(m?.[1] ?? 0), droppedPackets: Number(m?.[2] ?? 0) };
		},
		shape(kbps) {
			// `change` keeps the packets already queued, as a real line does when its rate drops.
			run('tc', ['qdisc', 'change', 'dev', hostIf, ...tbfArgs(kbps)]);
		},
		close,
	};
}
