import { mkdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { EngineError } from '../errors.ts';
import { writeFileAtomic } from '../recording/library/durable-fs.ts';
import { notFound, parseEndpoint, type WebhookEndpoint, type WebhookEndpointPatch } from './endpoints.ts';

/**
 * The durable list of webhook endpoints. Reads are synchronous, from memory: an engine event
 * fans out to its endpoints without waiting for I/O. Writes resolve once durable; a failed
 * write changes nothing.
 */
export interface WebhookEndpointStore {
	/** Every endpoint (of one tenant when given). */
	list(tenantId?: string): WebhookEndpoint[];
	/** One endpoint of the tenant; `not_found` when it has none of that ID. */
	get(tenantId: string, id: string): WebhookEndpoint;
	/** An endpoint by ID, whatever its tenant (the dispatcher's lookup); undefined when gone. */
	find(id: string): WebhookEndpoint | undefined;
	add(endpoint: WebhookEndpoint): Promise<WebhookEndpoint>;
	/** `change` gets the stored endpoint and returns the fields to replace (validated like a new one). */
	update(tenantId: string, id: string, change: (current: WebhookEndpoint) => WebhookEndpointPatch): Promise<WebhookEndpoint>;
	remove(tenantId: string, id: string): Promise<WebhookEndpoint>;
	close(): Promise<void>;
}

/** Endpoints at most per tenant: each costs a delivery per event. */
export const MAX_ENDPOINTS_PER_TENANT = 20;

/**
 * Endpoints in `<dataDir>/webhooks/endpoints.json` (mode 0600: it holds the signing secrets),
 * rewritten atomically and durably on every change (temporary file, fsync, rename, fsync of the
 * folder), like the tenants file. One host per file.
 */
export class FileWebhookEndpointStore implements WebhookEndpointStore {
	readonly path: string;
	#endpoints: WebhookEndpoint[];
	/** Writes one after another, each from the list the previous one left. */
	#writing: Promise<unknown> = Promise.resolve();

	private constructor(path: string, endpoints: WebhookEndpoint[]) {
		this.path = path;
		this.#endpoints = endpoints;
	}

	static async open(dataDir: string): Promise<FileWebhookEndpointStore> {
		const path = join(dataDir, 'webhooks', 'endpoints.json');
		let text: string;
		try {
			text = await readFile(path, 'utf8');
		} catch (err) {
			if ((err as NodeJS.ErrnoException).code === 'ENOENT') return new FileWebhookEndpointStore(path, []);
			throw err;
		}
		let list: unknown;
		try {
			list = JSON.parse(text);
		} catch {
			throw new EngineError('invalid_config', `${path} is not valid JSON`);
		}
		if (!Array.isArray(list)) throw new EngineError('invalid_config', `${path} must hold an array of webhook endpoints`);
		return new FileWebhookEndpointStore(
			path,
			list.map((e) => parseEndpoint(e, 'invalid_config')),
		);
	}

	list(tenantId?: string): WebhookEndpoint[] {
		return this.#endpoints.filter((e) => tenantId === undefined || e.tenantId === tenantId);
	}

	get(tenantId: string, id: string): WebhookEndpoint {
		const e = this.find(id);
		if (!e || e.tenantId !== tenantId) throw notFound(id);
		return e;
	}

	find(id: string): WebhookEndpoint | undefined {
		return this.#endpoints.find((e) => e.id === id);
	}

	add(endpoint: WebhookEndpoint): Promise<WebhookEndpoint> {
		return this.#change(() => {
			const e = parseEndpoint(endpoint);
			if (this.find(e.id)) throw new EngineError('conflict', `webhook endpoint ${e.id} exists`);
			if (this.list(e.tenantId).length >= MAX_ENDPOINTS_PER_TENANT)
				throw new EngineError('quota_exceeded', `a tenant has at most ${MAX_ENDPOINTS_PER_TENANT} webhook endpoints`);
			return { endpoint: e, next: [...this.#endpoints, e] };
		});
	}

	update(tenantId: string, id: string, change: (current: WebhookEndpoint) => WebhookEndpointPatch): Promise<WebhookEndpoint> {
		return this.#change(() => {
			const current = this.get(tenantId, id);
			const e = parseEndpoint({ ...current, ...change(current), updatedAt: Date.now() });
			return { endpoint: e, next: this.#endpoints.map((x) => (x.id === id ? e : x)) };
		});
	}

	remove(tenantId: string, id: string): Promise<WebhookEndpoint> {
		return this.#change(() => {
			const e = this.get(tenantId, id);
			return { endpoint: e, next: this.#endpoints.filter((x) => x.id !== id) };
		});
	}

	async close(): Promise<void> {
		await this.#writing.catch(() => undefined);
	}

	/** Computes the new list, writes it, and only then keeps it. */
	#change(step: () => { endpoint: WebhookEndpoint; next: WebhookEndpoint[] }): Promise<WebhookEndpoint> {
		const run = this.#writing.then(async () => {
			const { endpoint, next } = step();
			try {
				await mkdir(dirname(this.path), { recursive: true, mode: 0o700 });
				await writeFileAtomic(this.path, `${JSON.stringify(next, null, 2)}\n`);
			} catch (err) {
				throw new EngineError('unavailable', `${this.path} could not be written: ${String(err)}`, { cause: err });
			}
			this.#endpoints = next;
			return endpoint;
		});
		this.#writing = run.catch(() => undefined);
		return run;
	}
}
