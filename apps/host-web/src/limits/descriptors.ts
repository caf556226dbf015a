import { readFileSync } from 'node:fs';

/**
 * The process's soft limit on open descriptors (RLIMIT_NOFILE), or undefined where it cannot be
 * read. Node raises the soft limit to the hard limit itself at start (it has no `setrlimit` for
 * us to call), so this is what `ulimit -n` / systemd `LimitNOFILE=` allowed.
 */
export function descriptorLimit(): number | undefined {
	try {
		const line = readFileSync('/proc/self/limits', 'utf8')
			.split('\n')
			.find((l) => l.startsWith('Max open files'));
		const soft = line?.split(/\s{2,}/)[1];
		if (!soft || soft === 'unlimited') return undefined;
		const n = Number(soft);
		return Number.isInteger(n) && n > 0 ? n : undefined;
	} catch {
		return undefined;
	}
}

/** Connections in all when not configured: 80 % of the descriptor limit (the rest: files, workers, Redis, the reserve). */
export function defaultMaxConnections(limit = descriptorLimit()): number {
	return limit === undefined ? 16_000 : Math.max(64, Math.floor(limit * 0.8));
}
