import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { basename, join, relative } from 'node:path';

export const workspaceRoot = join(import.meta.dirname, '..', '..');

export interface RunResult {
	code: number | null;
	stdout: string;
	stderr: string;
}

/** Runs a command to its end or until `timeoutMs` (then SIGKILL), collecting its output. */
export function run(cmd: string, args: string[], opts: { cwd: string; timeoutMs: number; env?: NodeJS.ProcessEnv }): Promise<RunResult> {
	return new Promise((done, fail) => {
		const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
		let stdout = '';
		let stderr = '';
		child.stdout.on('data', (d) => (stdout += d));
		child.stderr.on('data', (d) => (stderr += d));
		const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs);
		child.on('error', fail);
		child.on('exit', (code, signal) => {
			clearTimeout(timer);
			done({
				code: signal ? null : code,
				stdout,
				stderr: signal ? `${stderr}\n(killed: ${signal}, after ${opts.timeoutMs} ms?)` : stderr,
			});
		});
	});
}

interface LockEntry {
	version?: string;
	resolved?: string;
	integrity?: string;
	link?: boolean;
	dependencies?: Record<string, string>;
	optionalDependencies?: Record<string, string>;
	peerDependencies?: Record<string, string>;
	peerDependenciesMeta?: Record<string, { optional?: boolean }>;
	[key: string]: unknown;
}

export interface Tarball {
	/** Path of the .tgz file. */
	file: string;
	/** The manifest inside it (name, version, dependencies). */
	manifest: {
		name: string;
		version: string;
		dependencies?: Record<string, string>;
		license?: string;
		engines?: Record<string, string>;
		exports?: Record<string, { types: string; default: string } | string>;
	};
}

/**
 * Writes package.json and package-lock.json of a new project that depends on `tarballs` (by
 * file path), so that `npm ci --offline` installs it from the npm cache alone: the tests run in
 * a network namespace without the registry, and `npm ci` of the workspace cached the tarballs of
 * every third-party package but not the registry's metadata `npm install` needs to resolve
 * ranges. The lock pins each third-party package to the version the workspace runs, as an
 * integrator's own lockfile would. `fromWorkspace` names more packages to depend on (e.g.
 * `@types/node`), at the versions the workspace has.
 */
export function writeFreshProject(dir: string, tarballs: Tarball[], fromWorkspace: string[] = []): void {
	const lock = JSON.parse(readFileSync(join(workspaceRoot, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockEntry> };
	const ours = new Map(tarballs.map((t) => [t.manifest.name, t]));
	const packages: Record<string, LockEntry> = {};
	const dependencies: Record<string, string> = {};
	for (const t of tarballs) dependencies[t.manifest.name] = `file:${relative(dir, t.file)}`;
	for (const name of fromWorkspace) {
		const version = lock.packages[`node_modules/${name}`]?.version;
		if (!version) throw new Error(`${name} is not in the workspace's package-lock.json`);
		dependencies[name] = version;
	}
	packages[''] = { name: basename(dir), dependencies };

	// npm's lookup: a package's own node_modules first, then each folder above it.
	const find = (from: string, name: string): string | undefined => {
		let at = from;
		for (;;) {
			const candidate = at ? `${at}/node_modules/${name}` : `node_modules/${name}`;
			if (lock.packages[candidate] && !lock.packages[candidate].link) return candidate;
			const cut = at.lastIndexOf('/node_modules/');
			if (cut < 0) return at ? find('', name) : undefined;
			at = at.slice(0, cut);
		}
	};
	const queue: { from: string; deps: Record<string, string>; optional: Set<string> }[] = [];
	for (const t of tarballs) {
		const path = `node_modules/${t.manifest.name}`;
		packages[path] = {
			version: t.manifest.version,
			resolved: `file:${relative(dir, t.file)}`,
			integrity: `sha512-${createHash('sha512').update(readFileSync(t.file)).digest('base64')}`,
			...(t.manifest.license ? { license: t.manifest.license } : {}),
			...(t.manifest.dependencies ? { dependencies: t.manifest.dependencies } : {}),
			...(t.manifest.engines ? { engines: t.manifest.engines } : {}),
		};
		// In the workspace the package lives in packages/<name>: look its dependencies up from there.
		queue.push({
			from: `packages/${t.manifest.name.replace('@luwte/', '')}`,
			deps: t.manifest.dependencies ?? {},
			optional: new Set(),
		});
	}
	queue.push({ from: '', deps: Object.fromEntries(fromWorkspace.map((n) => [n, '*'])), optional: new Set() });
	for (let i = 0; i < queue.length && i < 10_000; i++) {
		const { from, deps, optional } = queue[i] as (typeof queue)[number];
		for (const name of Object.keys(deps)) {
			if (ours.has(name)) continue;
			const path = find(from, name);
			if (!path) {
				if (optional.has(name)) continue;
				throw new Error(`${name} (needed by ${from || 'the project'}) is not in the workspace's package-lock.json`);
			}
			const target = path.startsWith('node_modules/') ? path : `node_modules/${path.slice(path.indexOf('/node_modules/') + 14)}`;
			if (packages[target]) continue;
			const { dev: _dev, devOptional: _devOptional, peer: _peer, ...entry } = lock.packages[path] as LockEntry;
			packages[target] = entry;
			const peers = Object.keys(entry.peerDependencies ?? {}).filter((p) => !entry.peerDependenciesMeta?.[p]?.optional);
			queue.push({
				from: path,
				deps: { ...entry.dependencies, ...entry.optionalDependencies, ...Object.fromEntries(peers.map((p) => [p, '*'])) },
				optional: new Set(Object.keys(entry.optionalDependencies ?? {})),
			});
		}
	}
	writeFileSync(
		join(dir, 'package.json'),
		`${JSON.stringify({ name: basename(dir), private: true, type: 'module', dependencies }, null, 2)}\n`,
	);
	writeFileSync(
		join(dir, 'package-lock.json'),
		`${JSON.stringify({ name: basename(dir), lockfileVersion: 3, requires: true, packages }, null, 2)}\n`,
	);
}
