import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '@luwte/engine/library';
import { contractsFileSchema, indicationsFileSchema, type ContractsFile, type IndicationsFile } from '@luwte/engine/attendance';
import { parseOrThrow } from './zod-error.ts';

/**
 * A tenant's contracts and client indications, as the billing department keeps them: one JSON
 * file each under `<dataDir>/billing/<tenant>/`, checked with the engine's schemas and replaced
 * whole (temporary file, fsync, rename, fsync of the folder), so a crash never leaves half a file.
 */
export class BillingConfig {
	readonly #dir: string;

	constructor(dataDir: string) {
		this.#dir = join(dataDir, 'billing');
	}

	async contracts(tenantId: string): Promise<ContractsFile> {
		return (await this.#read(tenantId, 'contracts.json', contractsFileSchema)) ?? { version: 1, contracts: [] };
	}

	async indications(tenantId: string): Promise<IndicationsFile> {
		return (await this.#read(tenantId, 'indications.json', indicationsFileSchema)) ?? { version: 1, indications: [] };
	}

	/** Checks (invalid_params naming the field) and stores; returns what was stored. */
	async setContracts(tenantId: string, input: unknown): Promise<ContractsFile> {
		const file = parseOrThrow(contractsFileSchema, input, 'contracts');
		await this.#write(tenantId, 'contracts.json', file);
		return file;
	}

	async setIndications(tenantId: string, input: unknown): Promise<IndicationsFile> {
		const file = parseOrThrow(indicationsFileSchema, input, 'indications');
		await this.#write(tenantId, 'indications.json', file);
		return file;
	}

	async #read<T>(tenantId: string, name: string, schema: { parse(v: unknown): T }): Promise<T | undefined> {
		try {
			return schema.parse(JSON.parse(await readFile(join(this.#dir, tenantId, name), 'utf8')));
		} catch (err) {
			if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
			throw err;
		}
	}

	async #write(tenantId: string, name: string, value: unknown): Promise<void> {
		const dir = join(this.#dir, tenantId);
		await mkdir(dir, { recursive: true });
		// Temporary file, fsync, rename, fsync of the folder: after a crash or power cut the old file or the new one.
		await writeFileAtomic(join(dir, name), `${JSON.stringify(value, null, 1)}\n`);
	}
}
