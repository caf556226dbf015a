export interface Sample {
	name: string;
	labels: Record<string, string>;
	value: number;
}

/** The Prometheus text format (0.0.4), as a scraper reads it: one sample per line. */
export function parse(text: string): Sample[] {
	const samples: Sample[] = [];
	for (const line of text.split('\n')) {
		if (line === '' || line.startsWith('#')) continue;
		const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
		if (!m) throw new Error(`not a sample line: ${line}`);
		const labels: Record<string, string> = {};
		for (const l of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]!] = l[2]!;
		samples.push({ name: m[1]!, labels, value: Number(m[3]) });
	}
	return samples;
}

/** The value of the one sample with this name and these labels (undefined: no such sample). */
export function value(samples: Sample[], name: string, labels: Record<string, string> = {}): number | undefined {
	const found = samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
	if (found.length > 1) throw new Error(`${name} ${JSON.stringify(labels)} matches ${found.length} samples`);
	return found[0]?.value;
}

/** Scrapes a host's /metrics with the operator key. */
export async function scrapeMetrics(baseUrl: string, operatorKey: string): Promise<Sample[]> {
	const res = await fetch(`${baseUrl}/metrics`, { headers: { authorization: `Bearer ${operatorKey}` } });
	if (res.status !== 200) throw new Error(`/metrics: ${res.status}`);
	return parse(await res.text());
}
