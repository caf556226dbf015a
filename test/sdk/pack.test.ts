import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHost, type TestHost } from '../helpers/host.ts';
import { run, type Tarball, workspaceRoot, writeFreshProject } from './fresh-project.ts';

// What an integrator does: `npm pack`ed packages installed into a new project outside the
// workspace, then used from plain JavaScript on the Node versions at hand and type-checked as
// TypeScript. The install is offline (the tests have no registry): see writeFreshProject.

const node24 = join(workspaceRoot, 'node_modules/.bin/node');
/** Node 20 where the machine has it (Debian's /usr/bin/node here); Node 22 only when named. */
const otherNodes = [
	{ label: 'Node 20', bin: process.env.LUWTE_TEST_NODE20 ?? '/usr/bin/node', major: 20 },
	{ label: 'Node 22', bin: process.env.LUWTE_TEST_NODE22 ?? '', major: 22 },
];
const workerBin = join(workspaceRoot, 'node_modules/mediasoup/worker/out/Release/mediasoup-worker');

const sdkScript = `
import { AdminClient, AdminApiError } from '@luwte/sdk/admin';
import { SessionClient } from '@luwte/sdk/client';
import { roleSchema } from '@luwte/sdk/protocol';
import * as sdk from '@luwte/sdk';
import { LuwteError } from '@luwte/errors';

const server = process.env.LUWTE_SERVER;
const admin = new AdminClient({ server, apiKey: process.env.LUWTE_API_KEY });
const session = await admin.createSession({ title: 'Pakket' });
const minted = await admin.createToken(session.id, { role: 'participant', participantId: 'pack-p1' });
const again = await admin.getSession(session.id);
let missing;
try {
	await admin.getSession('no-such-session');
} catch (err) {
	missing = { status: err.status, code: err.code, typed: err instanceof AdminApiError && err instanceof LuwteError };
}
const client = new SessionClient({ server });
console.log(JSON.stringify({
	node: process.version,
	sessionId: session.id,
	sameSession: again.id === session.id,
	token: { parts: minted.token.split('.').length, participantId: minted.participantId, role: minted.role },
	missing,
	clientState: client.state,
	rootExportsAdminClient: sdk.AdminClient === AdminClient,
	protocolRoles: roleSchema.options,
}));
`;

// docs/sdk.md's Node example, from the tarball: two clients with @roamhq/wrtc, a host publishing
// a synthetic camera and a participant receiving its frames.
const nodeClientScript = `
import wrtc from '@roamhq/wrtc';
import { AdminClient } from '@luwte/sdk/admin';
import { SessionClient } from '@luwte/sdk/client';

const server = process.env.LUWTE_SERVER;
const admin = new AdminClient({ server, apiKey: process.env.LUWTE_API_KEY });
const session = await admin.createSession({ title: 'Node' });
const webrtc = {
	RTCPeerConnection: wrtc.RTCPeerConnection,
	RTCSessionDescription: wrtc.RTCSessionDescription,
	RTCIceCandidate: wrtc.RTCIceCandidate,
	MediaStream: wrtc.MediaStream,
	MediaStreamTrack: wrtc.MediaStreamTrack,
};
const host = new SessionClient({ server, webrtc });
const participant = new SessionClient({ server, webrtc });
const received = new Promise((resolve) => participant.on('track', resolve));
await host.connect((await admin.createToken(session.id, { role: 'host' })).token);
await participant.connect((await admin.createToken(session.id, { role: 'participant' })).token);

const source = new wrtc.nonstandard.RTCVideoSource();
await host.publish({ camera: source.createTrack(), simulcast: false });
const width = 320;
const height = 180;
const frame = new Uint8ClampedArray(width * height * 1.5).fill(128);
const timer = setInterval(() => source.onFrame({ width, height, data: frame }), 1000 / 15);

const deadline = Date.now() + 60_000;
const remote = await Promise.race([received, new Promise((r) => setTimeout(r, 60_000))]);
let frames = 0;
const sink = remote ? new wrtc.nonstandard.RTCVideoSink(remote.track) : undefined;
if (sink) sink.onframe = () => frames++;
while (frames < 5 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
sink?.stop();
clearInterval(timer);
await participant.leave();
await host.leave();
console.log(JSON.stringify({ kind: remote?.kind, fromHost: remote?.participantId === host.participantId, frames: Math.min(frames, 5) }));
process.exit(0);
`;

