/**
 * CPU pinning for the benches that compare servers: the server on one core, the load generator on
 * the other, so neither's cost shows up in the other's figures (`taskset -a`: every thread).
 */
import { execFileSync } from 'node:child_process';

/** Direct children of a process (pgrep -P). */
export function childPids(parent: number): number[] {
	try {
		return execFileSync('pgrep', ['-P', String(parent)], { encoding: 'utf8' })
			.split('\n')
			.filter(Boolean)
			.map(Number);
	} catch {
		return [];
	}
}

/** A process and all its descendants. */
export function processTree(root: number): number[] {
	const out = [root];
	for (let i = 0; i < out.length; i++) out.push(...childPids(out[i] as number));
	return out;
}

/** Pins these processes (all their threads) to `cpus` ("0", "0-1", …). */
export function pin(pids: number[], cpus: string): void {
	for (const pid of pids) execFileSync('taskset', ['-a', '-p', '-c', cpus, String(pid)], { stdio: 'ignore' });
}
