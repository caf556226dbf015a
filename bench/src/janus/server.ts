/**
 * Janus (Debian's 1.1.2, `apt-get install janus`) for the benches: a private config folder with
 * only the VideoRoom plugin and the plain-HTTP API on loopback, its own HTTP and RTP ports, started
 * as a child process and stopped with SIGTERM (SIGKILL after a grace period).
 *
 * Janus skips loopback interfaces when it gathers ICE candidates, so it must run where an
 * interface named `iceInterface` carries the address the clients reach it on: bench/src/janus/netns.sh
 * makes a private network namespace with a veth `jv0` holding 127.0.0.2/32.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const libDir = '/usr/lib/x86_64-linux-gnu/janus';
const binary = '/usr/bin/janus';

export interface JanusOptions {
	/** Plain-HTTP API port on 127.0.0.1. */
	httpPort?: number;
	/** Media ports, away from the engine's and the tests' ranges. */
	rtpPorts?: { min: number; max: number };
	/** The only interface Janus gathers candidates on. */
	iceInterface?: string;
	/** Janus' debug level, 0–7 (4 = info); the log goes to `<dir>/janus.log`. */
	debugLevel?: number;
	/** Pin Janus to these CPUs (taskset), so its cost does not mix with the load generator's. */
	cpus?: string;
}

export interface JanusServer {
	pid: number;
	/** `http://127.0.0.1:<port>/janus` */
	apiUrl: string;
	dir: string;
	version: string;
	stop(): Promise<number | null>;
}

export class JanusError extends Error {
	override name = 'JanusError';
}

/** The .so files in a Janus library folder except those whose name contains one of `keep`. */
function allBut(folder: string, keep: string[]): string {
	const dir = join(libDir, folder);
	if (!existsSync(dir)) return '';
	return readdirSync(dir)
		.filter((f) => f.endsWith('.so') && !keep.some((k) => f.includes(k)))
		.join(',');
}

/** Writes the private config: only what the bench needs, everything else disabled. */
function writeConfig(dir: string, o: Required<Omit<JanusOptions, 'cpus'>>): void {
	writeFileSync(
		join(dir, 'janus.jcfg'),
		`general: {
	configs_folder = "${dir}"
	plugins_folder = "${libDir}/plugins"
	transports_folder = "${libDir}/transports"
	events_folder = "${libDir}/events"
	loggers_folder = "${libDir}/loggers"
	debug_level = ${o.debugLevel}
	admin_secret = "unused-admin-secret"
	server_name = "luwte-bench-janus"
}
media: {
	rtp_port_range = "${o.rtpPorts.min}-${o.rtpPorts.max}"
}
nat: {
	ice_enforce_list = "${o.iceInterface}"
}
plugins: {
	disable = "${allBut('plugins', ['videoroom'])}"
}
transports: {
	disable = "${allBut('transports', ['http'])}"
}
loggers: {
	disable = "${allBut('loggers', [])}"
}
events: {
	disable = "${allBut('events', [])}"
}
`,
	);
	writeFileSync(
		join(dir, 'janus.transport.http.jcfg'),
		`general: {
	json = "compact"
	base_path = "/janus"
	http = true
	port = ${o.httpPort}
	ip = "127.0.0.1"
	https = false
}
admin: {
	admin_http = false
	admin_https = false
}
`,
	);
	// No rooms from the config: the bench creates its own over the API.
	writeFileSync(join(dir, 'janus.plugin.videoroom.jcfg'), 'general: {\n}\n');
}

/** Starts Janus and waits (at most `readyMs`) until `GET /janus/info` answers. */
export async function startJanus(opts: JanusOptions = {}, readyMs = 15_000): Promise<JanusServer> {
	if (!existsSync(binary)) throw new JanusError(`${binary} not found: apt-get install janus (Debian 1.1.2)`);
	const o = {
		httpPort: opts.httpPort ?? 18088,
		rtpPorts: opts.rtpPorts ?? { min: 23000, max: 23999 },
		iceInterface: opts.iceInterface ?? 'jv0',
		debugLevel: opts.debugLevel ?? 3,
	};
	const dir = mkdtempSync(join(tmpdir(), 'luwte-janus-'));
	writeConfig(dir, o);
	const argv = ['-C', join(dir, 'janus.jcfg'), '-F', dir, '-L', join(dir, 'janus.log'), '-N'];
	const child: ChildProcess = opts.cpus
		? spawn('taskset', ['-c', opts.cpus, binary, ...argv], { stdio: 'ignore' })
		: spawn(binary, argv, { stdio: 'ignore' });
	const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
	const pid = child.pid;
	if (pid === undefined) throw new JanusError('janus did not start');
	// A bench that exits early (hard limit, Ctrl-C, an uncaught error) must not leave Janus behind.
	const reap = () => {
		if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
		rmSync(dir, { recursive: true, force: true });
	};
	const onSignal = (signal: NodeJS.Signals) => {
		reap();
		process.exit(signal === 'SIGINT' ? 130 : 143);
	};
	process.once('exit', reap);
	process.once('SIGINT', onSignal);
	process.once('SIGTERM', onSignal);
	const apiUrl = `http://127.0.0.1:${o.httpPort}/janus`;
	const stop = async (): Promise<number | null> => {
		if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
		const grace = setTimeout(() => child.kill('SIGKILL'), 5000);
		const code = await exited;
		clearTimeout(grace);
		process.off('exit', reap);
		process.off('SIGINT', onSignal);
		process.off('SIGTERM', onSignal);
		rmSync(dir, { recursive: true, force: true });
		return code;
	};
	const until = Date.now() + readyMs;
	let version = '';
	while (Date.now() < until && child.exitCode === null) {
		try {
			const info = (await (await fetch(`${apiUrl}/info`, { signal: AbortSignal.timeout(1000) })).json()) as {
				version_string?: string;
				plugins?: Record<string, unknown>;
			};
			if (!info.plugins?.['janus.plugin.videoroom']) {
				await stop();
				throw new JanusError('janus is up without the VideoRoom plugin');
			}
			version = info.version_string ?? '?';
			break;
		} catch (e) {
			if (e instanceof JanusError) throw e;
			await new Promise((r) => setTimeout(r, 100));
		}
	}
	if (!version) {
		await stop();
		throw new JanusError(`janus did not answer on ${apiUrl} within ${readyMs} ms (log: ${dir}/janus.log)`);
	}
	// With taskset the child is taskset until it execs janus: same PID either way.
	return { pid, apiUrl, dir, version, stop };
}
