import { mkdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { EngineError } from '../errors.ts';
import { writeFileAtomic } from '../recording/library/durable-fs.ts';
import type { TenantStore } from './tenant-store.ts';
import { parseTenant, patchTenant, type Tenant, type TenantPatch } from './tenants.ts';

/**
 * Tenants in `<dataDir>/tenants.json`: a JSON array of tenants, mode 0600 (it holds the token
 * secrets). Each change rewrites the file atomically and durably (temporary file, fsync, rename,
 * fsync of the folder), so a crash leaves the old list or the new one. One host per file: only
 * its own changes are reported.
 */
export class FileTenantStore implements TenantStore {
	readonly path: string;
	/** Whether the file existed at open (an empty list then still means: tenants are configured). */
	readonly existed: boolean;
	#tenants: Tenant[];
	/** Writes one after another, so each rewrite starts from the list the previous one left. */
	#writing: Promise<unknown> = Promise.resolve();
	readonly #listeners = new Set<(tenant: Tenant) => void>();

	private constructor(path: string, existed: boolean, tenants: Tenant[]) {
		this.path = path;
		this.existed = existed;
		this.#tenants = tenants;
	}

	/** Reads the file when there is one; `invalid_config` when it is not a valid list of tenants. */
	static async open(dataDir: string): Promise<FileTenantStore> {
		const path = join(dataDir, 'tenants.json');
		let text: string;
		try {
			text = await readFile(path, 'utf8');
		} catch (err) {
			if ((err as NodeJS.ErrnoException).code === 'ENOENT') return new FileTenantStore(path, false, []);
			throw err;
		}
		let list: unknown;
		try {
			list = JSON.parse(text);
		} catch {
			throw new EngineError('invalid_config', `${path} is not valid JSON`);
		}
		if (!Array.isArray(list)) throw new EngineError('invalid_config', `${path} must hold an array of tenants`);
		const tenants = list.map((t) => parseTenant(t, 'invalid_config'));
		const ids = new Set<string>();
		for (const t of tenants) {
			if (ids.has(t.id)) throw new EngineError('invalid_config', `${path} lists tenant ${t.id} twice`);
			ids.add(t.id);
		}
		return new FileTenantStore(path, true, tenants);
	}

	async list(): Promise<Tenant[]> {
		return [...this.#tenants];
	}

	add(input: unknown): Promise<Tenant> {
		return this.#change(() => {
			const tenant = parseTenant(input, 'invalid_argument');
			if (this.#tenants.some((t) => t.id === tenant.id)) throw new EngineError('conflict', `tenant ${tenant.id} exists`);
			return { tenant, next: [...this.#tenants, tenant] };
		});
	}

	update(id: string, change: (current: Tenant) => TenantPatch): Promise<Tenant> {
		return this.#change(() => {
			const current = this.#tenants.find((t) => t.id === id);
			if (!current) throw new EngineError('not_found', `tenant ${id} not found`);
			const tenant = patchTenant(current, change(current));
			return { tenant, next: this.#tenants.map((t) => (t.id === id ? tenant : t)) };
		});
	}

	watch(listener: (tenant: Tenant) => void): () => void {
		this.#listeners.add(listener);
		return () => this.#listeners.delete(listener);
	}

	async close(): Promise<void> {
		await this.#writing.catch(() => undefined);
	}

	/** Computes the new list, writes it, and only then keeps it: a failed write changes nothing. */
	#change(step: () => { tenant: Tenant; next: Tenant[] }): Promise<Tenant> {
		const run = this.#writing.then(async () => {
			const { tenant, next } = step();
			try {
				await mkdir(dirname(this.path), { recursive: true });
				await writeFileAtomic(this.path, `${JSON.stringify(next, null, 2)}\n`);
			} catch (err) {
				throw new EngineError('unavailable', `${this.path} could not be written: ${String(err)}`, { cause: err });
			}
			this.#tenants = next;
			for (const l of this.#listeners) {
				try {
					l(tenant);
				} catch {
					// Durable now: a listener that throws must not turn that into a failure.
				}
			}
			return tenant;
		});
		this.#writing = run.catch(() => undefined);
		return run;
	}
}
