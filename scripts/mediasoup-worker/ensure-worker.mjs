#!/usr/bin/env node
// Makes sure mediasoup has a working C++ worker after `npm install`.
//
// mediasoup's own postinstall is switched off in the root package.json
// (`allowScripts`), because offline it fails and npm then removes the package.
// This script decides instead:
//   1. a worker that already runs (MEDIASOUP_WORKER_BIN or the default path) is kept;
//   2. with internet, mediasoup's normal postinstall runs (prebuilt download,
//      else mediasoup's own source build);
//   3. without it, build-offline.sh builds the worker from the installed
//      sources against Debian packages (cached outside the clone).
// LUWTE_WORKER_OFFLINE=1 skips the internet probe; LUWTE_SKIP_WORKER=1 skips everything.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const log = (msg) => process.stderr.write(`[luwte worker] ${msg}\n`);

if (process.env.LUWTE_SKIP_WORKER === '1') {
	log('LUWTE_SKIP_WORKER=1: not checking the mediasoup worker');
	process.exit(0);
}

/** mediasoup's package folder (its "exports" hide package.json, so walk up from its entry point). */
function findMediasoup() {
	let dir;
	try {
		dir = dirname(createRequire(join(here, '..', '..', 'package.json')).resolve('mediasoup'));
	} catch {
		return undefined;
	}
	for (; dir !== dirname(dir); dir = dirname(dir)) {
		const pkg = join(dir, 'package.json');
		if (existsSync(pkg) && JSON.parse(readFileSync(pkg, 'utf8')).name === 'mediasoup') return dir;
	}
	return undefined;
}

const msDir = findMediasoup();
if (!msDir) {
	log('mediasoup is not installed (yet); nothing to do');
	process.exit(0);
}
const msVersion = JSON.parse(readFileSync(join(msDir, 'package.json'), 'utf8')).version;
const defaultBin = join(msDir, 'worker', 'out', 'Release', 'mediasoup-worker');

/** mediasoup-worker exits with 41 when started without MEDIASOUP_VERSION: proof that it loads and runs here. */
function workerRuns(bin) {
	if (!bin || !existsSync(bin)) return false;
	const r = spawnSync(bin, [], { env: {}, stdio: 'ignore', timeout: 10_000 });
	return r.status === 41;
}

async function internetReachable(url) {
	try {
		const res = await fetch(url, { method: 'HEAD', redirect: 'manual', signal: AbortSignal.timeout(8000) });
		return res.status > 0;
	} catch {
		return false;
	}
}

if (process.env.MEDIASOUP_WORKER_BIN && workerRuns(process.env.MEDIASOUP_WORKER_BIN)) {
	log(`using MEDIASOUP_WORKER_BIN=${process.env.MEDIASOUP_WORKER_BIN}`);
	process.exit(0);
}
if (workerRuns(defaultBin)) {
	log(`mediasoup ${msVersion} worker present: ${defaultBin}`);
	process.exit(0);
}

const releaseUrl = `https://github.com/versatica/mediasoup/releases/tag/${msVersion}`;
if (process.env.LUWTE_WORKER_OFFLINE !== '1' && (await internetReachable(releaseUrl))) {
	log("internet reachable: running mediasoup's own postinstall (prebuilt worker download)");
	const env = { ...process.env };
	delete env.MEDIASOUP_WORKER_BIN;
	const r = spawnSync(process.execPath, ['npm-scripts.mjs', 'postinstall'], { cwd: msDir, env, stdio: 'inherit' });
	if (r.status === 0 && workerRuns(defaultBin)) process.exit(0);
	log("mediasoup's own postinstall did not produce a worker; trying the offline build");
} else {
	log('no internet (or LUWTE_WORKER_OFFLINE=1): building the worker offline from Debian packages');
}

if (process.platform !== 'linux') {
	log('the offline worker build supports Debian/Ubuntu Linux only; set MEDIASOUP_WORKER_BIN to a worker binary');
	process.exit(1);
}
const r = spawnSync('bash', [join(here, 'build-offline.sh'), msDir], { stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' });
const built = (r.stdout ?? '').trim().split('\n').pop();
if (r.status !== 0 || !workerRuns(defaultBin)) {
	log(`offline worker build failed (exit ${r.status}); see the messages above and docs/mediasoup-worker.md`);
	process.exit(1);
}
log(`offline worker ready: ${built} (installed at ${defaultBin})`);
