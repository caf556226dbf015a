#!/usr/bin/env node
// `npm test`: type-check, then run vitest. Media tests must keep their traffic on loopback,
// but libwebrtc skips `lo` when it gathers candidates. So, where we may (root + unshare),
// vitest runs in a private network namespace whose only interface is `lo`: every WebRTC
// candidate is then 127.0.0.1 and nothing leaves the machine. LUWTE_TEST_NO_NETNS=1 opts out.
import { spawnSync } from 'node:child_process';

const args = process.argv.slice(2);
const run = (cmd, argv, opts = {}) => spawnSync(cmd, argv, { stdio: 'inherit', ...opts }).status ?? 1;

if (process.env.LUWTE_SKIP_SYSTEM_DEPS !== '1' && process.platform === 'linux') {
	const deps = run('bash', ['scripts/install-system-deps.sh']);
	if (deps !== 0) {
		console.error('[test] could not install the Debian packages the tests need (see above)');
		process.exit(deps);
	}
}

const tsc = run(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.json']);
if (tsc !== 0) {
	console.error('type check failed');
	process.exit(tsc);
}

const vitest = [process.execPath, 'node_modules/vitest/vitest.mjs', 'run', ...args];
const canNetns =
	process.env.LUWTE_TEST_NO_NETNS !== '1' &&
	process.platform === 'linux' &&
	process.getuid?.() === 0 &&
	spawnSync('unshare', ['-n', 'true']).status === 0;

if (!canNetns) {
	console.error('[test] running without a private network namespace (media may use the machine\'s own interface)');
	process.exit(run(vitest[0], vitest.slice(1)));
}
const quoted = vitest.map((a) => `'${a.replaceAll("'", "'\\''")}'`).join(' ');
const script = `ip link set lo up && (sysctl -qw net.ipv6.conf.all.disable_ipv6=1 || true) && exec ${quoted}`;
process.exit(run('unshare', ['-n', 'bash', '-c', script]));
