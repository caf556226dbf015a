import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Engine } from '@luwte/engine';
import type { TenantRegistry } from '@luwte/engine/auth';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Logger } from '../log.ts';
import { originOf, type OriginPolicy } from '../http/origins.ts';
import { SignalConnection, type SignalMetrics } from './connection.ts';

export const SIGNAL_PATH = '/v1/signal';
/** Frames above this are refused by ws itself (close 1009); smaller oversize frames get a typed error. */
const HARD_MAX_PAYLOAD = 1024 * 1024;
/** A client that answers no ping for this long is gone (its attendance interval ends then). */
const HEARTBEAT_MS = 15_000;

/** Close code for a socket that did not join in time (4000–4999 are the application's). */
export const JOIN_DEADLINE_CLOSE = 4408;

export interface SignallingOptions {
	/** A socket that has not joined within this is closed with 4408 `join deadline` (default 15 s). */
	joinDeadlineMs?: number;
	/** Answers the upgrade itself (e.g. 429, too many connections from one address) and returns true to refuse it. */
	refuseUpgrade?: (socket: Duplex) => boolean;
	/** Counts connections, requests per method and refusals (`HostMetrics`). */
	metrics?: SignalMetrics | undefined;
	/**
	 * Resolves once a ledger event is durable (`LedgerWriter.written`): join and leave answer only
	 * after their attendance event is, so a confirmed join is never lost (docs/attendance.md).
	 */
	ledgerWritten?: ((eventId: string) => Promise<void>) | undefined;
}

/** Serves the signalling WebSocket on `/v1/signal` of an existing HTTP server. */
export function attachSignalling(
	server: Server,
	engine: Engine,
	tenants: TenantRegistry,
	origins: OriginPolicy,
	log: Logger,
	opts: SignallingOptions = {},
): { close(): void } {
	const joinDeadlineMs = opts.joinDeadlineMs ?? 15_000;
	const wss = new WebSocketServer({ noServer: true, maxPayload: HARD_MAX_PAYLOAD, perMessageDeflate: false });
	const alive = new WeakMap<WebSocket, boolean>();

	const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
		if (opts.refuseUpgrade?.(socket)) return;
		const url = new URL(req.url ?? '/', 'http://localhost');
		if (url.pathname !== SIGNAL_PATH) {
			socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
			return;
		}
		const origin = originOf(req.headers);
		const hostHeader = req.headers.host;
		// The page's origin is checked at join against the token's tenant, so that the page
		// gets a clear, typed refusal it can show (a refused upgrade only looks like a network error).
		wss.handleUpgrade(req, socket, head, (ws) => {
			const conn = new SignalConnection(
				engine,
				tenants,
				ws,
				log,
				(tenant) => origins.allowedFor(tenant, origin, hostHeader),
				opts.metrics,
				opts.ledgerWritten,
			);
			alive.set(ws, true);
			ws.on('pong', () => alive.set(ws, true));
			ws.on('message', (data, isBinary) => conn.onMessage(data as Buffer, isBinary));
			// A socket that never joins would hold a descriptor for nothing.
			const deadline = setTimeout(() => {
				if (conn.joined) return;
				opts.metrics?.refused.inc({ door: 'signal_join_deadline' });
				ws.close(JOIN_DEADLINE_CLOSE, 'join deadline');
			}, joinDeadlineMs);
			deadline.unref();
			ws.on('close', () => {
				clearTimeout(deadline);
				conn.onClose();
			});
			ws.on('error', () => conn.onClose());
		});
	};
	server.on('upgrade', onUpgrade);

	const heartbeat = setInterval(() => {
		for (const ws of wss.clients) {
			if (!alive.get(ws)) {
				ws.terminate();
				continue;
			}
			alive.set(ws, false);
			ws.ping();
		}
	}, HEARTBEAT_MS);
	heartbeat.unref();

	return {
		close() {
			clearInterval(heartbeat);
			server.off('upgrade', onUpgrade);
			for (const ws of wss.clients) ws.close(1001, 'server shutting down');
			wss.close();
		},
	};
}
