/**
 * The host's media-worker CPU seconds from its /metrics (operator key): the sum of
 * `luwte_worker_cpu_seconds_total` over workers and modes, or undefined when not readable.
 */
export async function serverWorkerCpuSeconds(server: string, operatorKey: string, signal?: AbortSignal): Promise<number | undefined> {
	try {
		const res = await fetch(new URL('/metrics', server), {
			headers: { authorization: `Bearer ${operatorKey}` },
			signal: AbortSignal.any([AbortSignal.timeout(10_000), ...(signal ? [signal] : [])]),
		});
		if (!res.ok) return undefined;
		return workerCpuSecondsOf(await res.text());
	} catch {
		return undefined;
	}
}

export function workerCpuSecondsOf(exposition: string): number | undefined {
	let total: number | undefined;
	for (const line of exposition.split('\n')) {
		const m = /^luwte_worker_cpu_seconds_total\{[^}]*\}\s+([0-9.eE+-]+)$/.exec(line.trim());
		if (m) total = (total ?? 0) + Number(m[1]);
	}
	return total;
}
