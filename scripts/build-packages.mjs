#!/usr/bin/env node
// Builds the publishable packages (@luwte/errors, @luwte/sdk, @luwte/engine) to JavaScript plus
// `.d.ts`, each into `packages/<name>/dist/`, which is then a complete package of its own: its
// package.json points `exports` at the built files. The workspace itself keeps running from the
// `.ts` sources (the package.json files in git point there), so nothing else changes; only what
// goes into a tarball does. `npm pack` of packages/<name> itself is refused (prepack): it would
// ship `.ts` that Node will not run from node_modules.
//
//   node scripts/build-packages.mjs [names...]           build (default: all three)
//   node scripts/build-packages.mjs --pack DIR [names]   build, then `npm pack` each into DIR
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const all = ['errors', 'sdk', 'engine'];

/** The README shipped in each tarball. */
const readmes = { sdk: 'docs/sdk.md' };

const args = process.argv.slice(2);
const packAt = args.indexOf('--pack');
const packDir = packAt >= 0 ? resolve(args[packAt + 1] ?? '') : undefined;
if (packAt >= 0 && !args[packAt + 1]) fail('--pack needs a folder');
const names = args.filter((a, i) => a !== '--pack' && i !== packAt + 1);
for (const n of names) if (!all.includes(n)) fail(`unknown package ${n} (one of ${all.join(', ')})`);
const chosen = names.length ? all.filter((n) => names.includes(n)) : all;

function fail(message) {
	console.error(`build-packages: ${message}`);
	process.exit(1);
}

function tsc(name) {
	const dir = join(root, 'packages', name);
	rmSync(join(dir, 'dist'), { recursive: true, force: true });
	return new Promise((done) => {
		const child = spawn(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(dir, 'tsconfig.build.json')], {
			stdio: ['ignore', 'inherit', 'inherit'],
		});
		child.on('exit', (code) => done(code ?? 1));
	});
}

function* files(dir) {
	for (const entry of readdirSync(dir)) {
		const path = join(dir, entry);
		if (statSync(path).isDirectory()) yield* files(path);
		else yield path;
	}
}

/** `./src/admin/index.ts` -> `./admin/index` (the path inside dist/, without extension). */
function builtPath(source) {
	if (!source.startsWith('./src/') || !source.endsWith('.ts')) fail(`export ${source} is not a ./src/*.ts file`);
	return `./${source.slice('./src/'.length, -'.ts'.length)}`;
}

function stage(name) {
	const dir = join(root, 'packages', name);
	const dist = join(dir, 'dist');
	// tsc keeps `.ts` in the import paths of declaration files; TypeScript resolves them, but
	// other tools reading the types may not: point them at the `.d.ts` files' `.js` twins.
	for (const file of files(dist)) {
		if (!file.endsWith('.d.ts')) continue;
		const text = readFileSync(file, 'utf8');
		const fixed = text.replace(/((?:from|import)\s*\(?\s*')(\.{1,2}\/[^']+)\.ts'/g, "$1$2.js'");
		if (fixed !== text) writeFileSync(file, fixed);
	}
	const source = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
	const exportsMap = {};
	for (const [key, target] of Object.entries(source.exports)) {
		const path = builtPath(target);
		exportsMap[key] = { types: `${path}.d.ts`, default: `${path}.js` };
	}
	// Tools that read a dependency's manifest (bundlers, license checkers) may import it.
	exportsMap['./package.json'] = './package.json';
	const main = exportsMap['.'];
	const manifest = {
		name: source.name,
		version: source.version,
		description: source.description,
		license: source.license,
		type: 'module',
		...(source.engines ? { engines: source.engines } : {}),
		...(main ? { main: main.default, types: main.types } : {}),
		exports: exportsMap,
		dependencies: source.dependencies ?? {},
	};
	writeFileSync(join(dist, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
	copyFileSync(join(root, 'LICENSE'), join(dist, 'LICENSE'));
	const readme = readmes[name];
	if (readme && existsSync(join(root, readme))) copyFileSync(join(root, readme), join(dist, 'README.md'));
	else writeFileSync(join(dist, 'README.md'), `# ${source.name}\n\n${source.description}\n\nPart of Luwte; see its README and docs/.\n`);
}

const started = Date.now();
// The three compile at once: each is its own program (the SDK's types must not lean on @types/node).
const codes = await Promise.all(chosen.map(tsc));
if (codes.some((c) => c !== 0)) fail('tsc failed (see above)');
for (const name of chosen) stage(name);
console.log(`build-packages: built ${chosen.join(', ')} in ${((Date.now() - started) / 1000).toFixed(1)} s`);

if (packDir) {
	mkdirSync(packDir, { recursive: true });
	for (const name of chosen) {
		const dist = join(root, 'packages', name, 'dist');
		const r = spawnSync('npm', ['pack', dist, '--pack-destination', packDir, '--json', '--ignore-scripts'], {
			cwd: packDir,
			encoding: 'utf8',
		});
		if (r.status !== 0) fail(`npm pack ${name}: ${r.stderr}`);
		const [info] = JSON.parse(r.stdout);
		console.log(`${join(packDir, info.filename)}\t${info.size} B packed, ${info.unpackedSize} B unpacked, ${info.entryCount} files`);
	}
}
