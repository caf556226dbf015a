import type { types } from 'mediasoup';
import { routerMediaCodecs } from '../media/codecs.ts';
import { addLoad, type WorkerSlot } from '../media/worker-pool.ts';

/** A router of a session on a worker other than its origin's, fed by pipes from the origin router. */
interface Edge {
	readonly slot: WorkerSlot;
	readonly router: Promise<types.Router>;
	/** The router once made. */
	made: types.Router | undefined;
	/** Receive transports on it, counting those being created: at 0 the router (and its pipes) close. */
	users: number;
	/** One pipe per origin producer; the pipe producer keeps the producer's ID, so consumers use that ID. */
	readonly pipes: Map<string, Promise<void>>;
}

/** Where a session's media runs: one entry per router (diagnostics, tests). */
export interface RouterPlacement {
	workerIndex: number;
	routerId: string;
	/** The origin router holds the producers; the others consume them through pipes. */
	origin: boolean;
	/** Participants whose receive transport is on this router. */
	receivers: string[];
	/** Producers piped into this router (0 on the origin). */
	pipes: number;
}

/**
 * A session's routers on other workers of this host. Producers stay on the origin router; a
 * receive transport placed here consumes them through `pipeToRouter`, which mediasoup runs over a
 * pair of PipeTransports on loopback and which carries pause/resume, close, key frame requests
 * and every simulcast layer (so consumers here switch layers like those on the origin). Each
 * producer is piped once per router; a pipe closes with its producer, and an edge router with
 * its last receive transport (taking its pipes along).
 */
export class EdgeRouters {
	readonly #sessionId: string;
	readonly #edges = new Map<WorkerSlot, Edge>();
	/** Which edge each placed transport is on, and whose it is (by transport ID). */
	readonly #placed = new Map<string, { edge: Edge; participantId: string }>();

	constructor(sessionId: string) {
		this.#sessionId = sessionId;
	}

	/** Creates a transport on this session's router on `slot` (made at first need). */
	async place<T extends types.WebRtcTransport>(
		slot: WorkerSlot,
		participantId: string,
		create: (router: types.Router) => Promise<T>,
	): Promise<T> {
		const edge = this.#edgeOn(slot);
		edge.users++;
		try {
			const transport = await create(await edge.router);
			this.#placed.set(transport.id, { edge, participantId });
			transport.observer.once('close', () => {
				this.#placed.delete(transport.id);
				this.#release(edge);
			});
			return transport;
		} catch (err) {
			this.#release(edge);
			throw err;
		}
	}

	/**
	 * The router a consumer of `producer` on `transport` is made on: the origin, or the transport's
	 * edge router once the producer is piped there (once per producer and router, however many ask).
	 */
	async routerFor(transport: { id: string }, origin: types.Router, producer: types.Producer): Promise<types.Router> {
		const edge = this.#placed.get(transport.id)?.edge;
		if (!edge) return origin;
		const router = await edge.router;
		let pipe = edge.pipes.get(producer.id);
		if (!pipe) {
			const forget = () => {
				if (edge.pipes.get(producer.id) === pipe) edge.pipes.delete(producer.id);
			};
			pipe = origin.pipeToRouter({ producerId: producer.id, router }).then(({ pipeProducer }) => {
				if (pipeProducer) pipeProducer.observer.once('close', forget);
			});
			pipe.catch(forget);
			edge.pipes.set(producer.id, pipe);
		}
		await pipe;
		return router;
	}

	/** Where the placed transports are, by worker (the origin's own are not here). */
	placement(): RouterPlacement[] {
		const out: RouterPlacement[] = [];
		for (const edge of this.#edges.values()) {
			if (!edge.made) continue;
			const receivers = [...this.#placed.values()].filter((p) => p.edge === edge).map((p) => p.participantId);
			out.push({ workerIndex: edge.slot.index, routerId: edge.made.id, origin: false, receivers, pipes: edge.pipes.size });
		}
		return out;
	}

	/** Forgets the edge on a worker that died (its router and transports died with it). */
	lost(dead: WorkerSlot): void {
		this.#edges.delete(dead);
	}

	close(): void {
		for (const edge of this.#edges.values()) void edge.router.then((r) => r.close()).catch(() => undefined);
		this.#edges.clear();
		this.#placed.clear();
	}

	#edgeOn(slot: WorkerSlot): Edge {
		const existing = this.#edges.get(slot);
		if (existing) return existing;
		const router = slot.worker.createRouter({ mediaCodecs: routerMediaCodecs, appData: { sessionId: this.#sessionId, edge: true } });
		const edge: Edge = { slot, router, made: undefined, users: 0, pipes: new Map() };
		this.#edges.set(slot, edge);
		void router.then(
			(r) => {
				edge.made = r;
				countRouter(slot, r);
			},
			() => {
				if (this.#edges.get(slot) === edge) this.#edges.delete(slot);
			},
		);
		return edge;
	}

	#release(edge: Edge): void {
		edge.users--;
		if (edge.users > 0) return;
		if (this.#edges.get(edge.slot) === edge) this.#edges.delete(edge.slot);
		void edge.router.then((r) => r.close()).catch(() => undefined);
	}
}

/**
 * Counts a router in its worker's load, and the pipe transports on it (a pipe costs its worker
 * like a receiver: every packet crosses it once more).
 */
export function countRouter(slot: WorkerSlot, router: types.Router): void {
	addLoad(slot, router);
	router.observer.on('newtransport', (t) => {
		if (t.type === 'pipe') addLoad(slot, t);
	});
}
