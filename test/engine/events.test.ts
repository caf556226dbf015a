import { TypedEmitter } from '@luwte/engine';
import { createLogger } from '@luwte/engine/log';
import { describe, expect, it } from 'vitest';

interface Events {
	tick: { n: number };
}

/** An emitter whose log lines are kept for the test to read. */
function emitter(): { events: TypedEmitter<Events>; lines: Record<string, unknown>[] } {
	const lines: Record<string, unknown>[] = [];
	const events = new TypedEmitter<Events>(createLogger('debug', (line) => lines.push(JSON.parse(line))));
	return { events, lines };
}

describe('TypedEmitter (safe emit)', () => {
	it('runs every other listener when one throws, does not throw into emit, and logs the failure', () => {
		const { events, lines } = emitter();
		const seen: string[] = [];
		events.on('tick', (e) => seen.push(`first ${e.n}`));
		events.on('tick', () => {
			throw new Error('listener broke');
		});
		events.on('tick', (e) => seen.push(`third ${e.n}`));
		expect(() => events.emit('tick', { n: 1 })).not.toThrow();
		expect(seen).toEqual(['first 1', 'third 1']);
		expect(lines).toEqual([expect.objectContaining({ level: 'error', event: 'events.listener_failed', error: 'listener broke' })]);
		// The emitter still works afterwards, for every listener.
		events.emit('tick', { n: 2 });
		expect(seen).toEqual(['first 1', 'third 1', 'first 2', 'third 2']);
		expect(lines).toHaveLength(2);
	});

	it('logs a listener whose promise rejects instead of leaving an unhandled rejection', async () => {
		const { events, lines } = emitter();
		let after = 0;
		// biome-ignore lint/nursery/noMisusedPromises: a listener that returns a rejecting promise is what this checks
		events.on('tick', async () => {
			throw new Error('async listener broke');
		});
		events.on('tick', () => after++);
		events.emit('tick', { n: 1 });
		expect(after).toBe(1);
		await new Promise((resolve) => setImmediate(resolve));
		expect(lines).toEqual([expect.objectContaining({ event: 'events.listener_failed', error: 'async listener broke' })]);
	});

	it('still removes once-listeners and listeners taken off', () => {
		const { events } = emitter();
		const seen: number[] = [];
		events.once('tick', (e) => seen.push(e.n));
		const off = events.on('tick', (e) => seen.push(e.n * 10));
		events.emit('tick', { n: 1 });
		off();
		events.emit('tick', { n: 2 });
		expect(seen).toEqual([1, 10]);
	});
});

describe('engine logger', () => {
	it('writes one JSON line per entry with level, time and event, above its level only', () => {
		const lines: string[] = [];
		const log = createLogger('info', (line) => lines.push(line));
		log.debug('not.written');
		log.info('session.thing', { sessionId: 's_1', count: 2 });
		expect(lines).toHaveLength(1);
		expect(lines[0]!.endsWith('\n')).toBe(true);
		const entry = JSON.parse(lines[0]!);
		expect(entry).toMatchObject({ level: 'info', event: 'session.thing', sessionId: 's_1', count: 2 });
		expect(Number.isNaN(Date.parse(entry.time))).toBe(false);
		createLogger('silent', (line) => lines.push(line)).error('not.written.either');
		expect(lines).toHaveLength(1);
	});

	it('never writes secrets or addresses, also one level down', () => {
		const lines: string[] = [];
		const log = createLogger('debug', (line) => lines.push(line));
		log.warn('x', {
			token: 'eyJ.secret',
			apiKey: 'lk_secret',
			ip: '192.0.2.7',
			headers: { authorization: 'Bearer secret' },
			participantId: 'p-1',
		});
		const entry = JSON.parse(lines[0]!);
		expect(lines[0]).not.toMatch(/secret|192\.0\.2\.7/);
		expect(entry).toMatchObject({
			token: '[redacted]',
			apiKey: '[redacted]',
			ip: '[redacted]',
			headers: { authorization: '[redacted]' },
			participantId: 'p-1',
		});
	});
});
