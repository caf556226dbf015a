import { describe, expect, it } from 'vitest';
import { Emitter } from '../../packages/sdk/src/client/emitter.ts';

// A page's listener that throws must not break the session: the other listeners still run,
// the emitting code carries on, and the error is reported where it can be seen.
class Box extends Emitter<{ ping: number }> {
	ping(n: number): void {
		this.safeEmit('ping', n);
	}
}

describe('Emitter', () => {
	it('reports a throwing listener and calls the others', () => {
		const reported: [unknown, PropertyKey][] = [];
		const box = new Box((err, event) => reported.push([err, event]));
		const seen: number[] = [];
		const boom = new Error('page bug');
		box.on('ping', () => {
			throw boom;
		});
		box.on('ping', (n) => seen.push(n));
		expect(() => box.ping(1)).not.toThrow();
		box.ping(2);
		expect(seen).toEqual([1, 2]);
		expect(reported).toEqual([
			[boom, 'ping'],
			[boom, 'ping'],
		]);
	});

	it('survives a failing error handler too', () => {
		const box = new Box(() => {
			throw new Error('handler bug');
		});
		const seen: number[] = [];
		box.on('ping', () => {
			throw new Error('page bug');
		});
		box.on('ping', (n) => seen.push(n));
		const original = console.error;
		const logged: unknown[][] = [];
		console.error = (...args: unknown[]) => void logged.push(args);
		try {
			box.ping(3);
		} finally {
			console.error = original;
		}
		expect(seen).toEqual([3]);
		expect(logged).toHaveLength(1);
	});

	it('lets a listener remove itself while the event is delivered', () => {
		const box = new Box();
		const seen: string[] = [];
		const off = box.on('ping', () => {
			seen.push('once');
			off();
		});
		box.on('ping', () => seen.push('always'));
		box.ping(1);
		box.ping(2);
		expect(seen).toEqual(['once', 'always', 'always']);
	});
});
