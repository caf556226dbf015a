import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AttendanceLog, LedgerOutbox, type AttendanceEvent, type AttendanceEventInput, type LedgerStore } from '@luwte/engine/attendance';
import { afterAll, describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/wait.ts';

// The outbox in front of a remote ledger, with a remote that fails the way Redis does while it
// restarts (LOADING, refused connections): every acknowledged event arrives exactly once, also
// after a restart of the host, and the outbox stays bounded.

const dirs: string[] = [];
afterAll(() => {
	for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function tmp(): string {
	const d = mkdtempSync(join(tmpdir(), 'luwte-outbox-'));
	dirs.push(d);
	return d;
}

/** A file ledger that refuses appends while `down` is set, or for its first `failures` calls. */
function flaky(inner: LedgerStore, opts: { failures?: number; down?: boolean } = {}) {
	const state = { failures: opts.failures ?? 0, down: opts.down ?? false, calls: 0 };
	const store: LedgerStore = {
		append: ((input: AttendanceEventInput | AttendanceEventInput[]) => {
			state.calls++;
			if (state.down || state.failures-- > 0) return Promise.reject(new Error('LOADING Redis is loading the dataset in memory'));
			return inner.append(input as AttendanceEventInput[]);
		}) as LedgerStore['append'],
		replay: (f) => inner.replay(f),
		forget: (t, p) => inner.forget(t, p),
		purgeBefore: (b) => inner.purgeBefore(b),
		close: () => inner.close(),
	};
	return { store, state };
}

function joined(i: number): AttendanceEventInput {
	return {
		id: `c${i}.joined`,
		at: 1_700_000_000_000 + i,
		tenantId: 'zorg-a',
		type: 'participant.joined',
		sessionId: 's_1',
		participantId: `client-${i}`,
		role: 'participant',
		connectionId: `c${i}`,
		module: null,
	};
}

async function ids(store: LedgerStore): Promise<string[]> {
	const out: string[] = [];
	for await (const e of store.replay() as AsyncIterable<AttendanceEvent>) out.push(e.id);
	return out;
}

const fast = { retryMinMs: 5, retryMaxMs: 50 };

describe('the ledger outbox', () => {
	it('retries through LOADING errors until every event is in the remote ledger once', async () => {
		const dir = tmp();
		const remote = flaky(await AttendanceLog.open(dir), { failures: 7 });
		const outbox = await LedgerOutbox.open({ path: join(dir, 'outbox.jsonl'), remote: remote.store, ...fast });
		await Promise.all(Array.from({ length: 100 }, (_, i) => outbox.append(joined(i))));
		// The same fact again (a writer's retry) is one event.
		await outbox.append(joined(3));
		await waitFor(() => outbox.depth === 0, 30_000, 'the outbox to drain');
		const stored = await ids(remote.store);
		expect(stored.length).toBe(100);
		expect(new Set(stored).size).toBe(100);
		expect(outbox.stats).toMatchObject({ depth: 0, sent: 100, failedAttempts: 7, refused: 0 });
		await outbox.close();
		// A clean stop with everything sent leaves an empty journal.
		expect(readFileSync(join(dir, 'outbox.jsonl'), 'utf8')).toBe('');
	});

	it('keeps events across a restart while the remote is down, and sends them after', async () => {
		const dir = tmp();
		const file = await AttendanceLog.open(dir);
		const down = flaky(file, { down: true });
		const first = await LedgerOutbox.open({ path: join(dir, 'outbox.jsonl'), remote: down.store, ...fast, closeDrainMs: 100 });
		for (let i = 0; i < 50; i++) await first.append(joined(i));
		await waitFor(() => first.stats.failedAttempts >= 2, 30_000, 'failed attempts');
		expect(first.depth).toBe(50);
		await first.close();
		expect(readFileSync(join(dir, 'outbox.jsonl'), 'utf8').trim().split('\n').length).toBe(50);

		const second = await LedgerOutbox.open({ path: join(dir, 'outbox.jsonl'), remote: await AttendanceLog.open(dir), ...fast });
		await waitFor(() => second.depth === 0, 30_000, 'the outbox to drain after the restart');
		const stored = await ids(second);
		expect(stored.sort()).toEqual(Array.from({ length: 50 }, (_, i) => `c${i}.joined`).sort());
		await second.close();
	});

	it('refuses events beyond its bound with unavailable and counts them', async () => {
		const dir = tmp();
		const remote = flaky(await AttendanceLog.open(dir), { down: true });
		const outbox = await LedgerOutbox.open({
			path: join(dir, 'outbox.jsonl'),
			remote: remote.store,
			...fast,
			maxEvents: 10,
			closeDrainMs: 0,
		});
		for (let i = 0; i < 10; i++) await outbox.append(joined(i));
		await expect(outbox.append(joined(10))).rejects.toMatchObject({ code: 'unavailable' });
		expect(outbox.stats).toMatchObject({ depth: 10, refused: 1 });
		// Forgetting a client waits for the remote ledger; with Redis down it says so instead of hanging.
		const forget = await LedgerOutbox.open({
			path: join(tmp(), 'outbox.jsonl'),
			remote: remote.store,
			...fast,
			attemptTimeoutMs: 200,
			closeDrainMs: 0,
		});
		await forget.append(joined(1));
		await expect(forget.forget('zorg-a', 'client-1')).rejects.toMatchObject({ code: 'unavailable' });
		await forget.close();
		await outbox.close();
	});

	it('waits for an unanswered attempt instead of piling copies behind it (a Redis that hangs)', async () => {
		const dir = tmp();
		const file = await AttendanceLog.open(dir);
		let release: () => void = () => undefined;
		const hung = new Promise<void>((r) => {
			release = r;
		});
		let calls = 0;
		const remote: LedgerStore = {
			append: (async (input: AttendanceEventInput[]) => {
				calls++;
				if (calls === 1) await hung;
				return file.append(input);
			}) as LedgerStore['append'],
			replay: (f) => file.replay(f),
			forget: (t, p) => file.forget(t, p),
			purgeBefore: (b) => file.purgeBefore(b),
			close: () => file.close(),
		};
		const outbox = await LedgerOutbox.open({ path: join(dir, 'outbox.jsonl'), remote, ...fast, attemptTimeoutMs: 100 });
		await outbox.append(joined(1));
		await waitFor(() => outbox.stats.failedAttempts >= 3, 30_000, 'attempts timing out');
		expect(calls).toBe(1);
		release();
		await waitFor(() => outbox.depth === 0, 30_000, 'the outbox to drain once the remote answers');
		expect(await ids(file)).toEqual(['c1.joined']);
		await outbox.close();
	});

	it('compacts acknowledged lines while events still wait', async () => {
		const dir = tmp();
		const remote = flaky(await AttendanceLog.open(dir));
		const outbox = await LedgerOutbox.open({
			path: join(dir, 'outbox.jsonl'),
			remote: remote.store,
			...fast,
			compactAfter: 20,
			batch: 5,
		});
		for (let i = 0; i < 60; i++) await outbox.append(joined(i));
		await waitFor(() => outbox.depth === 0, 30_000, 'the outbox to drain');
		// Never more than the bound of acknowledged lines plus what waits.
		expect(outbox.stats.journalLines).toBeLessThan(60);
		expect((await ids(remote.store)).length).toBe(60);
		await outbox.close();
	});
});
