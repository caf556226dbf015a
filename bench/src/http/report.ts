/** The HTTP bench's results (http-bench.ts) and their Markdown table. */
export interface HttpRow {
	route: string;
	/** `bare Hono`, `luwte, limits off` or `luwte, limits on`. */
	server: string;
	requestsPerSecond: number;
	okPerSecond: number;
	/** 429 answers per second (the limits at work). */
	refusedPerSecond: number;
	otherNon2xx: number;
	errors: number;
	latencyP50Ms: number;
	latencyP99Ms: number;
	/** The server's process over the run, % of one core. */
	serverCpuPct: number;
	/** autocannon's (this process), % of one core. */
	clientCpuPct: number;
}

export interface HttpReport {
	date: string;
	cores: number;
	cpuModel: string;
	node: string;
	autocannon: { connections: number; durationS: number };
	rows: HttpRow[];
}

/** Luwte's answered requests per second over the bare route's, per route and limits setting. */
export function httpRatios(r: HttpReport): { route: string; limits: 'off' | 'on'; ratio: number }[] {
	const out: { route: string; limits: 'off' | 'on'; ratio: number }[] = [];
	for (const route of new Set(r.rows.map((x) => x.route))) {
		const bare = r.rows.find((x) => x.route === route && x.server === 'bare Hono');
		for (const limits of ['off', 'on'] as const) {
			const l = r.rows.find((x) => x.route === route && x.server === `luwte, limits ${limits}`);
			if (bare && l) out.push({ route, limits, ratio: l.requestsPerSecond / bare.requestsPerSecond });
		}
	}
	return out;
}

export function httpTable(r: HttpReport): string {
	const f0 = (n: number) => n.toFixed(0);
	const lines = [
		'| route | server | req/s | 2xx/s | 429/s | p50 / p99 ms | server % of a core | autocannon % of a core |',
		'|---|---|---|---|---|---|---|---|',
		...r.rows.map(
			(x) =>
				`| ${x.route} | ${x.server} | ${f0(x.requestsPerSecond)} | ${f0(x.okPerSecond)} | ${f0(x.refusedPerSecond)} | ${x.latencyP50Ms} / ${x.latencyP99Ms} | ${f0(x.serverCpuPct)} | ${f0(x.clientCpuPct)} |`,
		),
		'',
		'| route | Luwte / bare Hono, limits off | limits on |',
		'|---|---|---|',
	];
	const ratios = httpRatios(r);
	for (const route of new Set(ratios.map((x) => x.route))) {
		const of = (l: 'off' | 'on') => ratios.find((x) => x.route === route && x.limits === l)?.ratio.toFixed(2) ?? '–';
		lines.push(`| ${route} | **${of('off')}** | ${of('on')} |`);
	}
	return lines.join('\n');
}
