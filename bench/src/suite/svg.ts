/**
 * Line plots as plain SVG for bench/RESULTS.md (no plotting library: two small charts with axes,
 * ticks and a legend are less code than adapting one, and render the same in any Markdown viewer).
 */
export interface Series {
	name: string;
	points: { x: number; y: number }[];
}

const colours = ['#1b6ac9', '#c0392b', '#2e8b57', '#8e44ad'];
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** A "nice" step for about `n` ticks over `span`. */
function tickStep(span: number, n: number): number {
	const raw = span / n;
	const mag = 10 ** Math.floor(Math.log10(raw));
	const f = raw / mag;
	return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * mag;
}

export function linePlot(o: {
	title: string;
	xLabel: string;
	yLabel: string;
	series: Series[];
	/** Draw points as well as lines (few points per series). */
	markers?: boolean;
	/** A step line (a distribution's CDF). */
	step?: boolean;
	yMin?: number;
	yMax?: number;
}): string {
	const W = 760;
	const H = 420;
	const left = 72;
	const right = 180;
	const top = 44;
	const bottom = 56;
	const pw = W - left - right;
	const ph = H - top - bottom;
	const all = o.series.flatMap((s) => s.points).filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y));
	const xMax = Math.max(1e-9, ...all.map((p) => p.x));
	const yMin = o.yMin ?? Math.min(0, ...all.map((p) => p.y));
	const yMaxRaw = o.yMax ?? Math.max(1e-9, ...all.map((p) => p.y));
	const yStep = tickStep(yMaxRaw - yMin, 5);
	const yMax = o.yMax ?? Math.ceil(yMaxRaw / yStep) * yStep;
	const xStep = tickStep(xMax, 6);
	const xTop = Math.ceil(xMax / xStep) * xStep;
	const X = (x: number) => left + (x / xTop) * pw;
	const Y = (y: number) => top + ph - ((y - yMin) / (yMax - yMin)) * ph;
	const fmt = (v: number) => (Math.abs(v - Math.round(v)) < 1e-9 ? Math.round(v).toFixed(0) : v.toPrecision(2));
	const parts: string[] = [
		`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" font-family="sans-serif" font-size="13">`,
		`<title>${esc(o.title)}</title>`,
		`<rect width="${W}" height="${H}" fill="#ffffff"/>`,
		`<text x="${left}" y="26" font-size="16" font-weight="bold" fill="#222">${esc(o.title)}</text>`,
	];
	for (let v = yMin; v <= yMax + yStep / 2; v += yStep) {
		parts.push(`<line x1="${left}" x2="${left + pw}" y1="${Y(v)}" y2="${Y(v)}" stroke="#e3e3e3"/>`);
		parts.push(`<text x="${left - 8}" y="${Y(v) + 4}" text-anchor="end" fill="#444">${fmt(v)}</text>`);
	}
	for (let v = 0; v <= xTop + xStep / 2; v += xStep) {
		parts.push(`<line x1="${X(v)}" x2="${X(v)}" y1="${top + ph}" y2="${top + ph + 5}" stroke="#444"/>`);
		parts.push(`<text x="${X(v)}" y="${top + ph + 20}" text-anchor="middle" fill="#444">${fmt(v)}</text>`);
	}
	parts.push(`<line x1="${left}" x2="${left + pw}" y1="${top + ph}" y2="${top + ph}" stroke="#444"/>`);
	parts.push(`<line x1="${left}" x2="${left}" y1="${top}" y2="${top + ph}" stroke="#444"/>`);
	parts.push(`<text x="${left + pw / 2}" y="${H - 12}" text-anchor="middle" fill="#222">${esc(o.xLabel)}</text>`);
	parts.push(`<text transform="translate(18 ${top + ph / 2}) rotate(-90)" text-anchor="middle" fill="#222">${esc(o.yLabel)}</text>`);
	o.series.forEach((s, i) => {
		const c = colours[i % colours.length];
		const pts = s.points.filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y));
		if (pts.length === 0) return;
		let d = `M${X(pts[0]!.x).toFixed(1)},${Y(pts[0]!.y).toFixed(1)}`;
		for (let k = 1; k < pts.length; k++) {
			const p = pts[k]!;
			if (o.step) d += ` H${X(p.x).toFixed(1)}`;
			d += ` ${o.step ? 'V' : 'L'}${o.step ? Y(p.y).toFixed(1) : `${X(p.x).toFixed(1)},${Y(p.y).toFixed(1)}`}`;
		}
		parts.push(`<path d="${d}" fill="none" stroke="${c}" stroke-width="2.5"/>`);
		if (o.markers) for (const p of pts) parts.push(`<circle cx="${X(p.x)}" cy="${Y(p.y)}" r="4" fill="${c}"/>`);
		const ly = top + 10 + i * 24;
		parts.push(`<line x1="${left + pw + 16}" x2="${left + pw + 40}" y1="${ly}" y2="${ly}" stroke="${c}" stroke-width="3"/>`);
		parts.push(`<text x="${left + pw + 46}" y="${ly + 4}" fill="#222">${esc(s.name)}</text>`);
	});
	parts.push('</svg>');
	return `${parts.join('\n')}\n`;
}

/** A distribution as a step CDF: x the value, y the share of samples at or below it. */
export function cdf(samples: number[]): { x: number; y: number }[] {
	const s = [...samples].sort((a, b) => a - b);
	return [{ x: 0, y: 0 }, ...s.map((v, i) => ({ x: v, y: (i + 1) / s.length }))];
}
