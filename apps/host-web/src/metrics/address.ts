import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { METRICS_PATH } from './route.ts';
import type { HostMetrics } from './index.ts';

/** `host:port`, an IPv6 host in brackets: `127.0.0.1:9464`, `[fd00::5]:9464`. */
export const metricsAddressPattern = /^(\[[0-9a-fA-F:.]+\]|[^\s:[\]]+):(\d{1,5})$/;

/**
 * A second listener that serves only `/metrics`, without a key: for an admin network or
 * loopback that only Prometheus reaches (the public port keeps asking for the operator key).
 * It does nothing else, so nothing else is exposed there.
 */
export async function listenMetrics(metrics: HostMetrics, address: string): Promise<{ url: string; close(): Promise<void> }> {
	const m = metricsAddressPattern.exec(address);
	if (!m) throw new Error(`metrics address "${address}" is not host:port`);
	const hostname = m[1]!.replace(/^\[|\]$/g, '');
	const server: Server = createServer((req, res) => {
		const path = new URL(req.url ?? '/', 'http://localhost').pathname;
		if (req.method !== 'GET' || path !== METRICS_PATH) {
			res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('only GET /metrics is served here\n');
			return;
		}
		metrics.scrape().then(
			({ body, contentType }) => res.writeHead(200, { 'content-type': contentType, 'cache-control': 'no-store' }).end(body),
			() => res.writeHead(500).end(),
		);
	});
	// Scrapers are few and quick: short timeouts keep a stuck one from holding descriptors.
	server.headersTimeout = 10_000;
	server.requestTimeout = 30_000;
	server.setTimeout(60_000);
	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(Number(m[2]), hostname, () => resolve());
	});
	const port = (server.address() as AddressInfo).port;
	return {
		url: `http://${hostname.includes(':') ? `[${hostname}]` : hostname}:${port}${METRICS_PATH}`,
		close: () =>
			new Promise<void>((resolve) => {
				server.close(() => resolve());
				server.closeAllConnections();
			}),
	};
}