// The SDK's types must stand without @types/node (browser projects); the engine's need them.
const sdkTypes = `
import { AdminClient, SessionClient, type SessionClientOptions } from '@luwte/sdk';
import { AdminApiError } from '@luwte/sdk/admin';
import { LuwteSession } from '@luwte/sdk/elements';
import { LuwteError } from '@luwte/errors';

const admin = new AdminClient({ server: 'http://127.0.0.1:8080', apiKey: 'lwk_example' });
export async function mint(): Promise<string> {
	const session = await admin.createSession({ title: 'Typed' });
	const state: 'scheduled' | 'live' | 'ended' | 'cancelled' = session.state;
	const { token } = await admin.createToken(session.id, { role: 'participant' });
	return token + state;
}
const opts: SessionClientOptions = { server: 'http://127.0.0.1:8080', reconnect: true };
export const client = new SessionClient(opts);
export const isTyped = (e: unknown): e is AdminApiError => e instanceof AdminApiError && e instanceof LuwteError;
export const element: HTMLElement = new LuwteSession();
// @ts-expect-error: the role is checked against the route table's schema
admin.createToken('s', { role: 'nobody' });

// docs/sdk.md's browser example.
const browser = new SessionClient({ server: 'https://luwte.example.nl', reconnect: true });
browser.on('track', ({ participantId, source, track }) => {
	const el = document.createElement(track.kind === 'video' ? 'video' : 'audio');
	el.srcObject = new MediaStream([track]);
	el.autoplay = true;
	el.dataset.participant = participantId;
	el.dataset.source = source;
	document.body.append(el);
});
browser.on('participantJoined', ({ participantId, role }) => console.log('joined', participantId, role));
browser.on('reconnecting', ({ attempt, delayMs }) => console.log(attempt, delayMs));
browser.on('sessionEnded', ({ reason }) => console.log('ended:', reason));
export async function join(token: string) {
	const { participantId, role, peers } = await browser.connect(token);
	const media = await navigator.mediaDevices.getUserMedia({ video: true, audio: true });
	await browser.publish({ camera: media.getVideoTracks()[0], microphone: media.getAudioTracks()[0] });
	await browser.leave();
	return [participantId, role, peers.length];
}
`;

const engineTypes = `
import { Engine, type EngineConfigInput } from '@luwte/engine';
import { TenantRegistry } from '@luwte/engine/auth';
export const config: EngineConfigInput = { workerCount: 1 };
export const create = (): Promise<Engine> => Engine.create(config);
export const registry = (r: TenantRegistry) => r;
`;

const engineScript = `
import { Engine } from '@luwte/engine';
const engine = await Engine.create({ workerCount: 1, webRtc: { listenIp: '127.0.0.1' } });
const session = await engine.createSession({ tenantId: 'zorg-a', title: 'Engine uit een pakket' });
console.log(JSON.stringify({ node: process.version, sessionId: session.id, state: session.state }));
await engine.close();
`;

const browserEntry = `
import '@luwte/sdk/elements';
import { SessionClient } from '@luwte/sdk';
console.log(new SessionClient({ server: location.origin }).state);
`;

