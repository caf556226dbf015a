import { createEngine, EngineError, parseEngineConfig } from '@luwte/engine';
import { describe, expect, it } from 'vitest';

describe('engine configuration', () => {
	it('fills defaults: one worker per core and a port range', () => {
		const cfg = parseEngineConfig({});
		expect(cfg.workerCount).toBeGreaterThanOrEqual(1);
		expect(cfg.webRtc.portRange.max).toBeGreaterThanOrEqual(cfg.webRtc.portRange.min);
	});

	it.each([
		[{ workerCount: 0 }, 'workerCount'],
		[{ webRtc: { portRange: { min: 5000, max: 4000 } } }, 'webRtc.portRange'],
		[{ webRtc: { portRange: { min: 0, max: 10 } } }, 'webRtc.portRange.min'],
		[{ logLevel: 'loud' }, 'logLevel'],
		[{ workerCount: 4, webRtc: { portRange: { min: 5000, max: 5001 } } }, 'webRtc.portRange'],
		[{ wokerCount: 2 }, 'wokerCount'],
		[{ webRtc: { listenIP: '1.2.3.4' } }, 'webRtc.listenIP'],
	])('rejects %j naming the field %s', (input, field) => {
		let err: unknown;
		try {
			parseEngineConfig(input);
		} catch (e) {
			err = e;
		}
		expect(err).toBeInstanceOf(EngineError);
		expect((err as EngineError).code).toBe('invalid_config');
		expect((err as EngineError).message).toContain(`"${field}"`);
	});

	it('refuses to start with bad config (no worker is spawned)', async () => {
		await expect(createEngine({ workerCount: -1 })).rejects.toMatchObject({ code: 'invalid_config' });
	});
});
