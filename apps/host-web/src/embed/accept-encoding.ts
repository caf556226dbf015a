/** The encodings the host keeps each script in, best first. */
export type Encoding = 'br' | 'gzip' | 'identity';

/**
 * The encoding to send for an `Accept-Encoding` header (RFC 9110 §12.5.3): brotli, else gzip, else
 * the plain bytes; a coding with `q=0` (by name or through `*`) is refused. The client's own order
 * and weights above zero do not decide: brotli is smaller than gzip for every script served here.
 * When even identity is refused the plain bytes go anyway, as the RFC allows.
 */
export function chooseEncoding(header: string | undefined): Encoding {
	if (!header) return 'identity';
	const weights = new Map<string, number>();
	for (const part of header.split(',')) {
		const [coding, ...params] = part.trim().toLowerCase().split(';');
		if (!coding) continue;
		let q = 1;
		for (const p of params) {
			const m = /^\s*q\s*=\s*([0-9.]+)\s*$/.exec(p);
			if (m) q = Number(m[1]);
		}
		weights.set(coding === 'x-gzip' ? 'gzip' : coding, Number.isFinite(q) ? q : 0);
	}
	const accepts = (coding: string) => (weights.get(coding) ?? weights.get('*') ?? 0) > 0;
	if (accepts('br')) return 'br';
	if (accepts('gzip')) return 'gzip';
	return 'identity';
}
