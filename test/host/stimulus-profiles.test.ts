import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Engine } from '@luwte/engine';
import { builtinProfiles, customProfileListSchema, customProfileSchema, resolveStimulusProfile } from '@luwte/engine/abr';
import { hashApiKey, newApiKey, newTokenSecret, TenantRegistry } from '@luwte/engine/auth';
import { startHost, type Host } from '@luwte/host-web';
import { stimulusProfileDefinitionSchema } from '@luwte/sdk/admin';
import { decodeJwt } from 'jose';
import { z } from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHost, testOperatorKey, type TestHost } from '../helpers/host.ts';
import { freePortRange } from '../helpers/ports.ts';
import { openSignal } from '../helpers/ws-client.ts';

const operator = (url: string, method: string, path: string, body?: unknown, key = testOperatorKey) =>
	fetch(`${url}${path}`, {
		method,
		headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
		...(body !== undefined ? { body: JSON.stringify(body) } : {}),
	}).then(async (r) => ({ status: r.status, json: await r.json() }));

/** The profile the engine applied to a participant, read through the join event's connection ID. */
function appliedProfile(engine: Engine, tenantId: string, sessionId: string, participantId: string): Promise<string> {
	return new Promise((resolve) => {
		const on = (e: { tenantId: string; sessionId: string; participantId: string; connectionId: string }) => {
			if (e.tenantId !== tenantId || e.sessionId !== sessionId || e.participantId !== participantId) return;
			engine.events.off('participant.joined', on);
			resolve(engine.session(tenantId, sessionId).participant(participantId, e.connectionId).stimulusProfile.id);
		};
		engine.events.on('participant.joined', on);
	});
}

/** Joins over a bare WebSocket and answers the profile the engine applied. */
async function joinAndReadProfile(host: Host, tenantId: string, sessionId: string, participantId: string, token: string): Promise<string> {
	const applied = appliedProfile(host.engine, tenantId, sessionId, participantId);
	const ws = await openSignal(host.url);
	try {
		const r = await ws.request('join', { token });
		expect(r.ok).toBe(true);
		return await applied;
	} finally {
		ws.close();
	}
}

describe('custom stimulus profiles (unit)', () => {
	const tenant = { stimulusProfiles: customProfileListSchema.parse([{ id: 'rustig-laag', base: 'calm', maxSpatialLayer: 1 }]) };

	it('resolves a definition by merging it over its base', () => {
		expect(resolveStimulusProfile(tenant, 'rustig-laag')).toEqual({ ...builtinProfiles.calm, id: 'rustig-laag', maxSpatialLayer: 1 });
		expect(resolveStimulusProfile(tenant, { id: 'vlot', base: 'standard', headroom: 0.7 })).toEqual({
			...builtinProfiles.standard,
			id: 'vlot',
			headroom: 0.7,
		});
		// An inherited start layer follows the cap down; an explicit one above it is refused.
		expect(resolveStimulusProfile(tenant, { id: 'klein', maxSpatialLayer: 0 }).startSpatialLayer).toBe(0);
		expect(() => resolveStimulusProfile(tenant, { id: 'fout', maxSpatialLayer: 0, startSpatialLayer: 2 })).toThrow(
			/"startSpatialLayer": startSpatialLayer above maxSpatialLayer/,
		);
		expect(resolveStimulusProfile(tenant, 'standard')).toBe(builtinProfiles.standard);
	});

	it('refuses unknown IDs, built-in IDs for custom profiles, unknown fields and duplicates with invalid_argument', () => {
		for (const [ref, message] of [
			['onbekend', /unknown stimulus profile "onbekend"/],
			[{ id: 'calm', maxSpatialLayer: 1 }, /"id": is a built-in profile ID/],
			[{ id: 'x1', base: 'greedy' }, /"base"/],
			[{ id: 'x1', kleur: 'rood' }, /kleur/],
			[{ id: 'x1', headroom: 2 }, /"headroom"/],
		] as const) {
			expect(() => resolveStimulusProfile(tenant, ref)).toThrow(
				expect.objectContaining({ code: 'invalid_argument', message: expect.stringMatching(message) }),
			);
		}
		expect(customProfileListSchema.safeParse([{ id: 'a1' }, { id: 'a1' }]).success).toBe(false);
		expect(customProfileListSchema.safeParse(Array.from({ length: 21 }, (_, i) => ({ id: `p${i}` }))).success).toBe(false);
	});

	it('has the same definition shape in the SDK (OpenAPI) as in the engine', () => {
		const strip = (v: unknown): unknown =>
			Array.isArray(v)
				? v.map(strip)
				: v && typeof v === 'object'
					? Object.fromEntries(
							Object.entries(v)
								.filter(([k]) => k !== 'description')
								.map(([k, x]) => [k, strip(x)]),
						)
					: v;
		const json = (s: z.ZodType) => strip(z.toJSONSchema(s, { io: 'input' }));
		expect(json(stimulusProfileDefinitionSchema)).toEqual(json(customProfileSchema));
	});
});

