import { describe, expect, it } from 'vitest';
import { hashApiKey, issueJoinToken, newApiKey, newTokenSecret } from '@luwte/engine/auth';
import { parseTenant } from '../../packages/engine/src/auth/tenants.ts';
import { calmProfileOfToken, roleOfToken } from '../../packages/sdk/src/elements/session/join-token.ts';
import { normalStep, volumeGain, volumeGains } from '../../packages/sdk/src/elements/session/tile-volume.ts';
import { parseVoiceLevelling } from '../../packages/sdk/src/elements/session/voice-levelling.ts';

// What decides whether <luwte-session> levels incoming voices, apart from the browser: the
// stimulus profile in a real join token (as the engine signs it) and the attribute's values.
const tenant = parseTenant({
	id: 'zorg-a',
	name: 'Zorg A',
	apiKeyHashes: [hashApiKey(newApiKey())],
	tokenSecret: newTokenSecret(),
	stimulusProfiles: [{ id: 'rustig-plus', base: 'standard', maxSpatialLayer: 1 }],
});
type Profile = NonNullable<Parameters<typeof issueJoinToken>[1]['stimulusProfile']>;
const token = async (stimulusProfile?: Profile) =>
	(
		await issueJoinToken(tenant, {
			sessionId: 's1',
			participantId: 'client-1',
			role: 'participant',
			...(stimulusProfile ? { stimulusProfile } : {}),
			ttlSeconds: 600,
		})
	).token;

describe('voice levelling follows the stimulus profile', () => {
	it('is on for calm (also the default and a definition on calm), off for standard and greedy', async () => {
		expect(calmProfileOfToken(await token())).toBe(true);
		expect(calmProfileOfToken(await token('calm'))).toBe(true);
		expect(calmProfileOfToken(await token({ id: 'stil', base: 'calm', maxSpatialLayer: 0 }))).toBe(true);
		expect(calmProfileOfToken(await token('standard'))).toBe(false);
		expect(calmProfileOfToken(await token('greedy'))).toBe(false);
		expect(calmProfileOfToken(await token({ id: 'vlot', base: 'standard' }))).toBe(false);
		// A tenant's profile by ID: the element cannot look into it, so calm (the safer side).
		expect(calmProfileOfToken(await token('rustig-plus'))).toBe(true);
		// No token yet, or not a token: calm, and the role is unknown.
		expect(calmProfileOfToken('')).toBe(true);
		expect(calmProfileOfToken('not.a-token')).toBe(true);
		expect(roleOfToken(await token())).toBe('participant');
		expect(roleOfToken('not.a-token')).toBeUndefined();
	});

	it('takes auto, on and off, treats an absent attribute as auto and refuses anything else', () => {
		expect(parseVoiceLevelling('on')).toBe('on');
		expect(parseVoiceLevelling('off')).toBe('off');
		expect(parseVoiceLevelling('auto')).toBe('auto');
		for (const absent of [null, undefined, '']) expect(parseVoiceLevelling(absent)).toBe('auto');
		for (const bad of ['ON', 'true', true, 1, {}]) expect(() => parseVoiceLevelling(bad)).toThrow(TypeError);
	});

	it('has volume steps 6 dB apart, never above the level sent, starting at normal', () => {
		expect(volumeGain(undefined)).toBe(1);
		expect(volumeGain(normalStep)).toBe(1);
		for (let i = 1; i < volumeGains.length; i++) expect(20 * Math.log10(volumeGains[i]! / volumeGains[i - 1]!)).toBeCloseTo(6.02, 1);
		expect(Math.max(...volumeGains)).toBe(1);
	});
});
