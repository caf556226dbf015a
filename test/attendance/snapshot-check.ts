import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
	AttendanceLog,
	BillingSnapshots,
	bill,
	billDerived,
	billingToCsv,
	billingToJson,
	parseLedgerEvent,
	type Contract,
	type Indication,
	type LedgerEvent,
} from '@luwte/engine/attendance';
import { expect } from 'vitest';

export type Period = readonly [from: string, to: string];

/** The tenant's parsed events in a log, as the host reads them for a bill. */
export async function eventsIn(log: AttendanceLog, tenantId: string): Promise<LedgerEvent[]> {
	const out: LedgerEvent[] = [];
	for await (const raw of log.replay({ tenantId })) {
		const p = parseLedgerEvent(raw);
		if (p.ok && p.event) out.push(p.event);
	}
	return out;
}

/** CSV and JSON of a bill, the bytes a billing request answers. */
const bytes = (r: ReturnType<typeof bill>) => `${billingToCsv(r)}\n---\n${billingToJson(r)}`;

/**
 * Appends `events` to a file log in `batches` parts; after each part bills every period twice
 * through `BillingSnapshots` and checks both bills against `bill()` over the log's events, to the
 * byte. Returns how often the snapshot served (warm) and derived (cold).
 */
export async function checkSnapshotBills(
	events: readonly LedgerEvent[],
	rules: { contracts: readonly Contract[]; indications: readonly Indication[] },
	periods: readonly Period[],
	batches = 3,
): Promise<{ warm: number; cold: number }> {
	const dir = await mkdtemp(join(tmpdir(), 'luwte-snapshot-'));
	const log = await AttendanceLog.open(dir);
	const snapshots = new BillingSnapshots(log);
	try {
		const tenantId = events[0]?.tenantId ?? 'zorg-a';
		const size = Math.ceil(events.length / batches);
		for (let i = 0; i < events.length; i += size) {
			await log.append(events.slice(i, i + size));
			const now = await eventsIn(log, tenantId);
			for (const [from, to] of periods) {
				const expected = bytes(bill({ ...rules, events: now, from, to }));
				for (let again = 0; again < 2; again++) {
					const derived = await snapshots.derivation(tenantId, from, to, () => eventsIn(log, tenantId));
					expect(bytes(billDerived(derived, { ...rules, from, to })), `${from}..${to} after ${i + size} events`).toBe(expected);
				}
			}
		}
		return { ...snapshots.stats };
	} finally {
		snapshots.close();
		await log.close();
		await rm(dir, { recursive: true, force: true });
	}
}