describe('custom stimulus profiles through the admin API', () => {
	let t: TestHost;
	let sessionId: string;
	beforeAll(async () => {
		t = await startTestHost();
		sessionId = await t.createSession(t.tenants[0]!);
	});
	afterAll(() => t?.close());
	const tokenFor = (tenant: number, body: Record<string, unknown>, sid = sessionId) =>
		t.api(t.tenants[tenant]!, 'POST', `/v1/sessions/${sid}/tokens`, { role: 'participant', ...body });

	it('lets the operator define a profile on a tenant, and tokens name it', async () => {
		const set = await operator(t.host.url, 'POST', '/v1/tenants/zorg-a', {
			stimulusProfiles: [{ id: 'rustig-laag', base: 'calm', maxSpatialLayer: 1 }],
		});
		expect(set.status).toBe(200);
		expect(set.json.stimulusProfiles).toEqual([{ id: 'rustig-laag', base: 'calm', maxSpatialLayer: 1 }]);
		expect(
			(await operator(t.host.url, 'GET', '/v1/tenants')).json.tenants.find((x: { id: string }) => x.id === 'zorg-a').stimulusProfiles,
		).toHaveLength(1);

		const r = await tokenFor(0, { participantId: 'client-7', stimulusProfile: 'rustig-laag' });
		expect(r.status).toBe(201);
		expect(r.json.stimulusProfile).toBe('rustig-laag');
		expect(decodeJwt(r.json.token).sp).toBe('rustig-laag');
		expect(await joinAndReadProfile(t.host, 'zorg-a', sessionId, 'client-7', r.json.token)).toBe('rustig-laag');
	});

	it('refuses bad definitions with 400 and the field named, changing nothing', async () => {
		const before = structuredClone(t.host.tenants.get('zorg-a'));
		for (const [stimulusProfiles, field] of [
			[[{ id: 'te-hoog', maxSpatialLayer: 0, startSpatialLayer: 1 }], 'stimulusProfiles.0.startSpatialLayer'],
			[[{ id: 'standard', maxSpatialLayer: 1 }], 'stimulusProfiles.0.id'],
			[[{ id: 'dubbel' }, { id: 'dubbel' }], 'stimulusProfiles.1.id'],
			[[{ id: 'x1', maxSpatialLayer: 3 }], 'stimulusProfiles.0.maxSpatialLayer'],
			[[{ id: 'x1', kleur: 'rood' }], 'stimulusProfiles.0'],
			[Array.from({ length: 21 }, (_, i) => ({ id: `p${i}` })), 'stimulusProfiles'],
		] as const) {
			const r = await operator(t.host.url, 'POST', '/v1/tenants/zorg-a', { stimulusProfiles });
			expect(r.status, JSON.stringify(stimulusProfiles)).toBe(400);
			expect(r.json.error.code).toBe('invalid_params');
			expect(r.json.error.message).toContain(field);
		}
		expect(t.host.tenants.get('zorg-a')).toEqual(before);
		// A new tenant with a bad profile is not created at all.
		const made = await operator(t.host.url, 'POST', '/v1/tenants', { id: 'zorg-x', name: 'X', stimulusProfiles: [{ id: 'calm' }] });
		expect(made.status).toBe(400);
		expect(t.host.tenants.get('zorg-x')).toBeUndefined();
	});

	it("refuses tokens for unknown profiles, bad inline definitions and other tenants' profiles", async () => {
		const unknown = await tokenFor(0, { stimulusProfile: 'bestaat-niet' });
		expect(unknown.status).toBe(400);
		expect(unknown.json.error).toMatchObject({
			code: 'invalid_params',
			message: expect.stringContaining('unknown stimulus profile "bestaat-niet"'),
		});
		const badInline = await tokenFor(0, { stimulusProfile: { id: 'eigen', maxSpatialLayer: 0, startSpatialLayer: 2 } });
		expect(badInline.status).toBe(400);
		expect(badInline.json.error.message).toContain('startSpatialLayer');
		const wrongShape = await tokenFor(0, { stimulusProfile: { id: 'eigen', maxSpatialLayer: 'hoog' } });
		expect(wrongShape.status).toBe(400);
		expect(wrongShape.json.error.details.fields[0].field).toBe('stimulusProfile.maxSpatialLayer');
		// Tenant B cannot use tenant A's profile.
		const sessionB = await t.createSession(t.tenants[1]!);
		const other = await tokenFor(1, { stimulusProfile: 'rustig-laag' }, sessionB);
		expect(other.status).toBe(400);
		expect(other.json.error.message).toContain('rustig-laag');
	});

	it('accepts an inline definition for one participant, small in the token', async () => {
		const r = await tokenFor(0, { participantId: 'client-8', stimulusProfile: { id: 'alleen-vandaag', maxTemporalLayer: 1 } });
		expect(r.status).toBe(201);
		expect(r.json.stimulusProfile).toBe('alleen-vandaag');
		expect(decodeJwt(r.json.token).sp).toEqual({ id: 'alleen-vandaag', base: 'calm', maxTemporalLayer: 1 });
		expect(await joinAndReadProfile(t.host, 'zorg-a', sessionId, 'client-8', r.json.token)).toBe('alleen-vandaag');
	});
});

