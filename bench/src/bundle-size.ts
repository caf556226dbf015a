/**
 * What the host's browser scripts weigh and what makes them up: each `/embed/` script built exactly
 * as the host builds it (apps/host-web/src/embed/build.ts), its size plain, gzip 9 and brotli 11
 * (the bytes the host serves), and the bytes each package leaves in the minified output (esbuild's
 * metafile). From the repository root: `node_modules/.bin/node bench/src/bundle-size.ts [--top N] [--json]`
 */
import { buildBundle, type EmbedFileName, embedEntries } from '../../apps/host-web/src/embed/build.ts';
import { compress } from '../../apps/host-web/src/embed/bundles.ts';
import { benchArgs, intArg } from './args.ts';

const args = benchArgs('usage: node bench/src/bundle-size.ts [--top N] [--json]', { top: { type: 'string', default: '12' } });
const top = intArg('top', args.top, 1, 1000);

/** A dependency by its package name; the workspace's own sources by folder (`packages/sdk/src/elements`). */
function owner(input: string): string {
	const path = input.replace(/^[a-z-]+:/, '');
	const dep = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
	if (dep) return dep[1]!;
	const own = /((?:packages|apps)\/[^/]+\/src\/[^/]+)/.exec(path);
	return own ? own[1]!.replace(/\.ts$/, '') : path;
}

const report: { name: EmbedFileName; raw: number; gzip: number; br: number; parts: { owner: string; bytes: number }[] }[] = [];
for (const name of Object.keys(embedEntries) as EmbedFileName[]) {
	const built = await buildBundle(embedEntries[name]);
	const bytes = await compress(Buffer.from(built.code));
	const byOwner = new Map<string, number>();
	for (const output of Object.values(built.metafile.outputs))
		for (const [input, v] of Object.entries(output.inputs))
			byOwner.set(owner(input), (byOwner.get(owner(input)) ?? 0) + v.bytesInOutput);
	const parts = [...byOwner]
		.map(([o, b]) => ({ owner: o, bytes: b }))
		.sort((a, b) => b.bytes - a.bytes)
		.slice(0, top);
	report.push({ name, raw: bytes.identity.length, gzip: bytes.gzip.length, br: bytes.br.length, parts });
}

if (args.json) {
	process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
} else {
	const kb = (n: number) => (n / 1000).toFixed(1);
	for (const r of report) {
		process.stdout.write(`\n### ${r.name}: ${kb(r.raw)} KB raw, ${kb(r.gzip)} KB gzip 9, ${kb(r.br)} KB brotli 11\n\n`);
		process.stdout.write('| package or folder | KB in output (minified) | share |\n| --- | --: | --: |\n');
		for (const p of r.parts) process.stdout.write(`| ${p.owner} | ${kb(p.bytes)} | ${((100 * p.bytes) / r.raw).toFixed(1)} % |\n`);
	}
}
