/**
 * A Luwte host for the HTTP bench, in its own process (the bench pins it): one tenant, one session,
 * and on stdout one JSON line with the URL, the key, the session and the embed script's path.
 * `--limits off` lifts the hardening limits (API rate and burst, the tenant's quotas) so the bench
 * measures the routes' own cost; `on` keeps the defaults a host ships with.
 *
 *   node bench/src/http/luwte-server.ts --limits on|off
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashApiKey, newApiKey, newTokenSecret, TenantRegistry } from '@luwte/engine/auth';
import { startHost } from '@luwte/host-web';
import { freePortRange } from '../../../test/helpers/ports.ts';
import { benchArgs } from '../args.ts';

const args = benchArgs('usage: node bench/src/http/luwte-server.ts --limits on|off', { limits: { type: 'string', default: 'on' } });
if (args.limits !== 'on' && args.limits !== 'off') {
	process.stderr.write('--limits must be on or off\n');
	process.exit(2);
}
const off = args.limits === 'off';
// The bench holds our stdin: when it is gone (finished, killed), so are we, even while starting.
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
const apiKey = newApiKey();
const dataDir = mkdtempSync(join(tmpdir(), 'luwte-http-bench-'));
const tenants = new TenantRegistry([
	{
		id: 'bench',
		name: 'bench',
		apiKeyHashes: [hashApiKey(apiKey)],
		tokenSecret: newTokenSecret(),
		allowedOrigins: [],
		...(off ? { quotas: { sessionsPerDay: 100_000, liveSessions: 100_000, tokensPerMinute: 1_000_000 } } : {}),
	},
]);
const host = await startHost({
	port: 0,
	hostname: '127.0.0.1',
	dataDir,
	tenants,
	logLevel: 'error',
	// Its own media port: the bench runs two of these hosts side by side.
	engine: { workerCount: 1, webRtc: { portRange: await freePortRange(1) } },
	limits: off ? { apiRatePerSecond: 1_000_000, apiBurst: 10_000_000, maxConnectionsPerIp: 1_000_000 } : {},
});
const created = await fetch(`${host.url}/v1/sessions`, {
	method: 'POST',
	headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
	body: JSON.stringify({ title: 'HTTP bench', kind: 'online', module: 'communicatie' }),
});
if (created.status !== 201) throw new Error(`create session: ${created.status} ${await created.text()}`);
const session = ((await created.json()) as { id: string }).id;
const manifest = (await (await fetch(`${host.url}/embed/manifest.json`)).json()) as Record<string, unknown>;
process.stdout.write(`${JSON.stringify({ url: host.url, apiKey, session, manifest })}\n`);
const stop = async () => {
	await host.close();
	rmSync(dataDir, { recursive: true, force: true });
	process.exit(0);
};
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