describe('custom stimulus profiles over time', () => {
	const dirs: string[] = [];
	afterAll(async () => {
		for (const d of dirs) await rm(d, { recursive: true, force: true });
	});

	it("falls back to calm (and logs it) when the token's profile was deleted after minting", async () => {
		const apiKey = newApiKey();
		const tenants = new TenantRegistry([
			{
				id: 'zorg-a',
				name: 'A',
				apiKeyHashes: [hashApiKey(apiKey)],
				tokenSecret: newTokenSecret(),
				stimulusProfiles: [{ id: 'rustig-laag', maxSpatialLayer: 1 }],
			},
		]);
		const warnings: [string, Record<string, unknown> | undefined][] = [];
		const quiet = () => {};
		const host = await startHost({
			port: 0,
			hostname: '127.0.0.1',
			tenants,
			operatorKey: testOperatorKey,
			logger: { debug: quiet, info: quiet, error: quiet, warn: (e, f) => warnings.push([e, f]) },
			engine: { workerCount: 1, webRtc: { listenIp: '127.0.0.1', portRange: await freePortRange(3), enableTcp: false } },
		});
		try {
			const api = (path: string, body: unknown) =>
				fetch(`${host.url}${path}`, {
					method: 'POST',
					headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
					body: JSON.stringify(body),
				}).then((r) => r.json());
			const sid = (await api('/v1/sessions', { title: 'Bewegen' })).id as string;
			const { token } = await api(`/v1/sessions/${sid}/tokens`, {
				role: 'participant',
				participantId: 'client-9',
				stimulusProfile: 'rustig-laag',
			});
			expect((await operator(host.url, 'POST', '/v1/tenants/zorg-a', { stimulusProfiles: [] })).status).toBe(200);
			expect(await joinAndReadProfile(host, 'zorg-a', sid, 'client-9', token)).toBe('calm');
			expect(warnings).toContainEqual([
				'signal.profile_fallback',
				expect.objectContaining({ participant: 'client-9', profile: 'rustig-laag', fallback: 'calm' }),
			]);
		} finally {
			await host.close();
		}
	});

	it("keeps a tenant's profiles in tenants.json across a restart", async () => {
		const dataDir = await mkdtemp(join(tmpdir(), 'luwte-profiles-'));
		dirs.push(dataDir);
		const hostIn = async () =>
			startHost({
				port: 0,
				hostname: '127.0.0.1',
				dataDir,
				logLevel: 'silent',
				operatorKey: testOperatorKey,
				engine: { workerCount: 1, webRtc: { listenIp: '127.0.0.1', portRange: await freePortRange(3), enableTcp: false } },
			});
		const first = await hostIn();
		try {
			const made = await operator(first.url, 'POST', '/v1/tenants', {
				id: 'zorg-noord',
				name: 'Zorg Noord',
				stimulusProfiles: [{ id: 'rustig-laag', maxSpatialLayer: 1 }],
			});
			expect(made.status).toBe(201);
		} finally {
			await first.close();
		}
		const saved = JSON.parse(await readFile(join(dataDir, 'tenants.json'), 'utf8'));
		expect(saved[0].stimulusProfiles).toEqual([{ id: 'rustig-laag', base: 'calm', maxSpatialLayer: 1 }]);
		const second = await hostIn();
		try {
			expect(second.tenants.get('zorg-noord')!.stimulusProfiles.map((p) => p.id)).toEqual(['rustig-laag']);
		} finally {
			await second.close();
		}
	});
});
