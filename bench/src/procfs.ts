/** Small Linux /proc readers: where packets were dropped and how busy the machine was. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';

/**
 * Kernel receive-buffer drops of the IPv4 UDP sockets bound to `ports` (last column of
 * /proc/net/udp). On loopback a packet the receiver has no room for is counted here.
 */
export function udpDrops(ports: Iterable<number>): number {
	const wanted = new Set(ports);
	let drops = 0;
	let text: string;
	try {
		text = readFileSync('/proc/net/udp', 'utf8');
	} catch {
		return Number.NaN;
	}
	for (const line of text.split('\n').slice(1)) {
		const cols = line.trim().split(/\s+/);
		const local = cols[1];
		const last = cols[cols.length - 1];
		if (!local || last === undefined || cols.length < 13) continue;
		const port = Number.parseInt(local.split(':')[1] ?? '', 16);
		if (wanted.has(port)) drops += Number(last);
	}
	return drops;
}

/** Jiffies all CPUs spent busy, and in total, since boot (first line of /proc/stat). */
export function cpuTimes(): { busy: number; total: number } {
	const first = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0] ?? '';
	const v = first.trim().split(/\s+/).slice(1).map(Number);
	const total = v.reduce((a, b) => a + b, 0);
	// idle + iowait are the only non-busy columns.
	const idle = (v[3] ?? 0) + (v[4] ?? 0);
	return { busy: total - idle, total };
}

export function pidAlive(pid: number): boolean {
	return existsSync(`/proc/${pid}`);
}

/** Waits (at most `ms`) until a process is gone, so its CPU never overlaps the next run. */
export async function waitPidGone(pid: number, ms: number): Promise<boolean> {
	const until = Date.now() + ms;
	while (Date.now() < until) {
		if (!pidAlive(pid)) return true;
		await new Promise((r) => setTimeout(r, 50));
	}
	return !pidAlive(pid);
}

/**
 * CPU time a process has used, in nanoseconds: the sum of its threads' run time from
 * /proc/PID/task/TID/schedstat (ns resolution, read without asking the process, so many
 * workers can be sampled at one instant). Falls back to utime + stime of /proc/PID/stat
 * (clock ticks, assumed 100 per second) where schedstat is missing; NaN when the process is gone.
 */
export function processCpuNs(pid: number): number {
	try {
		let ns = 0;
		for (const tid of readdirSync(`/proc/${pid}/task`)) {
			try {
				ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ', 1)[0]);
			} catch {
				// A thread that ended between readdir and read: its time is gone from the sum either way.
			}
		}
		if (ns > 0) return ns;
		// After the command name (which may hold spaces): fields 14 and 15 are utime and stime.
		const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
		const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
		return (Number(rest[11]) + Number(rest[12])) * 1e7;
	} catch {
		return Number.NaN;
	}
}
