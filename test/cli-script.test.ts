import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SessionClient } from '@luwte/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { markedMedia } from './helpers/av-source.ts';
import { startTestHost, testOperatorKey, type TestHost } from './helpers/host.ts';
import { waitFor } from './helpers/wait.ts';
import { webrtc } from './helpers/wrtc-media.ts';

const main = join(import.meta.dirname, '..', 'apps', 'host-cli', 'src', 'main.ts');

/**
 * The scripted session of issue 15, as an integrator would write it: only `luwte` commands (and
 * the shell). The test joins the two clients when the script says its tokens are ready, and the
 * script waits for that (a file the test writes), bounded.
 */
const script = `#!/usr/bin/env bash
set -euo pipefail
work="$1"

# The operator adds the care organisation; the rest runs with its key.
LUWTE_API_KEY="$(luwte tenants create --id zorg-script --name 'Zorg script' --origins '*')"
export LUWTE_API_KEY
luwte tenants list

SESSION="$(luwte sessions create --title 'Muziek luisteren' --module communicatie --kind online)"
echo "session: $SESSION"
luwte tokens create "$SESSION" --role host --participant begeleider-1 > "$work/host.token"
luwte tokens create "$SESSION" --role participant --participant client-1 --profile calm --ttl 900 --json > "$work/client.json"
touch "$work/tokens-ready"

for _ in $(seq 1 1200); do [ -e "$work/joined" ] && break; sleep 0.1; done
[ -e "$work/joined" ] || { echo "the clients never joined" >&2; exit 3; }

luwte participants "$SESSION"
luwte participants "$SESSION" --json > "$work/participants.json"

luwte record start "$SESSION"
sleep 6 # what is recorded
luwte record stop "$SESSION" --wait 2> "$work/progress.txt"
luwte library list --json > "$work/library.json"

luwte sessions end "$SESSION"
luwte sessions show "$SESSION" --json > "$work/ended.json"
luwte attendance export --session "$SESSION"
luwte attendance export --session "$SESSION" --format json > "$work/attendance.json"
luwte sessions list --state ended --limit 10

# What a script sees when something is wrong: 1 from the host (with its code), 2 for a usage error.
set +e
luwte sessions show ses_does-not-exist
echo "exit: $?"
luwte tokens create "$SESSION" --role wizard
echo "exit: $?"
`;