describe('the packed packages in a fresh npm project', () => {
	let dir: string;
	let app: string;
	let t: TestHost;
	const tarballs: Tarball[] = [];

	beforeAll(async () => {
		dir = mkdtempSync(join(tmpdir(), 'luwte-pack-'));
		const packs = join(dir, 'tarballs');
		const built = await run(process.execPath, ['scripts/build-packages.mjs', '--pack', packs], {
			cwd: workspaceRoot,
			timeoutMs: 300_000,
		});
		expect(built.code, built.stdout + built.stderr).toBe(0);
		for (const file of readdirSync(packs).filter((f) => f.endsWith('.tgz'))) {
			const listed = await run('tar', ['-xOzf', join(packs, file), 'package/package.json'], { cwd: dir, timeoutMs: 30_000 });
			tarballs.push({ file: join(packs, file), manifest: JSON.parse(listed.stdout) });
		}
		app = join(dir, 'app');
		mkdirSync(app);
		writeFreshProject(app, tarballs, ['@types/node', '@roamhq/wrtc']);
		const installed = await run('npm', ['ci', '--offline', '--no-audit', '--no-fund', '--ignore-scripts'], {
			cwd: app,
			timeoutMs: 180_000,
		});
		expect(installed.code, installed.stdout + installed.stderr).toBe(0);
		writeFileSync(join(app, 'sdk.mjs'), sdkScript);
		writeFileSync(join(app, 'engine.mjs'), engineScript);
		writeFileSync(join(app, 'node-client.mjs'), nodeClientScript);
		t = await startTestHost();
	}, 600_000);

	afterAll(async () => {
		await t?.close();
		if (dir) rmSync(dir, { recursive: true, force: true });
	});

	it('packs errors, sdk and engine as JavaScript and .d.ts only', async () => {
		expect(tarballs.map((p) => p.manifest.name).sort()).toEqual(['@luwte/engine', '@luwte/errors', '@luwte/sdk']);
		for (const { file, manifest } of tarballs) {
			const listed = await run('tar', ['-tzf', file], { cwd: dir, timeoutMs: 30_000 });
			const entries = listed.stdout.trim().split('\n');
			expect(
				entries.filter((e) => e.endsWith('.ts') && !e.endsWith('.d.ts')),
				file,
			).toEqual([]);
			expect(entries).toContain('package/LICENSE');
			expect(Object.keys(manifest.exports ?? {}).length, file).toBeGreaterThan(0);
			for (const target of Object.values(manifest.exports ?? {})) {
				for (const path of typeof target === 'string' ? [target] : [target.default, target.types]) {
					expect(entries).toContain(`package/${path.slice(2)}`);
				}
			}
		}
	});

	it('AdminClient creates a session and mints a token on Node 24; SessionClient constructs', async () => {
		const r = await run(node24, ['sdk.mjs'], {
			cwd: app,
			timeoutMs: 60_000,
			env: { ...process.env, LUWTE_SERVER: t.host.url, LUWTE_API_KEY: t.tenants[0]!.apiKey },
		});
		expect(r.code, r.stderr).toBe(0);
		const out = JSON.parse(r.stdout);
		expect(out.node).toMatch(/^v24\./);
		expect(out).toMatchObject({
			sameSession: true,
			token: { parts: 3, participantId: 'pack-p1', role: 'participant' },
			missing: { status: 404, code: 'not_found', typed: true },
			clientState: 'idle',
			rootExportsAdminClient: true,
			protocolRoles: ['host', 'participant', 'location', 'viewer'],
		});
		// The host really has it.
		expect((await t.api(t.tenants[0]!, 'GET', `/v1/sessions/${out.sessionId}`)).status).toBe(200);
	});

	it('SessionClient in Node with @roamhq/wrtc: a host publishes, a participant receives frames (Node 24)', async () => {
		const r = await run(node24, ['node-client.mjs'], {
			cwd: app,
			timeoutMs: 120_000,
			env: { ...process.env, LUWTE_SERVER: t.host.url, LUWTE_API_KEY: t.tenants[0]!.apiKey },
		});
		expect(r.code, r.stderr).toBe(0);
		expect(JSON.parse(r.stdout.trim().split('\n').at(-1)!)).toEqual({ kind: 'video', fromHost: true, frames: 5 });
	});

	for (const other of otherNodes) {
		const version = other.bin && existsSync(other.bin) ? spawnVersion(other.bin) : undefined;
		it.skipIf(version?.major !== other.major)(`the same on ${other.label} (${version?.text ?? 'no binary here'})`, async () => {
			const r = await run(other.bin, ['sdk.mjs'], {
				cwd: app,
				timeoutMs: 60_000,
				env: { ...process.env, LUWTE_SERVER: t.host.url, LUWTE_API_KEY: t.tenants[0]!.apiKey },
			});
			expect(r.code, r.stderr).toBe(0);
			const out = JSON.parse(r.stdout);
			expect(out.node).toBe(version!.text);
			expect(out).toMatchObject({
				sameSession: true,
				token: { parts: 3 },
				missing: { status: 404, typed: true },
				clientState: 'idle',
			});
		});
	}

	for (const [name, source, types] of [
		['the SDK (no @types/node)', sdkTypes, []],
		['the engine (with @types/node)', engineTypes, ['node']],
	] as const) {
		it(`types of ${name} resolve with moduleResolution nodenext (tsc --noEmit, their .d.ts checked too)`, async () => {
			const base = name.includes('SDK') ? 'sdk-check' : 'engine-check';
			writeFileSync(join(app, `${base}.ts`), source);
			writeFileSync(
				join(app, `${base}.tsconfig.json`),
				JSON.stringify({
					compilerOptions: {
						target: 'ES2022',
						module: 'NodeNext',
						moduleResolution: 'NodeNext',
						lib: ['ES2023', 'DOM'],
						strict: true,
						noEmit: true,
						types,
					},
					files: [`${base}.ts`],
				}),
			);
			const r = await run(process.execPath, [join(workspaceRoot, 'node_modules/typescript/bin/tsc'), '-p', `${base}.tsconfig.json`], {
				cwd: app,
				timeoutMs: 240_000,
			});
			expect(r.code, r.stdout + r.stderr).toBe(0);
		});
	}

	it('a bundler resolves the browser entry points (esbuild, platform browser)', async () => {
		writeFileSync(join(app, 'page.js'), browserEntry);
		const r = await run(
			join(workspaceRoot, 'node_modules/.bin/esbuild'),
			['page.js', '--bundle', '--format=esm', '--platform=browser', '--outfile=out/page.js', '--log-level=warning'],
			{ cwd: app, timeoutMs: 120_000 },
		);
		expect(r.code, r.stderr).toBe(0);
		expect(existsSync(join(app, 'out/page.js'))).toBe(true);
	});

	it('the engine runs from its tarball on Node 24 (mediasoup worker: the workspace one)', async () => {
		const r = await run(node24, ['engine.mjs'], {
			cwd: app,
			timeoutMs: 60_000,
			env: { ...process.env, MEDIASOUP_WORKER_BIN: workerBin },
		});
		expect(r.code, r.stderr).toBe(0);
		expect(JSON.parse(r.stdout)).toMatchObject({ state: 'scheduled' });
	});
});

function spawnVersion(bin: string): { major: number; text: string } | undefined {
	const text = execFileSync(bin, ['--version'], { encoding: 'utf8', timeout: 10_000 }).trim();
	const major = Number(/^v(\d+)\./.exec(text)?.[1]);
	return Number.isFinite(major) ? { major, text } : undefined;
}
