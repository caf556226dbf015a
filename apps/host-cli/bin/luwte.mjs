#!/usr/bin/env node
// Entry point of the `luwte` command. The sources are TypeScript run by Node's own type
// stripping, which needs Node >= 22.18 (the project targets Node 24 LTS).
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 18)) {
	process.stderr.write(`luwte needs Node.js 24 LTS (found ${process.version}); run it through "npm exec luwte" or install Node 24.\n`);
	process.exit(1);
}
await import('../src/main.ts');
