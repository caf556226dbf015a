import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { walkCommands } from '../apps/host-cli/src/framework/declare.ts';
import { usageOf } from '../apps/host-cli/src/framework/usage.ts';
import { root } from '../apps/host-cli/src/registry.ts';

const bin = join(import.meta.dirname, '..', 'apps', 'host-cli', 'bin', 'luwte.mjs');

function luwte(args: string[]): Promise<{ code: number | null; out: string; err: string }> {
	// No LUWTE_* variables: help and usage errors must not depend on them.
	const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: process.env.PATH } });
	let out = '';
	let err = '';
	child.stdout!.on('data', (d) => (out += d));
	child.stderr!.on('data', (d) => (err += d));
	return new Promise((resolve) => child.once('exit', (code) => resolve({ code, out, err })));
}

// Every command and group the registry holds, root included: a new command is checked without
// touching this file.
const paths = [...walkCommands(root)].map((path) => ({ path, words: path.slice(1).map((n) => n.name), usage: usageOf(path) }));

describe('luwte help and usage errors, for every command in the registry', () => {
	it('walks the whole tree', () => {
		const names = paths.map((p) => p.words.join(' '));
		// The commands issue 11 names, so an empty or partial walk cannot pass unnoticed.
		for (const name of [
			'serve',
			'abr simulate',
			'library list',
			'library approve',
			'record start',
			'record consent',
			'attendance bill',
			'attendance forget',
		]) {
			expect(names).toContain(name);
		}
	});

	it('docs/cli.md shows the usage of every command', async () => {
		const doc = await readFile(join(import.meta.dirname, '..', 'docs', 'cli.md'), 'utf8');
		for (const { path, words } of paths) if (path.at(-1)!.kind === 'command') expect(doc).toContain(`### \`luwte ${words.join(' ')}\``);
	});

	it.each(paths.map((p) => [p.words.join(' ') || '(root)', p] as const))(
		'%s: --help, help and a bad option',
		async (_name, { path, words, usage }) => {
			expect(usage).toMatch(/^Usage: luwte/);
			const asked = await luwte([...words, '--help']);
			expect(asked, asked.err).toEqual({ code: 0, out: usage, err: '' });

			// `luwte record help` for a group, `luwte help record stop` for a command.
			const word = await luwte(path.at(-1)!.kind === 'group' ? [...words, 'help'] : ['help', ...words]);
			expect(word).toEqual({ code: 0, out: usage, err: '' });

			const bad = await luwte([...words, '--no-such-option']);
			expect(bad.code).toBe(2);
			expect(bad.out).toBe('');
			expect(bad.err).toBe(`${['luwte', ...words].join(' ')}: unknown option --no-such-option\n\n${usage}`);
			if (words.length > 0) expect(bad.err).not.toContain(usageOf([root]));
		},
	);

	it('names a bad value, a missing argument and a mistyped command, each with that command’s usage', async () => {
		const port = await luwte(['serve', '--port', 'eighty']);
		expect(port).toMatchObject({ code: 2, out: '' });
		expect(port.err).toBe(
			`luwte serve: --port must be a whole number, got "eighty"\n\n${usageOf([root, root.commands.find((c) => c.name === 'serve')!])}`,
		);

		const missing = await luwte(['record', 'consent', 'ses_1', 'client-4']);
		expect(missing.code).toBe(2);
		expect(missing.err).toMatch(/^luwte record consent: missing yes\|no\n\nUsage: luwte record consent SESSION PARTICIPANT yes\|no/);

		const typo = await luwte(['libary', 'list']);
		expect(typo.code).toBe(2);
		expect(typo.err).toMatch(/^luwte: unknown command "libary" \(did you mean library\?\)\n\nUsage: luwte <command>/);
	});
});
