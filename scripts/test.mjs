#!/usr/bin/env node
// `npm test`: type-check, then run vitest. Media tests must keep their traffic on loopback,
// but libwebrtc skips `lo` when it gathers candidates. So, where we may (root + unshare),
// vitest runs in a private network namespace whose only interface is `lo`: every WebRTC
// candidate is then 127.0.0.1 and nothing leaves the machine. LUWTE_TEST_NO_NETNS=1 opts out.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';

const args = process.argv.slice(2);
const run = (cmd, argv, opts = {}) => spawnSync(cmd, argv, { stdio: 'inherit', ...opts }).status ?? 1;

if (process.env.LUWTE_SKIP_SYSTEM_DEPS !== '1' && process.platform === 'linux') {
	const deps = run('bash', ['scripts/install-system-deps.sh']);
	if (deps !== 0) {
		console.error('[test] could not install the Debian packages the tests need (see above)');
		process.exit(deps);
	}
}

// Format and lint first: cheap, and a diff there is a change nobody reviewed in that form.
const biome = run(process.execPath, ['node_modules/@biomejs/biome/bin/biome', 'ci', '.']);
if (biome !== 0) {
	console.error('format or lint check failed: `npm run format` rewrites the files, `npm run lint` lists the findings');
	process.exit(biome);
}

const tsc = run(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.json']);
if (tsc !== 0) {
	console.error('type check failed');
	process.exit(tsc);
}

// The JSON report gives CI one plain closing line with the counts (printed below).
const report = 'test-output/vitest.json';
mkdirSync('test-output', { recursive: true });
rmSync(report, { force: true });
const vitest = [
	process.execPath,
	'node_modules/vitest/vitest.mjs',
	'run',
	'--reporter=default',
	'--reporter=json',
	`--outputFile.json=${report}`,
	...args,
];
const canNetns =
	process.env.LUWTE_TEST_NO_NETNS !== '1' &&
	process.platform === 'linux' &&
	process.getuid?.() === 0 &&
	spawnSync('unshare', ['-n', 'true']).status === 0;

let status;
if (canNetns) {
	const quoted = vitest.map((a) => `'${a.replaceAll("'", "'\\''")}'`).join(' ');
	const script = `ip link set lo up && (sysctl -qw net.ipv6.conf.all.disable_ipv6=1 || true) && exec ${quoted}`;
	status = run('unshare', ['-n', 'bash', '-c', script]);
} else {
	console.error("[test] running without a private network namespace (media may use the machine's own interface)");
	status = run(vitest[0], vitest.slice(1));
}

if (existsSync(report)) {
	const r = JSON.parse(readFileSync(report, 'utf8'));
	const skipped = (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
	console.log(`\nvitest: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${skipped} skipped`);
	if (status === 0 && r.numTotalTests === 0) status = 1;
}
process.exit(status);