describe('a shell script using only luwte commands', () => {
	let t: TestHost;
	let work: string;
	beforeAll(async () => {
		t = await startTestHost();
		work = mkdtempSync(join(tmpdir(), 'luwte-script-'));
		// `luwte` on the PATH, as an installed one would be: Node running the CLI's sources.
		writeFileSync(join(work, 'luwte'), `#!/bin/sh\nexec "${process.execPath}" "${main}" "$@"\n`);
		chmodSync(join(work, 'luwte'), 0o755);
		writeFileSync(join(work, 'session.sh'), script);
	});
	afterAll(async () => {
		await t?.close();
		if (work) rmSync(work, { recursive: true, force: true });
	});

	/** One `luwte` call through the wrapper on the PATH. */
	function luwte(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; out: string; err: string }> {
		const child = spawn(join(work, 'luwte'), args, {
			stdio: ['ignore', 'pipe', 'pipe'],
			env: { PATH: `${work}:/usr/local/bin:/usr/bin:/bin`, LUWTE_SERVER: t.host.url, ...env },
		});
		let out = '';
		let err = '';
		child.stdout!.on('data', (d) => (out += d));
		child.stderr!.on('data', (d) => (err += d));
		return new Promise((resolve) => child.once('exit', (code) => resolve({ code, out, err })));
	}

	it('creates a session, mints tokens, lists the two joined clients, records, ends it and exports its attendance', async () => {
		const child = spawn('bash', [join(work, 'session.sh'), work], {
			stdio: ['ignore', 'pipe', 'pipe'],
			env: { PATH: `${work}:/usr/local/bin:/usr/bin:/bin`, LUWTE_SERVER: t.host.url, LUWTE_OPERATOR_KEY: testOperatorKey },
		});
		let out = '';
		let err = '';
		child.stdout!.on('data', (d) => (out += d));
		child.stderr!.on('data', (d) => (err += d));
		const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

		const host = new SessionClient({ server: t.host.url, webrtc });
		const client = new SessionClient({ server: t.host.url, webrtc });
		// The host's camera flashes five times a second throughout: the item must be held back.
		const media = markedMedia({ width: 320, height: 180, flash: { hz: 5, fromMs: 0, toMs: 600_000 } });
		try {
			await waitFor(() => existsSync(join(work, 'tokens-ready')) || child.exitCode !== null, 60_000, 'the script minted its tokens');
			expect(child.exitCode, `${out}\n${err}`).toBeNull();
			const hostToken = readFileSync(join(work, 'host.token'), 'utf8').trim();
			const minted = JSON.parse(readFileSync(join(work, 'client.json'), 'utf8')) as Record<string, string>;
			expect(minted).toMatchObject({ participantId: 'client-1', role: 'participant', stimulusProfile: 'calm' });
			expect(Date.parse(minted.expiresAt!) - Date.now()).toBeLessThanOrEqual(900_000);

			expect((await host.connect(hostToken)).participantId).toBe('begeleider-1');
			await host.publish({ camera: media.camera, microphone: media.microphone });
			expect((await client.connect(minted.token!)).participantId).toBe('client-1');
			writeFileSync(join(work, 'joined'), '');

			const code = await exited;
			console.log(`[cli-script] stdout:\n${out}\n[cli-script] stderr:\n${err}`);
			expect(code, err).toBe(0);

			const lines = out.split('\n');
			// The tenant's first key alone on stdout (captured by the script), its ID on stderr.
			expect(err).toMatch(/tenant zorg-script created; its API key \(ID [0-9a-f]+\) is shown once/);
			expect(out).toMatch(/^ID +KEYS +ORIGINS +NAME\n(.*\n)*zorg-script +1 +\* +Zorg script\n/m);
			const sessionId = /^session: (\S+)$/m.exec(out)?.[1];
			expect(sessionId).toMatch(/^s_/);

			// Both clients listed, as a table and as JSON.
			const table = lines.slice(lines.findIndex((l) => l.startsWith('PARTICIPANT')));
			expect(table[0]).toMatch(/^PARTICIPANT +ROLE +JOINED$/);
			expect(
				table
					.slice(1, 3)
					.map((l) => l.split(/ +/).slice(0, 2).join(' '))
					.sort(),
			).toEqual(['begeleider-1 host', 'client-1 participant']);
			const participants = JSON.parse(readFileSync(join(work, 'participants.json'), 'utf8')) as { participantId: string }[];
			expect(participants.map((p) => p.participantId).sort()).toEqual(['begeleider-1', 'client-1']);

			// Start says who is recorded once the recorder runs (the host publishes; the client has no consent).
			expect(out).toMatch(/^recording (\S+) started; recorded now: begeleider-1$/m);
			expect(out).not.toContain('nobody');
			// Stop --wait follows the item; flagged for flashes, it says it is held back, not "done" alone.
			expect(out).toMatch(
				/^recording \S+ is done: library item (li_\S+) is held back for review, flagged: flash warnings in \d+ moments?/m,
			);
			expect(out).toMatch(/luwte library approve li_\S+$/m);
			expect(readFileSync(join(work, 'progress.txt'), 'utf8').trim().split('\n').at(-1)).toBe('100 % done');
			const library = JSON.parse(readFileSync(join(work, 'library.json'), 'utf8')) as { status: string; sessionId: string }[];
			expect(library).toEqual([expect.objectContaining({ status: 'flagged', sessionId })]);

			expect(out).toContain(`${sessionId} is ended (ended)`);
			const ended = JSON.parse(readFileSync(join(work, 'ended.json'), 'utf8')) as { state: string; participants: unknown[] };
			expect(ended).toMatchObject({ state: 'ended', participants: [] });
			expect(out).toMatch(new RegExp(`^${sessionId} +ended +communicatie +online +- +0 +Muziek luisteren$`, 'm'));

			// Attendance of the session: both, from join to the end (the recording alone took 6 s), no reconnects.
			expect(out).toMatch(/^sessionId,participantId,role,joinedAt,leftAt,attendedMinutes,attendedSeconds,reconnects,stays$/m);
			expect(out).toMatch(new RegExp(`^${sessionId},begeleider-1,host,`, 'm'));
			expect(out).toMatch(new RegExp(`^${sessionId},client-1,participant,`, 'm'));
			const attendance = JSON.parse(readFileSync(join(work, 'attendance.json'), 'utf8')) as {
				sessionId: string;
				participants: { participantId: string; leftAt: string | null; attendedSeconds: number; reconnects: number }[];
			};
			expect(attendance.sessionId).toBe(sessionId);
			expect(attendance.participants.map((p) => p.participantId).sort()).toEqual(['begeleider-1', 'client-1']);
			for (const p of attendance.participants) {
				expect(p.leftAt).toBeTruthy();
				expect(p.attendedSeconds).toBeGreaterThanOrEqual(6);
				expect(p.reconnects).toBe(0);
			}

			expect(err).toMatch(/^luwte sessions show: the host answered 404 \(not_found\): /m);
			expect(err).toMatch(/^luwte tokens create: --role must be host, participant, location or viewer, not "wizard"$/m);
			expect(lines.filter((l) => l.startsWith('exit: '))).toEqual(['exit: 1', 'exit: 2']);
		} finally {
			media.stop();
			if (child.exitCode === null) child.kill();
			await client.leave().catch(() => undefined);
			await host.leave().catch(() => undefined);
		}
	}, 240_000);

	it('manages tenants and keys, pages through sessions, and exits 1 or 2 as documented', async () => {
		const operator = { LUWTE_OPERATOR_KEY: testOperatorKey };
		const created = await luwte(['tenants', 'create', '--id', 'zorg-keys', '--name', 'Zorg K', '--json'], operator);
		expect(created.code, created.err).toBe(0);
		const first = JSON.parse(created.out) as { apiKey: string; keyId: string; tenant: { id: string; keyIds: string[] } };
		expect(first.tenant.keyIds).toEqual([first.keyId]);

		const updated = await luwte(['tenants', 'update', 'zorg-keys', '--origins', 'https://zorg.example,https://b.example'], operator);
		expect(updated.code, updated.err).toBe(0);
		expect(updated.out).toMatch(/^zorg-keys: Zorg K\n {2}origins: +https:\/\/zorg\.example, https:\/\/b\.example$/m);
		expect(await luwte(['tenants', 'update', 'zorg-keys'], operator)).toMatchObject({ code: 2 });
		const badId = await luwte(['tenants', 'create', '--id', 'Zorg_K', '--name', 'x'], operator);
		expect(badId.code).toBe(2);
		expect(badId.err).toMatch(/^luwte tenants create: id: lowercase letters, digits and dashes\n/);
		const noKey = await luwte(['tenants', 'list']);
		expect(noKey.code).toBe(2);
		expect(noKey.err).toMatch(/^luwte tenants list: no operator key: set LUWTE_OPERATOR_KEY/);
		// A tenant's key is not the operator key: the host refuses it (1, with its code).
		const wrong = await luwte(['tenants', 'list'], { LUWTE_OPERATOR_KEY: first.apiKey });
		expect(wrong.code).toBe(1);
		expect(wrong.err).toMatch(/^luwte tenants list: the host answered 401 \(unauthorized\)/);

		const added = await luwte(['tenants', 'keys', 'add', 'zorg-keys', '--json'], operator);
		expect(added.code, added.err).toBe(0);
		const second = JSON.parse(added.out) as { apiKey: string; keyId: string };
		const revoked = await luwte(['tenants', 'keys', 'revoke', 'zorg-keys', second.keyId], operator);
		expect(revoked).toMatchObject({ code: 0, out: `key ${second.keyId} of zorg-keys revoked; 1 valid: ${first.keyId}\n` });
		const last = await luwte(['tenants', 'keys', 'revoke', 'zorg-keys', first.keyId], operator);
		expect(last.code).toBe(1);
		expect(last.err).toMatch(/the host answered 409 \(conflict\)/);

		// The tenant rotates its own key: the new one alone on stdout, the old one ends after the grace.
		const asTenant = { LUWTE_API_KEY: first.apiKey };
		const rotated = await luwte(['keys', 'rotate', '--grace', '60'], asTenant);
		expect(rotated.code, rotated.err).toBe(0);
		const newKey = rotated.out.trim();
		const keys = await luwte(['keys', 'list', '--json'], { LUWTE_API_KEY: newKey });
		const listed = JSON.parse(keys.out) as { id: string; expiresAt?: string }[];
		expect(listed).toHaveLength(2);
		expect(listed.find((k) => k.id === first.keyId)?.expiresAt).toBeDefined();
		const gone = await luwte(['keys', 'revoke', first.keyId], { LUWTE_API_KEY: newKey });
		expect(gone.code, gone.err).toBe(0);
		expect((await luwte(['keys', 'list'], asTenant)).code).toBe(1);

		// Sessions: three scheduled ones, listed two per request, filtered, cancelled.
		const env = { LUWTE_API_KEY: newKey };
		const ids: string[] = [];
		for (const [i, start] of ['2030-03-02T09:00+01:00', '2030-03-01T09:00+01:00', '2030-03-03T09:00Z'].entries()) {
			const end = start.replace('T09:', 'T10:');
			const r = await luwte(['sessions', 'create', '--title', `Wandelen ${i}`, '--starts-at', start, '--ends-at', end], env);
			expect(r.code, r.err).toBe(0);
			ids.push(r.out.trim());
		}
		const all = await luwte(['sessions', 'list', '--page-size', '2', '--json'], env);
		expect(all.code, all.err).toBe(0);
		expect((JSON.parse(all.out) as { id: string }[]).map((s) => s.id)).toEqual([ids[1], ids[0], ids[2]]);
		const two = await luwte(['sessions', 'list', '--limit', '2', '--json'], env);
		expect((JSON.parse(two.out) as { id: string }[]).map((s) => s.id)).toEqual([ids[1], ids[0]]);
		const window = await luwte(['sessions', 'list', '--from', '2030-03-01T12:00Z', '--to', '2030-03-03T00:00Z'], env);
		expect(window.out.split('\n').filter((l) => l.startsWith('s_'))).toEqual([
			expect.stringMatching(new RegExp(`^${ids[0]} +scheduled +- +online +2030-03-02T08:00:00.000Z +0 +Wandelen 0$`)),
		]);
		const shown = await luwte(['sessions', 'show', ids[2]!], env);
		expect(shown.out).toMatch(/^ {2}join window: +2030-03-03T08:45:00.000Z to 2030-03-03T10:30:00.000Z$/m);
		expect((await luwte(['participants', ids[2]!], env)).out).toBe(`Nobody is connected to ${ids[2]} (scheduled).\n`);
		expect((await luwte(['sessions', 'cancel', ids[2]!], env)).out).toBe(`${ids[2]} is cancelled\n`);
		const cancelled = await luwte(['sessions', 'list', '--state', 'cancelled', '--json'], env);
		expect((JSON.parse(cancelled.out) as { id: string }[]).map((s) => s.id)).toEqual([ids[2]]);

		// Recording with nobody connected: said plainly, without waiting for writers that cannot come.
		const empty = (await luwte(['sessions', 'create', '--title', 'Leeg', '--module', 'eigen-regie'], env)).out.trim();
		const nobody = await luwte(['record', 'start', empty], env);
		expect(nobody.code, nobody.err).toBe(0);
		expect(nobody.out).toMatch(
			/^recording \S+ started; nobody is recorded yet: hosts are recorded once they publish, others once their consent is registered\n$/,
		);
		expect((await luwte(['record', 'stop', empty], env)).code).toBe(0);

		const local = await luwte(
			['sessions', 'create', '--title', 'x', '--starts-at', '2030-03-01T09:00', '--ends-at', '2030-03-01T10:00'],
			env,
		);
		expect(local.code).toBe(2);
		expect(local.err).toMatch(/^luwte sessions create: --starts-at must be a date and time with its offset/);
		expect((await luwte(['sessions', 'list', '--page-size', '501'], env)).code).toBe(2);
	}, 120_000);
});
